package io.discoverygateway.web;

import org.springframework.http.HttpStatus;

/**
 * A client error with the status and the detail the problem+json response should carry.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;

    private final String title;

    private final long retryAfterSeconds;

    private final String challenge;

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, 0, null);
    }

    private ApiException(HttpStatus status, String title, String detail, long retryAfterSeconds, String challenge) {
        super(detail);
        this.status = status;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
        this.challenge = challenge;
    }

    /** 429 with Retry-After: one client asks for more than one client may have. */
    public static ApiException tooManyForOne(String title, String detail, long retryAfterSeconds) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, title, detail, retryAfterSeconds, null);
    }

    /**
     * 401 with {@code WWW-Authenticate: <challenge>} (RFC 6750): no usable bearer token.
     */
    public static ApiException unauthorized(String detail, String challenge) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, 0, challenge);
    }

    /** 403: the consumer is known, and Kubernetes would not let it read this. */
    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "Forbidden", detail, 0, null);
    }

    /**
     * 503 with a Retry-After: a decision needs the Kubernetes API, which does not answer.
     */
    public static ApiException unavailable(String title, String detail, long retryAfterSeconds) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, title, detail, retryAfterSeconds, null);
    }

    String challenge() {
        return challenge;
    }

    /** 503 with a Retry-After: a limit on held connections is reached. */
    public static ApiException overloaded(String detail, long retryAfterSeconds) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Too many open requests", detail, retryAfterSeconds,
                null);
    }

    /**
     * 503 with a Retry-After: this replica is shutting down and takes nothing new that it
     * would hold open.
     */
    public static ApiException stopping() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "The gateway is stopping",
                "This replica is shutting" + " down; retry against another replica (the Service's other endpoints)", 1,
                null);
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }

    static ApiException invalidName(String what, String value) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid " + what,
                "'" + value + "' is not a valid " + what + ": it must be a DNS-1123 label (at most 63 lower-case"
                        + " alphanumeric characters or '-', starting and ending with an alphanumeric character)");
    }

    public static ApiException invalidParameter(String name, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid parameter '" + name + "'", detail);
    }

}
