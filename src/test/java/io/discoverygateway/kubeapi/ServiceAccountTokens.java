package io.discoverygateway.kubeapi;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bound ServiceAccount tokens as kube-apiserver issues them for TokenRequest: JWTs whose
 * claims name the issuer, the audiences, the expiry and the ServiceAccount (namespace,
 * name, uid), and reviews of them as the TokenReview API does: the signature, the expiry,
 * an audience in common, and the ServiceAccount still existing with the same uid.
 *
 * <p>
 * Difference from Kubernetes: tokens are signed with HMAC-SHA256 under a key made at
 * start-up rather than RS256 under the cluster's service-account key; clients treat
 * tokens as opaque, so nothing outside sees the difference.
 */
final class ServiceAccountTokens {

    /**
     * kube-apiserver's default --api-audiences: what a token is for when a TokenRequest
     * names no audience.
     */
    static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

    private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key = new byte[32];

    private final Clock clock;

    ServiceAccountTokens(Clock clock) {
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    /**
     * A signed token for a ServiceAccount, valid for these audiences until
     * {@code expiry}.
     */
    String issue(String namespace, String name, String uid, List<String> audiences, Instant expiry) {
        Instant now = clock.instant();
        ObjectNode claims = JSON.createObjectNode();
        ArrayNode aud = claims.putArray("aud");
        (audiences.isEmpty() ? List.of(API_AUDIENCE) : audiences).forEach(aud::add);
        claims.put("exp", expiry.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("iss", ISSUER);
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
        ObjectNode kubernetes = claims.putObject("kubernetes.io");
        kubernetes.put("namespace", namespace);
        kubernetes.putObject("serviceaccount").put("name", name).put("uid", uid);
        String unsigned = ENCODER.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + ENCODER.encodeToString(JSON.writeValueAsBytes(claims));
        return unsigned + "." + ENCODER.encodeToString(sign(unsigned));
    }

    /**
     * What a TokenReview says of a token: who it authenticates, for which of the asked
     * audiences, or why not.
     */
    record Review(boolean authenticated, String namespace, String name, String uid, List<String> audiences,
            String error) {

        static Review refused(String error) {
            return new Review(false, "", "", "", List.of(), error);
        }

        String username() {
            return "system:serviceaccount:" + namespace + ":" + name;
        }

        List<String> groups() {
            return List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
        }
    }

    /**
     * Reviews a token for the given audiences (the API's own audience when none is
     * given).
     * @param serviceAccountUid the uid of the named ServiceAccount as it exists now, if
     * it does
     */
    Review review(String token, List<String> wanted,
            java.util.function.BiFunction<String, String, Optional<String>> serviceAccountUid) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 3) {
            return Review.refused("[invalid bearer token, token lookup failed]");
        }
        byte[] signature;
        JsonNode claims;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        }
        catch (RuntimeException ex) {
            return Review.refused("[invalid bearer token, token lookup failed]");
        }
        if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
            return Review.refused("[invalid bearer token, square/go-jose: error in cryptographic primitive]");
        }
        if (clock.instant().getEpochSecond() >= claims.path("exp").asLong()) {
            return Review.refused("[invalid bearer token, service account token has expired]");
        }
        List<String> tokenAudiences = new ArrayList<>();
        claims.path("aud").forEach(node -> tokenAudiences.add(node.asString()));
        List<String> asked = wanted.isEmpty() ? List.of(API_AUDIENCE) : wanted;
        List<String> common = asked.stream().filter(tokenAudiences::contains).toList();
        if (common.isEmpty()) {
            return Review.refused("[invalid bearer token, token audiences " + tokenAudiences
                    + " is invalid for the target audiences " + asked + "]");
        }
        JsonNode account = claims.path("kubernetes.io");
        String namespace = account.path("namespace").asString("");
        String name = account.path("serviceaccount").path("name").asString("");
        String uid = account.path("serviceaccount").path("uid").asString("");
        if (!serviceAccountUid.apply(namespace, name).map(uid::equals).orElse(false)) {
            return Review
                .refused("[invalid bearer token, service account " + namespace + "/" + name + " has been deleted]");
        }
        return new Review(true, namespace, name, uid, common, "");
    }

    private byte[] sign(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.US_ASCII));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", ex);
        }
    }

}
