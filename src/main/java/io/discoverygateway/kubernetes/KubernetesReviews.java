package io.discoverygateway.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.discoverygateway.access.Consumer;
import io.discoverygateway.access.Reviews;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1TokenReview;
import io.kubernetes.client.openapi.models.V1TokenReviewSpec;
import io.kubernetes.client.openapi.models.V1TokenReviewStatus;
import io.kubernetes.client.openapi.models.V1UserInfo;
import okhttp3.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer reviews through the Kubernetes API, as kube-rbac-proxy makes them: a
 * TokenReview with the gateway's audience ({@code create tokenreviews}), a
 * SubjectAccessReview with the user, groups, uid and extra the TokenReview returned
 * ({@code create subjectaccessreviews}); both granted by the
 * {@code system:auth-delegator} ClusterRole. Each call has its own timeout (the shared
 * client has none, for its watches).
 */
final class KubernetesReviews implements Reviews {

    private static final Logger log = LoggerFactory.getLogger(KubernetesReviews.class);

    private final ApiClient client;

    private final AuthenticationV1Api authentication;

    private final AuthorizationV1Api authorization;

    private final Duration timeout;

    /** One warning per episode of failures, not one per request. */
    private final AtomicBoolean failing = new AtomicBoolean();

    KubernetesReviews(ApiClient client, Duration timeout) {
        this.client = client;
        this.authentication = new AuthenticationV1Api(client);
        this.authorization = new AuthorizationV1Api(client);
        this.timeout = timeout;
    }

    @Override
    public TokenVerdict reviewToken(String token, String audience) {
        V1TokenReview review = new V1TokenReview().apiVersion("authentication.k8s.io/v1")
            .kind("TokenReview")
            .spec(new V1TokenReviewSpec().token(token).audiences(List.of(audience)));
        V1TokenReviewStatus status = execute(() -> authentication.createTokenReview(review).buildCall(null),
                V1TokenReview.class, "TokenReview")
            .getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
            return TokenVerdict.refused(Optional.ofNullable(status)
                .map(V1TokenReviewStatus::getError)
                .filter(error -> !error.isBlank())
                .orElse("the Kubernetes API did not authenticate it"));
        }
        // An API server that ignores the audience would authenticate a token minted for
        // anything else.
        if (status.getAudiences() == null || !status.getAudiences().contains(audience)) {
            return TokenVerdict.refused("it is not for the audience '" + audience + "'");
        }
        V1UserInfo user = Optional.ofNullable(status.getUser()).orElseGet(V1UserInfo::new);
        return TokenVerdict.authenticated(new Consumer(Optional.ofNullable(user.getUsername()).orElse(""),
                Optional.ofNullable(user.getUid()).orElse(""), Optional.ofNullable(user.getGroups()).orElse(List.of()),
                Optional.ofNullable(user.getExtra()).orElse(Map.of()), null));
    }

    @Override
    public boolean allowed(Consumer consumer, ResourceAttributes attributes, String namespace) {
        V1SubjectAccessReview review = new V1SubjectAccessReview().apiVersion("authorization.k8s.io/v1")
            .kind("SubjectAccessReview")
            .spec(new V1SubjectAccessReviewSpec().user(consumer.username())
                .uid(consumer.uid().isEmpty() ? null : consumer.uid())
                .groups(consumer.groups())
                .extra(consumer.extra().isEmpty() ? null : consumer.extra())
                .resourceAttributes(new V1ResourceAttributes().verb(attributes.verb())
                    .group(attributes.group())
                    .resource(attributes.resource())
                    .namespace(namespace)));
        V1SubjectAccessReview answer = execute(() -> authorization.createSubjectAccessReview(review).buildCall(null),
                V1SubjectAccessReview.class, "SubjectAccessReview");
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed())
                && !Boolean.TRUE.equals(answer.getStatus().getDenied());
    }

    private interface CallBuilder {

        Call build() throws ApiException;

    }

    private <T> T execute(CallBuilder builder, Class<T> type, String what) {
        ReviewUnavailableException failure;
        try {
            Call call = builder.build();
            call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            T answer = client.<T>execute(call, type).getData();
            if (failing.compareAndSet(true, false)) {
                log.info("Consumer reviews work again");
            }
            return answer;
        }
        catch (ApiException ex) {
            // The status only: the body could echo the request, and with it the
            // consumer's token.
            failure = new ReviewUnavailableException("The " + what + " failed with HTTP " + ex.getCode()
                    + (ex.getCode() == 403 ? " (does the gateway's ServiceAccount have system:auth-delegator?)" : ""),
                    null);
        }
        catch (RuntimeException ex) {
            failure = new ReviewUnavailableException("The " + what + " failed: " + ex.getClass().getSimpleName(), null);
        }
        if (failing.compareAndSet(false, true)) {
            log.warn("{}; consumers without a cached decision get 503 until reviews work again", failure.getMessage());
        }
        throw failure;
    }

}
