/**
 * The stream's wire protocol, written once: event types, the reasons RESET,
 * REAUTHENTICATE and a revoking DELETED carry, what makes two endpoints the same, the
 * fallback instance id of {@code /apps}, and the reconnection back-off.
 *
 * <p>
 * These sources ({@code src/protocol/java}) are compiled into the gateway and into the
 * client library (both builds add them as a source root), and the OpenAPI document lists
 * its enums from them, so the two sides cannot drift apart. They depend on the JDK only
 * ({@code ArchitectureTest} checks it).
 */
package io.discoverygateway.protocol;
