package io.discoverygateway.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.discoverygateway.protocol.Backoff;
import io.discoverygateway.protocol.EventType;

/**
 * Follows a discovery gateway's stream ({@code GET /api/v1/stream}) and holds the
 * complete, current view of the services it covers, with no Spring and no dependency
 * beyond the JDK's HTTP client and Jackson.
 * <ul>
 * <li>Resumes with {@code Last-Event-ID} after a cut; a {@code RESET} (another replica, a
 * restart) is a full snapshot, applied as a whole at {@code SYNCED}: the view never
 * empties because of a reconnect.</li>
 * <li>Fails over across the gateway URLs, with exponential back-off and jitter, and drops
 * a connection that delivers nothing (not even a heartbeat) for the stall timeout.</li>
 * <li>Sends the token file's content as a bearer token, read again for every connection
 * (the kubelet rotates projected tokens), and reconnects at once when the gateway asks
 * for a fresh token.</li>
 * <li>When no gateway answers, the last view stays (see {@link Status#connected()} and
 * the age of the last event).</li>
 * </ul>
 *
 * <p>
 * Threads: one reader thread ({@code discovery-stream}) owns the connection and the
 * {@link StreamState}, and calls the listeners after each published view (keep them
 * short); one timer thread ({@code discovery-stream-watchdog}) drops stalled connections.
 * {@link #view()} and {@link #status()} may be called from any thread.
 */
public final class DiscoveryStream implements AutoCloseable {

    private static final Logger log = Logger.getLogger(DiscoveryStream.class.getName());

    /**
     * A connection that ends sooner than this after its opening does not reset the
     * back-off.
     */
    private static final Duration HEALTHY = Duration.ofSeconds(2);

    /** The header by which the cluster set's stream names the gateway's cluster. */
    private static final String CLUSTER_HEADER = "Discovery-Gateway-Cluster";

    private final DiscoveryStreamOptions options;

    private final HttpClient http;

    private final Clock clock;

    private final Backoff backoff;

    private final StreamState state;

    private final List<Consumer<DiscoveryView>> listeners = new CopyOnWriteArrayList<>();

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "discovery-stream-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final Thread reader;

    private final AtomicLong reconnects = new AtomicLong();

    private final AtomicLong events = new AtomicLong();

    private volatile DiscoveryView view = DiscoveryView.EMPTY;

    private volatile boolean ready;

    private volatile boolean closed;

    private volatile URI connectedTo;

    /**
     * The cluster the gateway runs in, as the cluster set's stream names it; null until
     * then.
     */
    private volatile String localCluster;

    private volatile Instant lastEventAt;

    private volatile long lastReadNanos = System.nanoTime();

    private volatile InputStream body;

    public DiscoveryStream(DiscoveryStreamOptions options) {
        this(options, httpClient(options), Clock.systemUTC());
    }

    /**
     * HTTP/1.1 (a stream is one long response); with a CA file, TLS trusting that CA
     * only.
     */
    private static HttpClient httpClient(DiscoveryStreamOptions options) {
        HttpClient.Builder builder = HttpClient.newBuilder()
            .connectTimeout(options.connectTimeout())
            .version(HttpClient.Version.HTTP_1_1);
        if (options.caFile() != null) {
            builder.sslContext(trusting(options.caFile()));
        }
        return builder.build();
    }

