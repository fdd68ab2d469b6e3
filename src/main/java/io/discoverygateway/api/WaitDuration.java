package io.discoverygateway.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the {@code wait} of a long-poll: {@code 30s}, {@code 5m}, {@code 1500ms}, or plain seconds. */
final class WaitDuration {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private WaitDuration() {
    }

    static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw ApiException.invalidParameter("wait",
                    "'" + text + "' is not a duration: use for example 30s, 5m, 1500ms or a number of seconds");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }
}
