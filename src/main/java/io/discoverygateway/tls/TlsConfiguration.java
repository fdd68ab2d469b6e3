package io.discoverygateway.tls;

import io.discoverygateway.GatewayProperties;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * TLS on the API and xDS ports ({@code gateway.tls.enabled}): the {@link ServerTls}
 * material for the xDS port, and the reload of the API port's certificate. Spring Boot
 * serves the API port from the SSL bundle (see {@link TlsEnvironment}) but reloads a
 * bundle into Tomcat and Netty only; for Jetty, this applies each reloaded bundle to the
 * connector's SslContextFactory, which Jetty swaps for new connections while open ones
 * (streams, long-polls) go on. Present in every configuration; without TLS the bean is
 * null.
 */
@Configuration(proxyBeanMethods = false)
class TlsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TlsConfiguration.class);

    private final ObjectProvider<GatewayProperties> properties;

    private final ObjectProvider<SslBundles> bundles;

    TlsConfiguration(ObjectProvider<GatewayProperties> properties, ObjectProvider<SslBundles> bundles) {
        this.properties = properties;
        this.bundles = bundles;
    }

    /**
     * With TLS, the API port answers a client that speaks plain HTTP to it with a 400
     * that says to use https (see {@link PlainTextRefusal}). Reads the raw setting:
     * binding the settings this early, while the web server is created, would miss what
     * is only known later.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> plainTextRefusal(Environment environment) {
        return factory -> factory.addServerCustomizers(server -> {
            if (!environment.getProperty("gateway.tls.enabled", Boolean.class, false)) {
                return;
            }
            for (Connector connector : server.getConnectors()) {
                SslConnectionFactory tls = connector instanceof ServerConnector serverConnector
                        ? serverConnector.getConnectionFactory(SslConnectionFactory.class) : null;
                if (tls != null) {
                    PlainTextRefusal refusal = new PlainTextRefusal(tls);
                    ((ServerConnector) connector).addFirstConnectionFactory(refusal);
                    ((ServerConnector) connector).setDefaultProtocol(refusal.getProtocol());
                }
            }
        });
    }

    @Bean
    @Nullable ServerTls serverTls(GatewayProperties settings) {
        return settings.tls().enabled() ? new ServerTls(bundles.getObject(), settings.tls().clientAuth()) : null;
    }

    /**
     * When the API port's server has started with TLS: reload its certificate whenever
     * the bundle is updated.
     */
    @EventListener
    void reloadApiPortCertificates(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null
                || !(event.getWebServer() instanceof JettyWebServer jetty) || !properties.getObject().tls().enabled()) {
            return;
        }
        for (Connector connector : jetty.getServer().getConnectors()) {
            SslConnectionFactory tls = connector instanceof ServerConnector server
                    ? server.getConnectionFactory(SslConnectionFactory.class) : null;
            if (tls != null) {
                SslContextFactory.Server factory = tls.getSslContextFactory();
                bundles.getObject().addBundleUpdateHandler(TlsEnvironment.BUNDLE, bundle -> reload(factory, bundle));
            }
        }
    }

    private static void reload(SslContextFactory.Server factory, SslBundle bundle) {
        try {
            factory.reload(reloaded -> {
                reloaded.setKeyStore(bundle.getStores().getKeyStore());
                reloaded.setKeyStorePassword(bundle.getStores().getKeyStorePassword());
                if (bundle.getStores().getTrustStore() != null) {
                    reloaded.setTrustStore(bundle.getStores().getTrustStore());
                }
            });
            log.info("TLS certificate of the API port reloaded");
        }
        catch (Exception ex) {
            // The previous certificate stays in use; the next update of the files tries
            // again.
            log.error("Reloading the API port's TLS certificate failed; the previous one stays in use", ex);
        }
    }

}
