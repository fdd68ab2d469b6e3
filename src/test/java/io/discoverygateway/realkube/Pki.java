package io.discoverygateway.realkube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.discoverygateway.tls.TestPki;

/**
 * The credentials of a test cluster, made with openssl as a real cluster's installer
 * makes them: a certificate authority, the API server's serving certificate signed by it
 * (for 127.0.0.1, localhost and the in-cluster names), and the key pair that signs and
 * verifies ServiceAccount tokens.
 */
record Pki(Path caCertificate, Path caKey, Path servingCertificate, Path servingKey, Path serviceAccountKey,
        Path serviceAccountPublicKey) {

    static Pki create(Path folder) {
        Pki pki = new Pki(folder.resolve("ca.crt"), folder.resolve("ca.key"), folder.resolve("apiserver.crt"),
                folder.resolve("apiserver.key"), folder.resolve("sa.key"), folder.resolve("sa.pub"));
        try {
            Files.createDirectories(folder);
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    pki.caKey.toString(), "-out", pki.caCertificate.toString(), "-days", "7", "-subj",
                    "/CN=realkube-ca");
            Path request = folder.resolve("apiserver.csr");
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    pki.servingKey.toString(), "-out", request.toString(), "-subj", "/CN=kube-apiserver");
            Path extensions = folder.resolve("apiserver.ext");
            Files.writeString(extensions, """
                    basicConstraints=CA:FALSE
                    keyUsage=digitalSignature,keyEncipherment
                    extendedKeyUsage=serverAuth
                    subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,\
                    DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1
                    """);
            openssl("x509", "-req", "-in", request.toString(), "-CA", pki.caCertificate.toString(), "-CAkey",
                    pki.caKey.toString(), "-CAcreateserial", "-out", pki.servingCertificate.toString(), "-days", "7",
                    "-extfile", extensions.toString());
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                    pki.serviceAccountKey.toString());
            openssl("pkey", "-in", pki.serviceAccountKey.toString(), "-pubout", "-out",
                    pki.serviceAccountPublicKey.toString());
            return pki;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not write the cluster's credentials in " + folder, ex);
        }
    }

    private static void openssl(String... arguments) throws IOException {
        TestPki.openssl(arguments);
    }
}
