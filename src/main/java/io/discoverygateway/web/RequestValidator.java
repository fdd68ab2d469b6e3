package io.discoverygateway.web;

import java.util.regex.Pattern;

import io.discoverygateway.GatewayProperties;
import io.discoverygateway.access.ReadAccess;
import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.LabelSelector;
import io.discoverygateway.catalog.ServiceKey;
import io.discoverygateway.catalog.ServiceSnapshot;
import io.discoverygateway.catalog.WatchScope;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Checks what clients send and turns each problem into an {@link ApiException} with a useful message. */
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
     * A valid namespace name that the gateway watches and the caller may read. With consumer authentication the
     * access decision comes first, so a consumer learns nothing of a namespace it may not read, not even whether
     * the gateway watches it (403 either way), and a 404 for one it may read names no other namespace. Without
     * consumer authentication every watched namespace is listed anyway, and the 404 says which they are.
     */
    public void readableNamespace(String namespace, ReadAccess access) {
        name("namespace name", namespace);
        if (access.consumer().isPresent()) {
            access.requireNamespace(namespace);
            if (!scope.includes(namespace)) {
                throw new ApiException(HttpStatus.NOT_FOUND, "Namespace not watched",
                        "The gateway does not watch namespace '" + namespace + "'");
            }
        }
        else if (!scope.includes(namespace)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "Namespace not watched",
                    "The gateway does not watch namespace '" + namespace + "'; it watches: " + scope);
        }
    }

    /** The service, once {@link #readableNamespace} has passed for its namespace. */
    public ServiceSnapshot existingService(CatalogView view, ServiceKey key) {
        name("service name", key.name());
        return view.find(key).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "Service not found",
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
