package io.discoverygateway.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.discoverygateway.GatewayProperties.Tls.ClientAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The certificate material of the TLS ports, from the SSL bundle
 * {@value TlsEnvironment#BUNDLE}, for servers that take a {@link KeyManager} and a
 * {@link TrustManager} (the xDS port): both delegate to the bundle's current ones and
 * switch when Spring Boot reloads the files, so that new connections get the new
 * certificate while open ones go on.
 *
 * <p>
 * Threads: Spring Boot's file watcher swaps the delegates; handshakes on any thread read
 * them (volatile).
 */
public final class ServerTls {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ClientAuth clientAuth;

    private volatile X509ExtendedKeyManager keys;

    private volatile X509ExtendedTrustManager trust;

    ServerTls(SslBundles bundles, ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
        use(bundles.getBundle(TlsEnvironment.BUNDLE));
        bundles.addBundleUpdateHandler(TlsEnvironment.BUNDLE, bundle -> {
            use(bundle);
            log.info("TLS certificate reloaded: {}", subject());
        });
    }

    private void use(SslBundle bundle) {
        keys = (X509ExtendedKeyManager) bundle.getManagers().getKeyManagers()[0];
        TrustManager[] trustManagers = bundle.getManagers().getTrustManagers();
        trust = trustManagers.length == 0 ? null : (X509ExtendedTrustManager) trustManagers[0];
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The current certificate's subject, for the logs. */
    String subject() {
        String[] aliases = keys.getServerAliases("RSA", null);
        if (aliases == null || aliases.length == 0) {
            aliases = keys.getServerAliases("EC", null);
        }
        X509Certificate[] chain = aliases == null || aliases.length == 0 ? null : keys.getCertificateChain(aliases[0]);
        return chain == null || chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
    }

    /** A key manager that always uses the bundle's current certificate and key. */
    public X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return keys.getClientAliases(keyType, issuers);
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return keys.chooseClientAlias(keyType, issuers, socket);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return keys.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return keys.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                return keys.chooseEngineServerAlias(keyType, issuers, engine);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return keys.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return keys.getPrivateKey(alias);
            }
        };
    }

    /**
     * A trust manager that checks client certificates against the bundle's current
     * {@code ca.crt}; null when client certificates are not asked for.
     */
    public X509ExtendedTrustManager trustManager() {
        if (clientAuth == ClientAuth.NONE) {
            return null;
        }
        return new X509ExtendedTrustManager() {

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                trust.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                trust.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                trust.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                trust.checkServerTrusted(chain, authType, socket);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                trust.checkServerTrusted(chain, authType, engine);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                trust.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return trust.getAcceptedIssuers();
            }
        };
    }

}
