package io.discoverygateway.web;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import io.discoverygateway.catalog.DataFreshness;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Marks answers given while the Kubernetes API is unreachable: the data is the last known
 * state, and clients should know how old it may be. Every API answer then carries
 * {@code X-Gateway-Stale: true} and the standard {@code Age} header (seconds); JSON
 * documents of the native API carry {@code "stale": true} and {@code "dataAgeSeconds"}.
 */
@Component
public class Staleness extends OncePerRequestFilter {

    static final String STALE_HEADER = "X-Gateway-Stale";

    private final ObjectProvider<DataFreshness> provider;

    private volatile DataFreshness freshness;

    /**
     * Filters are created with the web server, before the other beans: the freshness
     * source is looked up on first use so that creating this filter does not pull the
     * Kubernetes wiring (and its configuration) in early.
     */
    Staleness(ObjectProvider<DataFreshness> provider) {
        this.provider = provider;
    }

    public Optional<Duration> staleFor() {
        DataFreshness source = freshness;
        if (source == null) {
            source = provider.getObject();
            freshness = source;
        }
        return source.staleFor();
    }

    /**
     * The JSON object with the staleness fields added before its closing brace, when
     * stale.
     */
    public byte[] mark(byte[] json) {
        Optional<Duration> stale = staleFor();
        return stale.isEmpty() ? json : JsonBuffer.withMembers(json, members -> writeFields(members, stale.get()));
    }

    /**
     * {@code "stale":true,"dataAgeSeconds":<n>} into the open object while the data is
     * stale, else nothing.
     */
    public void writeFields(JsonBuffer json) {
        staleFor().ifPresent(age -> writeFields(json, age));
    }

    private static void writeFields(JsonBuffer json, Duration age) {
        json.field("stale", true).field("dataAgeSeconds", age.toSeconds());
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.startsWith("/api/") && !path.startsWith("/apps");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Duration> stale = staleFor();
        if (stale.isPresent()) {
            response.setHeader(STALE_HEADER, "true");
            response.setHeader(HttpHeaders.AGE, Long.toString(stale.get().toSeconds()));
        }
        chain.doFilter(request, response);
    }

}
