package io.discoverygateway.web;

import java.io.IOException;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.ObservationFilter;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * A client that closes a stream or a held request is how those end normally, not a server
 * error: the {@code http.server.requests} metric records it without an error
 * ({@code exception="none"}, no {@code error} tag) rather than as
 * {@code ClientAbortException} or {@code IOException}, so that a dashboard or an alert on
 * server exceptions shows the server's own faults only.
 */
@Configuration(proxyBeanMethods = false)
class ClientDisconnects {

    /**
     * The {@code exception} tag, computed from the error before observation filters run.
     */
    @Bean
    ServerRequestObservationConvention clientDisconnectsAreNoExceptions() {
        return new DefaultServerRequestObservationConvention() {

            @Override
            protected KeyValue exception(ServerRequestObservationContext context) {
                return isClientDisconnect(context.getError()) ? KeyValue.of("exception", KeyValue.NONE_VALUE)
                        : super.exception(context);
            }
        };
    }

    /**
     * The {@code error} tag, which the meter handler takes from the observation's error.
     */
    @Bean
    ObservationFilter clientDisconnectsAreNoServerErrors() {
        return context -> {
            if (context instanceof ServerRequestObservationContext && isClientDisconnect(context.getError())) {
                context.setError(null);
            }
            return context;
        };
    }

    /**
     * Spring's own test (Tomcat's ClientAbortException, Jetty's EofException, "Broken
     * pipe"...), through causes.
     */
    static boolean isClientDisconnect(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (DisconnectedClientHelper.isClientDisconnectedException(cause)) {
                return true;
            }
            if (cause instanceof IOException io && io.getMessage() != null
                    && (io.getMessage().contains("Broken pipe") || io.getMessage().contains("Connection reset"))) {
                return true;
            }
        }
        return false;
    }

}
