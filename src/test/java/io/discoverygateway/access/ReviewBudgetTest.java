package io.discoverygateway.access;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The review budget's rules, on a clock the test moves. */
class ReviewBudgetTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aBurstIsAllowedThenNewTokensAtTheRate() {
        ReviewBudget budget = new ReviewBudget(10, 5, 4, now::get);
        for (int i = 0; i < 5; i++) {
            budget.newToken();
        }
        assertThatThrownBy(budget::newToken).isInstanceOfSatisfying(ReviewBudget.BusyException.class,
                busy -> assertThat(busy.reason()).isEqualTo("new-token-rate"));

        now.addAndGet(100_000_000L);
        budget.newToken();
        assertThatThrownBy(budget::newToken).isInstanceOf(ReviewBudget.BusyException.class);
    }

    @Test
    void anIdleBucketRefillsToTheBurstAndNoFurther() {
        ReviewBudget budget = new ReviewBudget(10, 3, 4, now::get);
        for (int i = 0; i < 3; i++) {
            budget.newToken();
        }

        now.addAndGet(60_000_000_000L);

        for (int i = 0; i < 3; i++) {
            budget.newToken();
        }
        assertThatThrownBy(budget::newToken).isInstanceOf(ReviewBudget.BusyException.class);
    }

    @Test
    void beyondTheInFlightPlacesAWaitIsRefusedAtOnceAndAPlaceIsFreedWhenAWaitEnds() throws Exception {
        ReviewBudget budget = new ReviewBudget(10, 5, 1, now::get);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> budget.inFlight(() -> {
            inside.countDown();
            try {
                release.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return true;
        }));
        holder.start();
        inside.await();

        assertThatThrownBy(() -> budget.inFlight(() -> true)).isInstanceOfSatisfying(ReviewBudget.BusyException.class,
                busy -> assertThat(busy.reason()).isEqualTo("reviews-in-flight"));

        release.countDown();
        holder.join();
        assertThat(budget.inFlight(() -> "reviewed")).isEqualTo("reviewed");
    }

    @Test
    void aFailedReviewGivesItsPlaceBack() {
        ReviewBudget budget = new ReviewBudget(10, 5, 1, now::get);

        assertThatThrownBy(() -> budget.inFlight(() -> {
            throw new Reviews.ReviewUnavailableException("API down", null);
        })).isInstanceOf(Reviews.ReviewUnavailableException.class);

        assertThat(budget.inFlight(() -> "reviewed")).isEqualTo("reviewed");
    }

    @Test
    void oneAddressSpendsAtMostItsOwnShareAndOthersStillGetNewTokensReviewed() {
        ReviewBudget budget = new ReviewBudget(100, 100, 2, 4, now::get);
        for (int i = 0; i < 4; i++) {
            budget.newToken("10.0.0.1");
        }
        assertThatThrownBy(() -> budget.newToken("10.0.0.1")).isInstanceOfSatisfying(ReviewBudget.BusyException.class,
                busy -> assertThat(busy.reason()).isEqualTo("new-token-source-rate"));

        budget.newToken("10.0.0.2");
        budget.newToken(null);
        now.addAndGet(500_000_000L);
        budget.newToken("10.0.0.1");
        assertThatThrownBy(() -> budget.newToken("10.0.0.1")).isInstanceOf(ReviewBudget.BusyException.class);
    }

    @Test
    void aRefusalByTheGatewaysBudgetSpendsNothingOfTheAddresss() {
        ReviewBudget budget = new ReviewBudget(10, 1, 5, 4, now::get);
        budget.newToken("10.0.0.1");
        assertThatThrownBy(() -> budget.newToken("10.0.0.2")).isInstanceOfSatisfying(ReviewBudget.BusyException.class,
                busy -> assertThat(busy.reason()).isEqualTo("new-token-rate"));

        now.addAndGet(100_000_000L);
        budget.newToken("10.0.0.2");
    }

}
