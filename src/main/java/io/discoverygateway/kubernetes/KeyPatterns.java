package io.discoverygateway.kubernetes;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Include and exclude patterns over keys (annotation names): a key is kept when it
 * matches an include pattern and no exclude pattern. In a pattern {@code *} stands for
 * any run of characters; everything else is literal.
 */
final class KeyPatterns implements Predicate<String> {

    private final List<Pattern> include;

    private final List<Pattern> exclude;

    KeyPatterns(List<String> include, List<String> exclude) {
        this.include = include.stream().map(KeyPatterns::compile).toList();
        this.exclude = exclude.stream().map(KeyPatterns::compile).toList();
    }

    @Override
    public boolean test(String key) {
        return include.stream().anyMatch(p -> p.matcher(key).matches())
                && exclude.stream().noneMatch(p -> p.matcher(key).matches());
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

}
