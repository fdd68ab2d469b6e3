package io.discoverygateway.readme;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.discoverygateway.LocalGatewayApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's first command, {@code ./mvnw spring-boot:test-run}, finds what to start by
 * itself: Spring Boot picks the one class with a main method among the test classes, and
 * refuses when there are several. The benchmarks have their own directory for that
 * reason, and the real-cluster application is reached through the local one.
 */
class QuickStartTest {

    @Test
    void theLocalGatewayIsTheOnlyMainClassAmongTheTestClasses() throws IOException {
        Path classes = Path.of("target/test-classes");
        List<String> mains;
        try (Stream<Path> files = Files.walk(classes)) {
            mains = files.filter(file -> file.toString().endsWith(".class") && !file.toString().contains("$"))
                .map(file -> classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", ""))
                .filter(QuickStartTest::hasMain)
                .toList();
        }

        assertThat(mains).containsExactly(LocalGatewayApplication.class.getName());
        assertThat(Files.readString(Path.of("README.md"))).contains("./mvnw spring-boot:test-run   #")
            .contains("./mvnw spring-boot:test-run -Dspring-boot.run.arguments=--real-cluster");
    }

    private static boolean hasMain(String className) {
        try {
            Method main = Class.forName(className, false, QuickStartTest.class.getClassLoader())
                .getDeclaredMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers());
        }
        catch (NoSuchMethodException | ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

}
