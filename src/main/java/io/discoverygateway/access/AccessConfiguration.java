package io.discoverygateway.access;

import java.time.Clock;
import java.util.List;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springdoc.core.utils.SpringDocUtils;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Consumer authentication and authorization (with {@code gateway.auth.mode=kubernetes})
 * on the API paths, the {@link ReadAccess} parameter of controllers, and CORS for the
 * configured origins. The Actuator endpoints are not covered: probes and metrics are for
 * the kubelet and Prometheus, on the management port.
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration implements WebMvcConfigurer {

    static {
        // A parameter the gateway resolves itself, not one a client sends: not in the
        // OpenAPI document.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(ReadAccess.class);
    }

    /** Everything the gateway serves from its catalog. */
    static final String[] API_PATHS = { "/api/**", "/apps", "/apps/**", "/state" };

    private final GatewayProperties properties;

    private final ObjectProvider<AccessInterceptor> interceptor;

    AccessConfiguration(GatewayProperties properties, ObjectProvider<AccessInterceptor> interceptor) {
        this.properties = properties;
        this.interceptor = interceptor;
    }

    /**
     * Present only with {@code gateway.auth.mode=kubernetes} (the reviews are the
     * Kubernetes package's, and exist in that mode only): without it each method returns
     * null, which is no bean. Decided when the beans are created rather than by a bean
     * condition, so that a build's Spring AOT processing serves both modes.
     */
    @Configuration(proxyBeanMethods = false)
    static class Enabled {

        /**
         * What the reviews of both may cost: shared, so that together they stay within
         * it.
         */
        @Bean
        ReviewBudget reviewBudget(GatewayProperties properties) {
            GatewayProperties.Auth auth = properties.auth();
            return new ReviewBudget(auth.newTokenReviewsPerSecond(), auth.newTokenReviewBurst(),
                    auth.newTokenReviewsPerSource(), auth.maxReviewsInFlight(), System::nanoTime);
        }

        @Bean
        @Nullable ConsumerAuthenticator consumerAuthenticator(@Nullable Reviews reviews, GatewayProperties properties,
                MeterRegistry registry, ReviewBudget budget) {
            return reviews == null ? null
                    : new ConsumerAuthenticator(reviews, properties.auth(), Clock.systemUTC(), registry, budget);
        }

        @Bean
        @Nullable NamespaceAccess namespaceAccess(@Nullable Reviews reviews, GatewayProperties properties, WatchScope watchScope,
                MeterRegistry registry, ReviewBudget budget, ObjectProvider<BoundNamespaces> bound) {
            return reviews == null ? null : new NamespaceAccess(reviews, properties.auth(), watchScope, registry,
                    budget, bound.getIfAvailable());
        }

        @Bean
        @Nullable ConsumerAccess consumerAccess(@Nullable ConsumerAuthenticator authenticator, @Nullable NamespaceAccess access) {
            return authenticator == null || access == null ? null : new ConsumerAccess(authenticator, access);
        }

        /**
         * The streams each consumer holds (counts nothing without consumer
         * authentication).
         */
        @Bean
        ConsumerPlaces streamPlaces(GatewayProperties properties, MeterRegistry registry) {
            return new ConsumerPlaces("streams", properties.auth().maxStreamsPerConsumer(), registry);
        }

        /**
         * The long-polls each consumer holds (counts nothing without consumer
         * authentication).
         */
        @Bean
        ConsumerPlaces longPollPlaces(GatewayProperties properties, MeterRegistry registry) {
            return new ConsumerPlaces("long-polls", properties.auth().maxLongPollsPerConsumer(), registry);
        }

        @Bean
        @Nullable AccessInterceptor accessInterceptor(@Nullable ConsumerAuthenticator authenticator,
                @Nullable NamespaceAccess access) {
            return authenticator == null || access == null ? null : new AccessInterceptor(authenticator, access);
        }

    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        AccessInterceptor access = interceptor.getIfAvailable();
        if (access != null) {
            registry.addInterceptor(new PreflightExempt(access)).addPathPatterns(API_PATHS);
        }
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new ReadAccessResolver());
    }

    @Override
    public void addCorsMappings(CorsRegistry registry) {
        List<String> origins = properties.cors().allowedOrigins();
        if (origins.isEmpty()) {
            return;
        }
        for (String path : API_PATHS) {
            registry.addMapping(path)
                .allowedOrigins(origins.toArray(String[]::new))
                .allowedMethods("GET", "HEAD")
                .allowedHeaders("Authorization", "If-None-Match", "Last-Event-ID", "Cache-Control")
                .exposedHeaders("ETag", "Retry-After", "WWW-Authenticate")
                .maxAge(600);
        }
    }

    /**
     * A CORS preflight carries no credentials by design: it is answered by Spring's CORS
     * handling.
     */
    private record PreflightExempt(
            AccessInterceptor access) implements org.springframework.web.servlet.HandlerInterceptor {

        @Override
        public boolean preHandle(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                Object handler) throws Exception {
            return CorsUtils.isPreFlightRequest(request) || access.preHandle(request, response, handler);
        }
    }

    /**
     * Gives a controller the request's {@link ReadAccess}: unrestricted when
     * authentication is off.
     */
    private static final class ReadAccessResolver implements HandlerMethodArgumentResolver {

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == ReadAccess.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
                NativeWebRequest request, WebDataBinderFactory binderFactory) {
            Object access = request.getAttribute(AccessInterceptor.ATTRIBUTE, NativeWebRequest.SCOPE_REQUEST);
            return access != null ? access : ReadAccess.unrestricted();
        }

    }

}
