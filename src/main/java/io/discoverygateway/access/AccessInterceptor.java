package io.discoverygateway.access;

import java.util.Enumeration;

import io.discoverygateway.access.Reviews.TokenVerdict;
import io.discoverygateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates every request to the API (not the Actuator endpoints) with its bearer
 * token and leaves a {@link ReadAccess} for the controller; a missing, malformed, expired
 * or refused token is a 401 problem with a {@code WWW-Authenticate: Bearer} challenge
 * (RFC 6750), an API that cannot review it a 503.
 */
final class AccessInterceptor implements HandlerInterceptor {

    static final String ATTRIBUTE = ReadAccess.class.getName();

    private static final String REALM = "Bearer realm=\"discovery-gateway\"";

    private final ConsumerAuthenticator authenticator;

    private final NamespaceAccess access;

    AccessInterceptor(ConsumerAuthenticator authenticator, NamespaceAccess access) {
        this.authenticator = authenticator;
        this.access = access;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(ATTRIBUTE) != null) {
            // An async dispatch of a request authenticated already (a long-poll's
            // answer).
            return true;
        }
        Enumeration<String> headers = request.getHeaders(HttpHeaders.AUTHORIZATION);
        String header = headers.hasMoreElements() ? headers.nextElement() : null;
        if (headers.hasMoreElements()) {
            // Proxies and servers disagree on which of two would count: refuse rather
            // than pick one.
            throw new ApiException(HttpStatus.BAD_REQUEST, "Duplicate Authorization header",
                    "Send exactly one 'Authorization: Bearer <token>' header");
        }
        if (header == null || header.isBlank()) {
            throw ApiException.unauthorized("This gateway serves authenticated consumers only: send"
                    + " 'Authorization: Bearer <token>' with a ServiceAccount token for its audience", REALM);
        }
        String token = BearerToken.of(header)
            .orElseThrow(() -> ApiException.unauthorized("The Authorization header must read 'Bearer <token>'",
                    REALM + ", error=\"invalid_request\""));
        TokenVerdict verdict;
        try {
            verdict = authenticator.authenticate(token, request.getRemoteAddr());
        }
        catch (ReviewBudget.BusyException ex) {
            authenticator.busy(ex);
            throw ApiException.unavailable("Too many reviews at once", ex.getMessage(), 1);
        }
        catch (Reviews.ReviewUnavailableException ex) {
            authenticator.unavailable();
            throw ApiException.unavailable("Authentication unavailable", "The Kubernetes API, which reviews"
                    + " tokens, does not answer; retry later or against another replica", 5);
        }
        if (!verdict.isAuthenticated()) {
            throw ApiException.unauthorized("The token was not accepted: " + verdict.refusal(),
                    REALM + ", error=\"invalid_token\"");
        }
        request.setAttribute(ATTRIBUTE, new ReadAccess(verdict.consumer(), token, authenticator, access));
        return true;
    }

}
