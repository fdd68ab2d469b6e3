package io.discoverygateway.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector: comma-separated requirements, each one of
 * {@code key=value}, {@code key==value}, {@code key!=value}, {@code key in (a,b)},
 * {@code key notin (a,b)}, {@code key} (exists) or {@code !key} (does not exist). All
 * requirements must hold. Keys and values are checked as Kubernetes checks them.
 */
public final class LabelSelector {

    /**
     * Limits that bound what one request (or one stream subscriber, on every event) can
     * cost: generous for any selector a person writes, small enough that a hostile one
     * cannot make each match expensive.
     */
    public static final int MAX_LENGTH = 4096;

    public static final int MAX_REQUIREMENTS = 32;

    public static final int MAX_VALUES = 64;

    private static final LabelSelector EVERYTHING = new LabelSelector("", List.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private static final Pattern PREFIX = Pattern
        .compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final String text;

    private final List<Requirement> requirements;

    private LabelSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = requirements;
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a selector; null or blank selects everything.
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a label selector of " + text.length() + " characters is too long: at"
                    + " most " + MAX_LENGTH + " are accepted");
        }
        List<String> parts = splitTopLevel(text);
        if (parts.size() > MAX_REQUIREMENTS) {
            throw new IllegalArgumentException("a label selector of " + parts.size() + " requirements has too many:"
                    + " at most " + MAX_REQUIREMENTS + " are accepted");
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : parts) {
            requirements.add(Requirement.parse(part.strip()));
        }
        return new LabelSelector(text.strip(), List.copyOf(requirements));
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    /** Splits on commas that are not inside parentheses. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            }
            else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("unbalanced ')' in label selector '" + text + "'");
                }
            }
            else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced '(' in label selector '" + text + "'");
        }
        parts.add(text.substring(start));
        return parts;
    }

    private enum Operator {

        EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST

    }

    private record Requirement(String key, Operator operator, Set<String> values) {

        private static final Pattern SET_FORM = Pattern.compile("(\\S+)\\s+(in|notin)\\s*\\((.*)\\)");

        static Requirement parse(String part) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty requirement in label selector");
            }
            var setForm = SET_FORM.matcher(part);
            if (setForm.matches()) {
                Set<String> values = new LinkedHashSet<>();
                String[] listed = setForm.group(3).split(",", -1);
                if (listed.length > MAX_VALUES) {
                    throw new IllegalArgumentException("'" + setForm.group(1) + " " + setForm.group(2)
                            + " (...)' lists " + listed.length + " values: at most " + MAX_VALUES + " are accepted");
                }
                for (String value : listed) {
                    values.add(checkValue(value.strip()));
                }
                return new Requirement(checkKey(setForm.group(1)),
                        setForm.group(2).equals("in") ? Operator.IN : Operator.NOT_IN, Set.copyOf(values));
            }
            int notEquals = part.indexOf("!=");
            if (notEquals >= 0) {
                return new Requirement(checkKey(part.substring(0, notEquals).strip()), Operator.NOT_EQUALS,
                        Set.of(checkValue(part.substring(notEquals + 2).strip())));
            }
            int equals = part.indexOf('=');
            if (equals >= 0) {
                int valueStart = part.startsWith("==", equals) ? equals + 2 : equals + 1;
                return new Requirement(checkKey(part.substring(0, equals).strip()), Operator.EQUALS,
                        Set.of(checkValue(part.substring(valueStart).strip())));
            }
            if (part.startsWith("!")) {
                return new Requirement(checkKey(part.substring(1).strip()), Operator.DOES_NOT_EXIST, Set.of());
            }
            return new Requirement(checkKey(part), Operator.EXISTS, Set.of());
        }

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }

        private static String checkKey(String key) {
            int slash = key.indexOf('/');
            String name = slash >= 0 ? key.substring(slash + 1) : key;
            if (slash >= 0) {
                String prefix = key.substring(0, slash);
                if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                    throw new IllegalArgumentException("invalid label key '" + key
                            + "': the prefix must be a DNS subdomain of at most 253 characters");
                }
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid label key '" + key
                        + "': a name of at most 63 alphanumeric characters, '-', '_' or '.', starting and ending"
                        + " with an alphanumeric character");
            }
            return key;
        }

        private static String checkValue(String value) {
            if (!value.isEmpty() && !NAME.matcher(value).matches()) {
                throw new IllegalArgumentException("invalid label value '" + value
                        + "': at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an"
                        + " alphanumeric character");
            }
            return value;
        }
    }

}
