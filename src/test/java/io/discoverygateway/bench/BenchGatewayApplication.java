package io.discoverygateway.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.discoverygateway.DiscoveryGatewayApplication;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The gateway as the benchmarks run it: the real application plus one endpoint that answers a constant,
 * pre-serialized body of a requested size, the ceiling of the stack against which the read API is measured.
 * Benchmarks only; never part of the application.
 */
public final class BenchGatewayApplication {

    private BenchGatewayApplication() {
    }

    public static void main(String[] args) {
        SpringApplication.from(DiscoveryGatewayApplication::main).with(Ceiling.class).run(args);
    }

    @TestConfiguration(proxyBeanMethods = false)
    @Import(CeilingController.class)
    static class Ceiling {
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
