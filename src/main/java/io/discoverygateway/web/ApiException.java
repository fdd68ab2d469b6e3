package io.discoverygateway.web;

import org.springframework.http.HttpStatus;

/** A client error with the status and the detail the problem+json response should carry. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final long retryAfterSeconds;

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, 0);
    }

    private ApiException(HttpStatus status, String title, String detail, long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503 with a Retry-After: a limit on held connections is reached. */
    public static ApiException overloaded(String detail, long retryAfterSeconds) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Too many open requests", detail,
                retryAfterSeconds);
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
