package io.discoverygateway.api;

import org.springframework.http.HttpStatus;

/** A client error with the status and the detail the problem+json response should carry. */
class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    ApiException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
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

    static ApiException invalidParameter(String name, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid parameter '" + name + "'", detail);
    }
}
