package io.discoverygateway.kubernetes;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGeneratorParams;
import okhttp3.Call;

/** Builds the HTTP call that lists, or with {@code params.watch} watches, one kind in one scope. */
@FunctionalInterface
interface ListCall {

    Call build(CallGeneratorParams params) throws ApiException;
}
