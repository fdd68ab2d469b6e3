package io.discoverygateway.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What a browser on the API port must be kept from. The live view keeps a consumer's
 * token in {@code sessionStorage} of this origin, so:
 * <ul>
 * <li>its page carries a strict Content-Security-Policy (its own script, style and
 * connections only, no inline code, no framing: {@code frame-ancestors 'none'});</li>
 * <li>nothing of Swagger UI is served unless {@code springdoc.swagger-ui.enabled} is
 * true: its webjar, which Spring Boot would serve under {@code /webjars/} regardless, is
 * a stock page that loads a document from the internet into the same origin.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class BrowserHardeningConfiguration {

    /**
     * The live view's policy: everything from this origin only, nothing inline, never
     * framed.
     */
    static final String LIVE_VIEW_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    @Bean
    FilterRegistrationBean<BrowserHardeningFilter> browserHardeningFilter(Environment environment) {
        boolean swaggerUi = environment.getProperty("springdoc.swagger-ui.enabled", Boolean.class, false);
        FilterRegistrationBean<BrowserHardeningFilter> registration = new FilterRegistrationBean<>(
                new BrowserHardeningFilter(swaggerUi));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    static final class BrowserHardeningFilter extends OncePerRequestFilter {

        private static final byte[] NOT_FOUND = ("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"Swagger UI is off (springdoc.swagger-ui.enabled)\"}")
            .getBytes(StandardCharsets.UTF_8);

        private final boolean swaggerUi;

        BrowserHardeningFilter(boolean swaggerUi) {
            this.swaggerUi = swaggerUi;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String path = request.getRequestURI();
            if (!swaggerUi && (path.startsWith("/webjars/") || path.startsWith("/swagger-ui"))) {
                response.setStatus(HttpServletResponse.SC_NOT_FOUND);
                response.setContentType("application/problem+json");
                response.getOutputStream().write(NOT_FOUND);
                return;
            }
            if (path.equals("/") || path.equals("/index.html")) {
                response.setHeader("Content-Security-Policy", LIVE_VIEW_POLICY);
                response.setHeader("Referrer-Policy", "no-referrer");
            }
            chain.doFilter(request, response);
        }

    }

}
