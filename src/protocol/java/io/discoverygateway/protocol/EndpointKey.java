package io.discoverygateway.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What makes two endpoints of a service "the same endpoint" for {@code PATCHED} events:
 * the first address, and the ports' names and numbers in any order. The gateway builds
 * patches by it and clients apply them by it.
 */
public final class EndpointKey {

    private EndpointKey() {
    }

    /**
     * @param firstAddress the endpoint's first address
     * @param ports its ports, name ({@code ""} when unnamed) to number (null when the
     * slice gives none)
     */
    public static String of(String firstAddress, Map<String, Integer> ports) {
        List<String> namesAndNumbers = new ArrayList<>(ports.size());
        ports.forEach((name, number) -> namesAndNumbers.add(name + ":" + number));
        namesAndNumbers.sort(null);
        return firstAddress + " " + namesAndNumbers;
    }

}
