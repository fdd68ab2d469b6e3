package io.discoverygateway.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.discoverygateway.process.Commands;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for the TLS tests, made with openssl as cert-manager makes them: a CA,
 * serving certificates for localhost signed by it, client certificates, and a Secret
 * volume laid out as the kubelet mounts one (the files are links into a timestamped
 * folder, switched by one atomic rename of {@code ..data}, so that a rotation changes
 * them all at once).
 */
public final class TestPki {

    private static final AtomicInteger SERIALS = new AtomicInteger();

    private final Path folder;

    private final Path caCertificate;

    private final Path caKey;

    private TestPki(Path folder) {
        this.folder = folder;
        this.caCertificate = folder.resolve("ca.crt");
        this.caKey = folder.resolve("ca.key");
    }

    /** A new CA in the folder (emptied first). */
    public static TestPki create(Path folder, String caName) {
        try {
            if (Files.exists(folder)) {
                try (var paths = Files.walk(folder)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
            Files.createDirectories(folder);
            TestPki pki = new TestPki(folder);
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    pki.caKey.toString(), "-out", pki.caCertificate.toString(), "-days", "7", "-subj", "/CN=" + caName);
            return pki;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public Path caCertificate() {
        return caCertificate;
    }

    /**
     * A certificate and key signed by this CA: for localhost and 127.0.0.1 when serving,
     * else for a client.
     */
    public Issued issue(String commonName, boolean serving) {
        try {
            String name = commonName + "-" + SERIALS.incrementAndGet();
            Path key = folder.resolve(name + ".key");
            Path certificate = folder.resolve(name + ".crt");
            Path request = folder.resolve(name + ".csr");
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    key.toString(), "-out", request.toString(), "-subj", "/CN=" + commonName);
            Path extensions = folder.resolve(name + ".ext");
            Files.writeString(extensions, serving ? """
                    basicConstraints=CA:FALSE
                    keyUsage=digitalSignature,keyEncipherment
                    extendedKeyUsage=serverAuth
                    subjectAltName=DNS:localhost,IP:127.0.0.1
                    """ : """
                    basicConstraints=CA:FALSE
                    keyUsage=digitalSignature,keyEncipherment
                    extendedKeyUsage=clientAuth
                    """);
            openssl("x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(), "-CAkey",
                    caKey.toString(), "-CAcreateserial", "-out", certificate.toString(), "-days", "7", "-extfile",
                    extensions.toString());
            return new Issued(certificate, key);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A serving certificate for localhost, signed by this CA, that expired yesterday
     * (openssl cannot back-date a certificate; keytool can), with its key.
     */
    public Issued expiredServing(String commonName) {
        try {
            String name = commonName + "-" + SERIALS.incrementAndGet();
            Path caStore = folder.resolve(name + "-ca.p12");
            openssl("pkcs12", "-export", "-in", caCertificate.toString(), "-inkey", caKey.toString(), "-name", "ca",
                    "-out", caStore.toString(), "-passout", "pass:changeit");
            Path key = folder.resolve(name + ".key");
            Path request = folder.resolve(name + ".csr");
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    key.toString(), "-out", request.toString(), "-subj", "/CN=" + commonName);
            Path certificate = folder.resolve(name + ".crt");
            run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-gencert", "-keystore",
                    caStore.toString(), "-storepass", "changeit", "-storetype", "PKCS12", "-alias", "ca", "-infile",
                    request.toString(), "-outfile", certificate.toString(), "-rfc", "-startdate", "-3d", "-validity",
                    "1", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth"));
            return new Issued(certificate, key);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A certificate and its key, as PEM files. */
    public record Issued(Path certificate, Path key) {

        public X509Certificate x509() {
            try (var in = Files.newInputStream(certificate)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    /**
     * Puts a certificate, its key and {@code ca.crt} into the volume at {@code volume} as
     * the kubelet does: a new timestamped folder, {@code ..data} switched to it by an
     * atomic rename, the files links through {@code ..data}.
     */
    public static void mount(Path volume, Issued serving, Path caCertificate) {
        try {
            Files.createDirectories(volume);
            Path version = Files.createTempDirectory(volume, "..version_");
            Files.copy(serving.certificate(), version.resolve("tls.crt"));
            Files.copy(serving.key(), version.resolve("tls.key"));
            Files.copy(caCertificate, version.resolve("ca.crt"));
            Path next = volume.resolve("..data_tmp");
            Files.deleteIfExists(next);
            Files.createSymbolicLink(next, version.getFileName());
            Files.move(next, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
                if (!Files.isSymbolicLink(volume.resolve(file))) {
                    Files.createSymbolicLink(volume.resolve(file), Path.of("..data", file));
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A client SSL context that trusts these certificates, and presents a client
     * certificate when one is given.
     */
    public static SSLContext clientContext(Path trusted, Issued clientCertificate) {
        return clientContext(trusted, clientCertificate, false);
    }

    /**
     * As above; {@code always} presents the client certificate even when the server asks
     * for another CA's (as a client that does not look at the server's list of CAs does),
     * so that the server must check it.
     */
    public static SSLContext clientContext(Path trusted, Issued clientCertificate, boolean always) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (var in = Files.newInputStream(trusted)) {
                int i = 0;
                for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("trusted-" + i++, certificate);
                }
            }
            TrustManagerFactory trustManagers = TrustManagerFactory
                .getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (clientCertificate != null) {
                Path store = clientCertificate.certificate()
                    .resolveSibling(clientCertificate.certificate().getFileName() + ".p12");
                openssl("pkcs12", "-export", "-in", clientCertificate.certificate().toString(), "-inkey",
                        clientCertificate.key().toString(), "-out", store.toString(), "-passout", "pass:changeit");
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (var in = Files.newInputStream(store)) {
                    keys.load(in, "changeit".toCharArray());
                }
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, "changeit".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            javax.net.ssl.KeyManager[] keys = keyManagers == null ? null : keyManagers.getKeyManagers();
            if (keys != null && always) {
                keys = new javax.net.ssl.KeyManager[] { presentAlways((javax.net.ssl.X509ExtendedKeyManager) keys[0]) };
            }
            context.init(keys, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static javax.net.ssl.X509ExtendedKeyManager presentAlways(javax.net.ssl.X509ExtendedKeyManager keys) {
        String alias = keys.getClientAliases("EC", null)[0];
        return new javax.net.ssl.X509ExtendedKeyManager() {

            @Override
            public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                return new String[] { alias };
            }

            @Override
            public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers,
                    java.net.Socket socket) {
                return alias;
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                    javax.net.ssl.SSLEngine engine) {
                return alias;
            }

            @Override
            public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String chosen) {
                return keys.getCertificateChain(chosen);
            }

            @Override
            public java.security.PrivateKey getPrivateKey(String chosen) {
                return keys.getPrivateKey(chosen);
            }
        };
    }

    /** Runs openssl with these arguments; throws with its output when it fails. */
    public static void openssl(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        run(command);
    }

    private static void run(List<String> command) {
        Commands.run(command).orThrow(command);
    }

}
