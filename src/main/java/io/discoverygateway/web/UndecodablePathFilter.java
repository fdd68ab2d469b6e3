package io.discoverygateway.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 400 problem+json (after {@link NoSniffConfiguration}'s filter) for a path
 * Spring cannot decode (a broken percent-encoding in a {@code ;} path parameter, which a
 * servlet container may let through): otherwise the failure surfaces inside the
 * dispatcher as a server error.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class UndecodablePathFilter extends OncePerRequestFilter {

    private static final byte[] PROBLEM = ("{\"title\":\"Bad Request\",\"status\":400,"
            + "\"detail\":\"The request path could not be decoded: check its percent-encoding\"}")
        .getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getRequestURI().indexOf(';') >= 0) {
            try {
                RequestPath.parse(request.getRequestURI(), request.getContextPath());
            }
            catch (IllegalArgumentException ex) {
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.getOutputStream().write(PROBLEM);
                return;
            }
        }
        chain.doFilter(request, response);
    }

}
