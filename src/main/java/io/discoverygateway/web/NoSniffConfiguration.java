package io.discoverygateway.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code X-Content-Type-Options: nosniff} on every answer (a browser must never guess
 * that a JSON body is HTML or script), and TRACE refused with 405 (the servlet default
 * echoes the request's headers, cookies and tokens included, back to the caller), on the
 * API port and on the management port. Found by component scanning for the application's
 * context, and listed in
 * {@code META-INF/spring/...ManagementContextConfiguration.imports} for the management
 * server's own context, which does not see the application's filters.
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
public class NoSniffConfiguration {

    @Bean
    FilterRegistrationBean<NoSniffFilter> noSniffFilter() {
        FilterRegistrationBean<NoSniffFilter> registration = new FilterRegistrationBean<>(new NoSniffFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    static final class NoSniffFilter extends OncePerRequestFilter {

        private static final byte[] TRACE_REFUSED = ("{\"type\":\"about:blank\",\"title\":\"Method Not Allowed\","
                + "\"status\":405,\"detail\":\"TRACE is not served\"}")
            .getBytes(StandardCharsets.UTF_8);

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            response.setHeader("X-Content-Type-Options", "nosniff");
            if ("TRACE".equalsIgnoreCase(request.getMethod())) {
                response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
                response.setHeader("Allow", "GET, HEAD, OPTIONS");
                response.setContentType("application/problem+json");
                response.getOutputStream().write(TRACE_REFUSED);
                return;
            }
            chain.doFilter(request, response);
        }

    }

}
