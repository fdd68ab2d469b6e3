package io.discoverygateway.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.Parameters;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The OpenAPI parameters of a resource that can be long-polled, written once for every
 * such operation.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Parameters({
        @Parameter(name = "wait", in = ParameterIn.QUERY, description = "Long-poll: hold the request until the"
                + " resource changes past the client's revision (index or If-None-Match), at most this long: 30s, 5m,"
                + " 1500ms or seconds; cut to gateway.long-poll.max-wait; then 304", schema = @Schema(type = "string")),
        @Parameter(name = "index", in = ParameterIn.QUERY, description = "The revision token the client has"
                + " (<epoch>-<revision>: an ETag without quotes, or a stream event id); alone, waits the default wait",
                schema = @Schema(type = "string")),
        @Parameter(name = "If-None-Match", in = ParameterIn.HEADER, description = "An ETag: 304 while it is current",
                schema = @Schema(type = "string")) })
@interface LongPolled {

}
