package io.discoverygateway.stream;

import io.discoverygateway.catalog.CatalogView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded hand-off to the fan-out: batches in order, and one resync at the latest
 * view instead of a backlog.
 */
class FanoutQueueTest {

    private final CatalogDriver driver = new CatalogDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void batchesComeOutInOrderWhileTheyFit() throws InterruptedException {
        FanoutQueue queue = new FanoutQueue(3);
        queue.offer(driver.step("in1"), view());
        queue.offer(driver.step("in2"), view());

        assertThat(((FanoutQueue.Batch) queue.take()).changes().get(0).revision()).isEqualTo(1);
        assertThat(((FanoutQueue.Batch) queue.take()).changes().get(0).revision()).isEqualTo(2);
        assertThat(queue.overflows()).isZero();
    }

    @Test
    void aFullQueueTradesItsBatchesForOneResyncAtTheLatestViewAndKeepsTasks() throws InterruptedException {
        FanoutQueue queue = new FanoutQueue(2);
        Runnable rescope = () -> {
        };
        queue.offer(driver.step("in1"), view());
        queue.offerTask(rescope);
        queue.offer(driver.step("in2"), view());
        queue.offer(driver.step("in3"), view());
        CatalogView latest = view();
        queue.offer(driver.step("in4"), view());

        assertThat(queue.take()).isEqualTo(new FanoutQueue.Task(rescope));
        assertThat(((FanoutQueue.Resync) queue.take()).view().revision()).isEqualTo(latest.revision());
        assertThat(((FanoutQueue.Batch) queue.take()).changes().get(0).revision()).isEqualTo(4);
        assertThat(queue.overflows()).isEqualTo(1);
        assertThat(queue.size()).isZero();
    }

    @Test
    void aSecondOverflowReplacesTheFirstResync() throws InterruptedException {
        FanoutQueue queue = new FanoutQueue(1);
        queue.offer(driver.step("in1"), view());
        queue.offer(driver.step("in2"), view());
        queue.offer(driver.step("in3"), view());
        queue.offer(driver.step("in4"), view());

        assertThat(((FanoutQueue.Resync) queue.take()).view().revision()).as("the view the last batch made")
            .isEqualTo(4);
        assertThat(queue.size()).isZero();
        assertThat(queue.overflows()).isEqualTo(2);
    }

    private CatalogView view() {
        return driver.catalog().view();
    }

}
