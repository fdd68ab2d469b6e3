package io.discoverygateway.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the benchmarks add to the gateway: one endpoint that answers a constant,
 * pre-serialized body of a requested size, the ceiling of the stack against which the
 * read API is measured. The benchmark starts the real application with
 * {@code --spring.main.sources=} {@link #SOURCE}. Benchmarks only; never part of the
 * application.
 */
public final class BenchGatewayApplication {

    /** The configuration class to add to the gateway's sources. */
    static final String SOURCE = Ceiling.class.getName();

    private BenchGatewayApplication() {
    }

    @TestConfiguration(proxyBeanMethods = false)
    @Import(CeilingController.class)
    public static class Ceiling {

    }

    @RestController
    static class CeilingController {

        private final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();

        @GetMapping(path = "/bench/constant", produces = MediaType.APPLICATION_JSON_VALUE)
        ResponseEntity<byte[]> constant(@RequestParam int bytes) {
            byte[] body = bodies.computeIfAbsent(bytes, size -> {
                byte[] filler = new byte[size];
                java.util.Arrays.fill(filler, (byte) 'x');
                filler[0] = '"';
                filler[size - 1] = '"';
                return filler;
            });
            return ResponseEntity.ok().eTag("\"constant\"").body(body);
        }

    }

}
