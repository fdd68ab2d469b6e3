package io.discoverygateway.longpoll;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.discoverygateway.web.ApiException;

/**
 * Parses the {@code wait} of a long-poll: {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 1500ms}, or plain seconds. Anything longer than the cap is cut to it, as Consul
 * does, rather than refused.
 */
public final class WaitDuration {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

    private WaitDuration() {
    }

    public static Duration parse(String text, Duration cap) {
        Matcher matcher = FORMAT.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw ApiException.invalidParameter("wait",
                    "'" + text + "' is not a duration: use for example 30s, 5m, 1h, 1500ms or a number of seconds");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        long millisPerUnit = switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1_000;
        };
        long capMillis = cap.toMillis();
        return Duration.ofMillis(amount > capMillis / millisPerUnit ? capMillis : amount * millisPerUnit);
    }

}
