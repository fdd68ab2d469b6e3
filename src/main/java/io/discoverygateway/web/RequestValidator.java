package io.discoverygateway.web;

import java.util.regex.Pattern;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.WatchScope;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Checks what clients send and turns each problem into an {@link ApiException} with a
 * useful message.
 */
@Component
public class RequestValidator {

    private static final Pattern DNS_LABEL = Pattern.compile(GatewayProperties.DNS_LABEL);

    private final WatchScope scope;

    RequestValidator(WatchScope scope) {
        this.scope = scope;
    }

    public void name(String what, String value) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw ApiException.invalidName(what, value);
        }
    }

    /**
     * A namespace the gateway watches, else a 404. {@code nameTheWatched}: whether the
     * 404 may say which namespaces are watched (not to an authenticated consumer, which
     * must not learn of namespaces it may not read; see
     * {@code ReadAccess.requireReadableNamespace}, which decides access first).
     */
    public void watchedNamespace(String namespace, boolean nameTheWatched) {
        name("namespace name", namespace);
        if (!scope.includes(namespace)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "Namespace not watched", "The gateway does not watch"
                    + " namespace '" + namespace + "'" + (nameTheWatched ? "; it watches: " + scope : ""));
        }
    }

    /** The service, once its namespace has passed {@link #watchedNamespace}. */
    public ServiceSnapshot existingService(CatalogView view, ServiceKey key) {
        name("service name", key.name());
        return view.find(key)
            .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "Service not found",
                    "No service '" + key.name() + "' in namespace '" + key.namespace() + "'"));
    }

    public LabelSelector labelSelector(String text) {
        return labelSelector("labelSelector", text);
    }

    public LabelSelector labelSelector(String parameter, String text) {
        try {
            return LabelSelector.parse(text);
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.invalidParameter(parameter, ex.getMessage());
        }
    }

}
