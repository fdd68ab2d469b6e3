package io.discoverygateway.access;

/**
 * What the gateway asks the Kubernetes API about its consumers; implemented where the API
 * client lives. Both calls may block for up to the review timeout and throw
 * {@link ReviewUnavailableException} when the API gives no answer.
 */
public interface Reviews {

    /**
     * A TokenReview of the token for the audience: the authenticated consumer, or a
     * refusal with the API's reason. A review is a success only when the API
     * authenticates the token for this audience.
     */
    TokenVerdict reviewToken(String token, String audience);

    /**
     * A SubjectAccessReview: may the consumer do what the attributes say in the namespace
     * ("" for all)?
     */
    boolean allowed(Consumer consumer, ResourceAttributes attributes, String namespace);

    /** The answer of a TokenReview: a consumer, or why there is none. */
    record TokenVerdict(Consumer consumer, String refusal) {

        public static TokenVerdict authenticated(Consumer consumer) {
            return new TokenVerdict(consumer, null);
        }

        public static TokenVerdict refused(String reason) {
            return new TokenVerdict(null, reason);
        }

        public boolean isAuthenticated() {
            return consumer != null;
        }
    }

    /**
     * The attributes of the SubjectAccessReview that decides whether a namespace is
     * readable.
     */
    record ResourceAttributes(String verb, String group, String resource) {
    }

    /**
     * The API did not answer (unreachable, timed out, an error status): the request fails
     * closed with 503.
     */
    class ReviewUnavailableException extends RuntimeException {

        public ReviewUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }

    }

}
