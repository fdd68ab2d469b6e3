package io.discoverygateway.web;

import org.apache.catalina.core.StandardHost;
import org.apache.tomcat.util.http.InvalidParameterException;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What is particular to Tomcat, the default servlet container (absent when the gateway runs on Jetty). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
class TomcatConfiguration {

    /**
     * Tomcat decodes parameters lazily: an undecodable query string surfaces when a parameter is first read, as
     * Tomcat's own exception; answered as the 400 problem it is.
     */
    @RestControllerAdvice
    @ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
    static class UndecodableQueryString {

        private final ApiExceptionHandler problems;

        UndecodableQueryString(ApiExceptionHandler problems) {
            this.problems = problems;
        }

        @ExceptionHandler(InvalidParameterException.class)
        ResponseEntity<Object> handle(InvalidParameterException ex, WebRequest request) {
            return problems.handle(new ApiException(HttpStatus.BAD_REQUEST, "Bad Request",
                    "The query string could not be decoded: check its percent-encoding (UTF-8)"), request);
        }
    }

    /** Tomcat's own error pages (requests rejected before the application) as problem+json. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemJsonErrorPages() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemJsonErrorReportValve.class.getName());
            }
        });
    }

    /**
     * Smaller per-connection socket buffers (Tomcat's default is 8 KiB each way). A stream holds its connection,
     * and with it these buffers, for as long as it is open: with 10,000 subscribers that is the gateway's largest
     * memory cost. Requests are small and stream frames are written without blocking, so less is enough.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> smallConnectionBuffers() {
        return factory -> factory.addConnectorCustomizers(connector -> {
            connector.setProperty("socket.appReadBufSize", "2048");
            connector.setProperty("socket.appWriteBufSize", "4096");
        });
    }
}
