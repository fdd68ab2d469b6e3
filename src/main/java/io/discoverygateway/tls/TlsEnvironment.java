package io.discoverygateway.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.discoverygateway.GatewayProperties;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns {@code gateway.tls.*} into the Spring Boot settings that serve the API port over
 * TLS from a directory in cert-manager's layout ({@code tls.crt}, {@code tls.key}, and
 * {@code ca.crt} for client certificates): a PEM SSL bundle named {@value #BUNDLE} that
 * Spring Boot reloads when the files change, {@code server.ssl.bundle}, and
 * {@code server.ssl.client-auth}. The management port stays plain HTTP, for the kubelet's
 * probes and Prometheus. Settings given explicitly win over these.
 */
public final class TlsEnvironment implements EnvironmentPostProcessor {

    /** The name of the SSL bundle of the API and xDS ports. */
    public static final String BUNDLE = "gateway";

    static final String ENABLED = "gateway.tls.enabled";
    static final String DIRECTORY = "gateway.tls.directory";
    static final String CLIENT_AUTH = "gateway.tls.client-auth";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty(ENABLED, Boolean.class, false)) {
            return;
        }
        Path directory = Path.of(environment.getProperty(DIRECTORY, GatewayProperties.Tls.DEFAULT_DIRECTORY));
        String clientAuth = environment.getProperty(CLIENT_AUTH, "none").strip().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("none") && !clientAuth.equals("want") && !clientAuth.equals("need")) {
            throw new IllegalStateException("gateway.tls.client-auth is '" + clientAuth + "'; it must be none, want"
                    + " (client certificates checked against ca.crt when presented) or need");
        }
        for (String file : clientAuth.equals("none") ? new String[] { "tls.crt", "tls.key" }
                : new String[] { "tls.crt", "tls.key", "ca.crt" }) {
            if (!Files.isReadable(directory.resolve(file))) {
                throw new IllegalStateException("gateway.tls.enabled is true but " + directory.resolve(file)
                        + " cannot be read: mount the Secret of the gateway's certificate (cert-manager's layout:"
                        + " tls.crt, tls.key" + (clientAuth.equals("none") ? "" : ", ca.crt for client certificates")
                        + ") at gateway.tls.directory (" + directory + ")");
            }
        }
        String prefix = "spring.ssl.bundle.pem." + BUNDLE + ".";
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(prefix + "keystore.certificate", "file:" + directory.resolve("tls.crt"));
        settings.put(prefix + "keystore.private-key", "file:" + directory.resolve("tls.key"));
        if (!clientAuth.equals("none")) {
            settings.put(prefix + "truststore.certificate", "file:" + directory.resolve("ca.crt"));
        }
        settings.put(prefix + "reload-on-update", "true");
        settings.put("server.ssl.bundle", BUNDLE);
        settings.put("server.ssl.client-auth", clientAuth);
        settings.put("management.server.ssl.enabled", "false");
        // After the explicit settings (command line, environment, application.yaml):
        // those win.
        environment.getPropertySources().addLast(new MapPropertySource("gateway-tls", settings));
    }

}
