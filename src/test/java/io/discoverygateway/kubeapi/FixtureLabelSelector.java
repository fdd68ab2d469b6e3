package io.discoverygateway.kubeapi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded API's own label-selector evaluation, written apart from the gateway's
 * parser on purpose: a fake that shared the gateway's parser would mirror the gateway's
 * bugs instead of exposing them. It follows the forms of Kubernetes' documentation
 * (equality {@code =}, {@code ==}, {@code !=}; sets {@code in}, {@code notin}; existence
 * {@code key}, {@code !key}) with a regular expression per requirement, and checks keys
 * and values only loosely (the API server's validation is not what the gateway's tests
 * exercise).
 */
final class FixtureLabelSelector {

    private static final String KEY = "([A-Za-z0-9][-A-Za-z0-9_./]*)";

    private static final Pattern SET = Pattern.compile("\\s*" + KEY + "\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*");

    private static final Pattern EQUALITY = Pattern.compile("\\s*" + KEY + "\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)\\s*");

    private static final Pattern EXISTENCE = Pattern.compile("\\s*(!?)\\s*" + KEY + "\\s*");

    private FixtureLabelSelector() {
    }

    /** A predicate on labels; an empty or null selector matches everything. */
    static Predicate<Map<String, String>> parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return labels -> true;
        }
        List<Predicate<Map<String, String>>> requirements = new ArrayList<>();
        for (String requirement : split(selector)) {
            requirements.add(requirement(requirement));
        }
        return labels -> requirements.stream().allMatch(requirement -> requirement.test(labels));
    }

    private static Predicate<Map<String, String>> requirement(String text) {
        Matcher set = SET.matcher(text);
        if (set.matches()) {
            // A HashSet: the immutable sets of Set.of refuse contains(null), which a
            // missing label is.
            Set<String> values = new HashSet<>(
                    set.group(3).strip().isEmpty() ? List.of() : List.of(set.group(3).strip().split("\\s*,\\s*")));
            String key = set.group(1);
            return set.group(2).equals("in") ? labels -> values.contains(labels.get(key))
                    : labels -> !values.contains(labels.get(key));
        }
        Matcher equality = EQUALITY.matcher(text);
        if (equality.matches()) {
            String key = equality.group(1);
            String value = equality.group(3);
            return equality.group(2).equals("!=") ? labels -> !value.equals(labels.get(key))
                    : labels -> value.equals(labels.get(key));
        }
        Matcher existence = EXISTENCE.matcher(text);
        if (existence.matches()) {
            String key = existence.group(2);
            return existence.group(1).isEmpty() ? labels -> labels.containsKey(key)
                    : labels -> !labels.containsKey(key);
        }
        throw new IllegalArgumentException("unable to parse requirement: " + text.strip());
    }

    /** Commas outside parentheses separate requirements. */
    private static List<String> split(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(selector.substring(start));
        return parts;
    }

}
