package io.discoverygateway.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.discoverygateway.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * What is particular to Jetty, the servlet container (on the API port and the management
 * port).
 */
@Configuration(proxyBeanMethods = false)
class JettyConfiguration {

    @Bean
    SlowHeadersGuard slowHeadersGuard(ObjectProvider<GatewayProperties> properties,
            ObjectProvider<MeterRegistry> registry) {
        return new SlowHeadersGuard(properties, registry);
    }

    /**
     * Every connector (the API port's, the management port's) closes connections that
     * send headers too slowly.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> slowHeadersTimeout(SlowHeadersGuard guard) {
        return factory -> factory.addServerCustomizers(server -> {
            for (Connector connector : server.getConnectors()) {
                connector.addEventListener(guard);
            }
        });
    }

    /**
     * Jetty's own error answers (requests rejected before the application) as
     * problem+json.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> problemJsonErrorPages() {
        return factory -> factory.addServerCustomizers(server -> server.setErrorHandler(new ProblemJsonErrorHandler()));
    }

    /**
     * Jetty's last-resort error answer as RFC 9457 problem+json instead of HTML: for
     * requests Jetty rejects before they reach the application (a request line it cannot
     * parse, an undecodable path, headers over the size limit). No stack trace, no server
     * version.
     */
    static final class ProblemJsonErrorHandler extends ErrorHandler {

        private static final HttpField PROBLEM_JSON = new HttpField(HttpHeader.CONTENT_TYPE,
                "application/problem+json");

        private static final HttpField NOSNIFF = new HttpField("X-Content-Type-Options", "nosniff");

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                Callback callback) throws IOException {
            response.getHeaders().put(PROBLEM_JSON);
            response.getHeaders().put(NOSNIFF);
            response.write(true, ByteBuffer.wrap(body(code)), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(PROBLEM_JSON);
            fields.put(NOSNIFF);
            return ByteBuffer.wrap(body(status));
        }

        private static byte[] body(int status) {
            HttpStatus resolved = HttpStatus.resolve(status);
            String title = resolved != null ? resolved.getReasonPhrase() : "Error";
            String detail = status == 400 ? "The request could not be parsed: check the path's percent-encoding,"
                    + " the characters used and the size of the headers" : title;
            return ("{\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        }

    }

}
