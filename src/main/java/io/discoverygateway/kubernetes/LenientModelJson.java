package io.discoverygateway.kubernetes;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;

import io.kubernetes.client.openapi.JSON;

/**
 * Makes the Kubernetes Java client read API objects leniently.
 *
 * <p>
 * The generated models of client-java 24 validate every object strictly: a field they do
 * not know (sent by a newer API server) or a missing "required" field fails the whole
 * response. Real API servers send an EndpointSlice without {@code endpoints} for a
 * Service scaled to zero (kubernetes/kubernetes#135968, kubernetes-client/java#4506), and
 * one such slice fails the LIST, so the informer never syncs. This replaces the client's
 * Gson with one built the same way but without the validating per-model adapter
 * factories: Gson's reflective adapters then ignore unknown fields and leave missing ones
 * null. The client keeps its Gson in a static field, so this is process-wide; it is
 * idempotent.
 */
final class LenientModelJson {

    private LenientModelJson() {
    }

    static void install() {
        JSON.setGson(JSON.createGson()
            .registerTypeAdapter(Date.class, new JSON.DateTypeAdapter())
            .registerTypeAdapter(java.sql.Date.class, new JSON.SqlDateTypeAdapter())
            .registerTypeAdapter(OffsetDateTime.class,
                    new JSON.OffsetDateTimeTypeAdapter(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
            .registerTypeAdapter(java.time.LocalDate.class, new JSON.LocalDateTypeAdapter())
            .registerTypeAdapter(byte[].class, new JSON.ByteArrayAdapter())
            .create());
    }

}
