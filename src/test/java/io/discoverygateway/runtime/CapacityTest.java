package io.discoverygateway.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CapacityTest {

    @Test
    void placesAreRefusedAtTheLimitAndEachIsGivenBackOnce() {
        Capacity capacity = new Capacity(2);
        Capacity.Place first = capacity.tryTake();
        Capacity.Place second = capacity.tryTake();

        assertThat(capacity.tryTake()).as("over the limit").isNull();
        assertThat(capacity.held()).isEqualTo(2);

        first.release();
        first.release();
        first.run();
        assertThat(capacity.held()).as("released three times, given back once").isEqualTo(1);
        assertThat(capacity.tryTake()).isNotNull();
        assertThat(capacity.tryTake()).isNull();
        second.release();
        assertThat(capacity.held()).isEqualTo(1);
    }

}
