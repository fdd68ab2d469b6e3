package io.discoverygateway.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.Authentication;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The bearer token of a kubeconfig file mounted from a Secret, read again as the Secret
 * is updated: at most every {@code refresh}, and at once when the API answers 401 (the
 * request is then sent once more with the new token). The client's own kubeconfig
 * authentication reads the file only once, so a rotated remote token would lock the
 * gateway out of that cluster for good.
 *
 * <p>
 * Threads: OkHttp's threads call {@link #intercept}; the token and the time it was read
 * are replaced together under the object's lock.
 */
final class KubeconfigFileToken implements Authentication, Interceptor {

    private final Path file;

    private final long refreshNanos;

    private final LongSupplier clock;

    private String token;

    private long readAt;

    KubeconfigFileToken(Path file, Duration refresh, LongSupplier clock) {
        this.file = file;
        this.refreshNanos = refresh.toNanos();
        this.clock = clock;
    }

    /**
     * Whether the kubeconfig authenticates with a bearer token (else it is left as it
     * is).
     */
    static boolean hasToken(KubeConfig config) {
        return config.getCredentials() != null && config.getCredentials().get(KubeConfig.CRED_TOKEN_KEY) != null;
    }

    @Override
    public void provide(ApiClient client) {
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(this).build());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(withToken(chain.request(), token(false)));
        if (response.code() == 401) {
            response.close();
            response = chain.proceed(withToken(chain.request(), token(true)));
        }
        return response;
    }

    private static Request withToken(Request request, String token) {
        return request.newBuilder().header("Authorization", "Bearer " + token).build();
    }

    private synchronized String token(boolean refused) {
        long now = clock.getAsLong();
        if (token == null || refused || now - readAt >= refreshNanos) {
            String current = read();
            if (current != null) {
                token = current;
            }
            readAt = now;
        }
        return token;
    }

    /** The file's token now, or null when it cannot be read (the last one is kept). */
    private String read() {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            KubeConfig config = KubeConfig.loadKubeConfig(reader);
            config.setFile(file.toFile());
            return hasToken(config) ? config.getCredentials().get(KubeConfig.CRED_TOKEN_KEY) : null;
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }

}