    private static javax.net.ssl.SSLContext trusting(java.nio.file.Path caFile) {
        try (InputStream in = java.nio.file.Files.newInputStream(caFile)) {
            java.security.KeyStore trusted = java.security.KeyStore
                .getInstance(java.security.KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory
                .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
        catch (IOException | java.security.GeneralSecurityException ex) {
            throw new IllegalArgumentException(
                    "The gateway's CA file " + caFile + " cannot be read as PEM" + " certificates: " + ex.getMessage(),
                    ex);
        }
    }

    DiscoveryStream(DiscoveryStreamOptions options, HttpClient http, Clock clock) {
        this.options = options;
        this.http = http;
        this.clock = clock;
        this.state = new StreamState(clock);
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.reader = new Thread(this::run, "discovery-stream");
        this.reader.setDaemon(true);
    }

    /** Starts following the stream; returns at once (see {@link #ready()}). */
    public DiscoveryStream start() {
        reader.start();
        long check = Math.max(100, options.stallTimeout().toMillis() / 4);
        watchdog.scheduleWithFixedDelay(this::dropIfStalled, check, check, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Called with every new view, on the reader thread. */
    public void addListener(Consumer<DiscoveryView> listener) {
        listeners.add(listener);
    }

    /**
     * The current view: empty until the first {@code SYNCED}, then always complete
     * (possibly stale).
     */
    public DiscoveryView view() {
        return view;
    }

    /** Whether the view was complete at least once. */
    /**
     * With {@link DiscoveryStreamOptions#clusterSet()}: the cluster the gateway runs in
     * (the one to prefer), once connected.
     */
    public java.util.Optional<String> localCluster() {
        return java.util.Optional.ofNullable(localCluster);
    }

    public boolean ready() {
        return ready;
    }

    /**
     * @param connected the gateway the stream is connected to and in sync with, or null
     * @param lastEventAt when the last event (or heartbeat) arrived, or null
     * @param reconnects connections opened after the first
     * @param resets full snapshots received ({@code RESET}, including the first)
     * @param events service events received
     */
    public record Status(boolean ready, URI connected, Instant lastEventAt, long reconnects, long resets, long events) {
    }

    public Status status() {
        return new Status(ready, connectedTo, lastEventAt, reconnects.get(), state.resets(), events.get());
    }

    @Override
    public void close() {
        closed = true;
        watchdog.shutdownNow();
        reader.interrupt();
        closeBody();
    }

    // ---- the reader thread
    // ------------------------------------------------------------------------------------

    private void run() {
        int failures = 0;
        int next = 0;
        boolean first = true;
        while (!closed) {
            URI gateway = options.gateways().get(next % options.gateways().size());
            if (!first) {
                reconnects.incrementAndGet();
            }
            first = false;
            Connection connection = connect(gateway);
            connectedTo = null;
            boolean healthy = connection.synced() && connection.lasted().compareTo(HEALTHY) >= 0;
            failures = healthy || connection.reauthenticate() ? 0 : failures + 1;
            if (!connection.reauthenticate()) {
                // Whatever ended it, the next attempt goes to the next gateway: this one
                // may be going away.
                next++;
            }
            sleep(backoff.delay(failures));
        }
    }

    private record Connection(boolean synced, Duration lasted, boolean reauthenticate) {
    }

    private Connection connect(URI gateway) {
        Instant started = clock.instant();
        boolean synced = false;
        try {
            HttpResponse<InputStream> response = http.send(request(gateway), HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            if (response.statusCode() != 200) {
                log.log(Level.WARNING, () -> "Gateway " + gateway + " answered the stream with HTTP "
                        + response.statusCode() + problemDetail(response));
                closeBody();
                return new Connection(false, Duration.ZERO, false);
            }
            state.connected();
            response.headers().firstValue(CLUSTER_HEADER).ifPresent(cluster -> localCluster = cluster);
            lastReadNanos = System.nanoTime();
            ServerSentEvents.Event[] dispatched = new ServerSentEvents.Event[1];
            ServerSentEvents parser = new ServerSentEvents(event -> dispatched[0] = event);
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String line;
            while (!closed && (line = lines.readLine()) != null) {
                lastReadNanos = System.nanoTime();
                lastEventAt = clock.instant();
                parser.line(line);
                ServerSentEvents.Event event = dispatched[0];
                if (event == null) {
                    continue;
                }
                dispatched[0] = null;
                if (!event.type().equals(EventType.SYNCED.name()) && !event.type().equals(EventType.RESET.name())) {
                    events.incrementAndGet();
                }
                StreamState.Outcome outcome = state.apply(event);
                if (outcome == StreamState.Outcome.REAUTHENTICATE) {
                    log.fine(() -> "Gateway " + gateway + " asks for a fresh token: " + event.data());
                    return new Connection(synced, Duration.between(started, clock.instant()), true);
                }
                if (outcome == StreamState.Outcome.MALFORMED) {
                    log.warning(() -> "Gateway " + gateway + " sent an unreadable " + event.type() + " event");
                    break;
                }
                if (event.type().equals(EventType.SYNCED.name())) {
                    synced = true;
                    connectedTo = gateway;
                }
                if (outcome == StreamState.Outcome.PUBLISHED) {
                    publish(state.view());
                }
            }
        }
        catch (IOException ex) {
            if (!closed) {
                log.fine(() -> "Stream from " + gateway + " ended: " + ex);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            closeBody();
        }
        return new Connection(synced, Duration.between(started, clock.instant()), false);
    }

    private HttpRequest request(URI gateway) throws IOException {
        List<String> query = new ArrayList<>();
        // A change of a large service's endpoints then costs what changed, not the whole
        // service.
        query.add("patches=true");
        options.namespaces().forEach(namespace -> query.add("namespace=" + encode(namespace)));
        if (options.labelSelector() != null && !options.labelSelector().isBlank()) {
            query.add("labelSelector=" + encode(options.labelSelector()));
        }
        String base = gateway.toString().endsWith("/") ? gateway.toString() : gateway + "/";
        HttpRequest.Builder request = HttpRequest
            .newBuilder(URI.create(base + (options.clusterSet() ? "api/v1/clusterset/stream" : "api/v1/stream") + "?"
                    + String.join("&", query)))
            .header("Accept", "text/event-stream");
        String lastEventId = state.view().lastEventId();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        if (options.tokenFile() != null) {
            request.header("Authorization", "Bearer " + Files.readString(options.tokenFile()).strip());
        }
        return request.GET().build();
    }

    private void publish(DiscoveryView published) {
        view = published;
        ready = true;
        for (Consumer<DiscoveryView> listener : listeners) {
            try {
                listener.accept(published);
            }
            catch (RuntimeException ex) {
                log.log(Level.WARNING, "A discovery listener failed", ex);
            }
        }
    }

    private void dropIfStalled() {
        if (body != null && System.nanoTime() - lastReadNanos > options.stallTimeout().toNanos()) {
            log.fine("The stream delivered nothing for " + options.stallTimeout() + ": reconnecting");
            closeBody();
        }
    }

    private void closeBody() {
        InputStream stream = body;
        body = null;
        if (stream != null) {
            try {
                stream.close();
            }
            catch (IOException ex) {
                // Closing is all that was asked.
            }
        }
    }

    private void sleep(Duration delay) {
        if (delay.isZero() || closed) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static String problemDetail(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            String text = new String(in.readNBytes(500), StandardCharsets.UTF_8);
            return text.isBlank() ? "" : ": " + text;
        }
        catch (IOException ex) {
            return "";
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
