package io.discoverygateway.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command of the test environment (kubectl, openssl, promtool, ip, a build
 * script) to its end and keeps what it printed: the one runner of the tests' commands
 * ({@link GatewayProcess} runs the gateway).
 */
public final class Commands {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Commands() {
    }

    /**
     * What a command printed (standard output and error, in order) and how it exited: -1
     * when it could not run or did not end in time.
     */
    public record Result(int exitCode, String output) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** The output, or a failure naming the command and what it printed. */
        public String orThrow(List<String> command) {
            if (!succeeded()) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + exitCode + "): " + output);
            }
            return output;
        }
    }

    /** Runs the command here, with this JVM's environment, for at most a minute. */
    public static Result run(List<String> command) {
        return run(command, null, Map.of(), List.of(), TIMEOUT);
    }

    /**
     * Runs the command in {@code directory} (null: here), with environment variables set
     * and removed, for at most {@code timeout}.
     */
    public static Result run(List<String> command, Path directory, Map<String, String> environment, List<String> unset,
            Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            unset.forEach(builder.environment()::remove);
            builder.environment().putAll(environment);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output);
            }
            return new Result(process.exitValue(), output);
        }
        catch (IOException ex) {
            return new Result(-1, ex.getMessage());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Result(-1, ex.getMessage());
        }
    }

}
