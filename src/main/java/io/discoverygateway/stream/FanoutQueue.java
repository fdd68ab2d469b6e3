package io.discoverygateway.stream;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.discoverygateway.catalog.CatalogView;
import io.discoverygateway.catalog.ChangeEvent;

/**
 * The hand-off from the catalog's writer thread to the fan-out thread: batches of changes
 * in revision order, at most {@code capacity} of them waiting. When the fan-out falls
 * that far behind, the waiting batches are dropped for one resync at the latest view:
 * every subscriber then gets {@code RESET} and a snapshot of that view, as a Kubernetes
 * watch that falls too far behind gets 410 Gone and lists again. Memory stays bounded,
 * and no subscriber silently misses a change. Tasks (a subscriber's change of scope) are
 * kept in order and never dropped; there are at most a few per subscriber.
 *
 * <p>
 * Threads: {@link #offer} and {@link #offerTask} on the catalog's writer thread (and the
 * access checks' for tasks), {@link #take} on the fan-out thread; everything is guarded
 * by this object's monitor.
 */
final class FanoutQueue {

    /** What the fan-out thread does next. */
    sealed interface Work {

    }

    record Batch(List<ChangeEvent> changes) implements Work {
    }

    record Resync(CatalogView view) implements Work {
    }

    record Task(Runnable task) implements Work {
    }

    private final int capacity;

    private final Deque<Work> queue = new ArrayDeque<>();

    private int batches;

    private long overflows;

    FanoutQueue(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Queues a batch; when {@code capacity} batches already wait, replaces them with a
     * resync at {@code view}.
     */
    synchronized void offer(List<ChangeEvent> changes, CatalogView view) {
        if (batches >= capacity) {
            queue.removeIf(work -> work instanceof Batch || work instanceof Resync);
            batches = 0;
            overflows++;
            queue.addLast(new Resync(view));
        }
        else {
            queue.addLast(new Batch(changes));
            batches++;
        }
        notifyAll();
    }

    synchronized void offerTask(Runnable task) {
        queue.addLast(new Task(task));
        notifyAll();
    }

    /** The next work, waiting for it. */
    synchronized Work take() throws InterruptedException {
        while (queue.isEmpty()) {
            wait();
        }
        Work work = queue.pollFirst();
        if (work instanceof Batch) {
            batches--;
        }
        return work;
    }

    synchronized int size() {
        return queue.size();
    }

    /** How often the fan-out fell {@code capacity} batches behind. */
    synchronized long overflows() {
        return overflows;
    }

}
