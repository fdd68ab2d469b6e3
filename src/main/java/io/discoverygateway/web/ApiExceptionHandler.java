package io.discoverygateway.web;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the API as RFC 9457 {@code application/problem+json}: the gateway's own
 * errors, and Spring MVC's (unknown paths, bad parameter types, unacceptable media
 * types...) through the base class. No stack traces. Problems are written directly rather
 * than through content negotiation, which would consult the client's {@code Accept}
 * header (possibly the very cause of the error, possibly unparseable) and give up on the
 * body.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private final JsonMapper mapper;

    ApiExceptionHandler(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> handle(ApiException ex, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setTitle(ex.title());
        HttpHeaders headers = new HttpHeaders();
        if (ex.retryAfterSeconds() > 0) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(ex.retryAfterSeconds()));
        }
        if (ex.challenge() != null) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, ex.challenge());
        }
        return handleExceptionInternal(ex, problem, headers, ex.status(), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(HttpMediaTypeNotAcceptableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ex.getBody();
        problem.setDetail(ex.getSupportedMediaTypes().isEmpty()
                ? "The Accept header could not be parsed: " + ex.getMessage() : "This resource is available as "
                        + ex.getSupportedMediaTypes() + "; the Accept header asked for something else");
        return handleExceptionInternal(ex, problem, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail
                : ProblemDetail.forStatusAndDetail(status, ex.getMessage());
        problem.setInstance(instance(request));
        if (request instanceof ServletWebRequest servlet && servlet.getResponse() != null
                && servlet.getResponse().isCommitted()) {
            // A response already under way (an open stream): its status and content type
            // are sent.
            return null;
        }
        if (request instanceof ServletWebRequest servlet && servlet.getResponse() != null) {
            HttpServletResponse response = servlet.getResponse();
            response.setStatus(status.value());
            if (headers != null) {
                headers.forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
            }
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            try {
                response.getOutputStream().write(mapper.writeValueAsBytes(problem));
            }
            catch (IOException io) {
                // The client is gone.
            }
            return null;
        }
        return ResponseEntity.status(status)
            .headers(headers)
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .body(problem);
    }

    private static URI instance(WebRequest request) {
        if (request instanceof ServletWebRequest servlet) {
            try {
                return URI.create(servlet.getRequest().getRequestURI());
            }
            catch (IllegalArgumentException ex) {
                return null;
            }
        }
        return null;
    }

}
