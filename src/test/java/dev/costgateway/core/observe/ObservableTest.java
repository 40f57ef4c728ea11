package dev.costgateway.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ObservableTest {
    static final int THREADS = 4;

    /** Runs {@code work} on {@link #THREADS} threads released together; waits for all of them. */
    static void concurrently(Runnable work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                work.run();
            }, "observable-test-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        }
    }

    @Test
    void concurrentUpdatesAreNeverLost() throws Exception {
        Observable<Integer> counter = new Observable<>(0);
        int perThread = 20_000;

        concurrently(() -> {
            for (int i = 0; i < perThread; i++) {
                counter.update(n -> n + 1);
            }
        });

        assertThat(counter.get()).isEqualTo(THREADS * perThread);
    }

    @Test
    void aListenerNeverSeesAnOlderValueAfterANewerOneAndEndsOnTheLatest() throws Exception {
        Observable<Integer> counter = new Observable<>(0);
        List<Integer> first = Collections.synchronizedList(new ArrayList<>());
        List<Integer> second = Collections.synchronizedList(new ArrayList<>());
        counter.subscribe(first::add);
        counter.subscribe(second::add);

        concurrently(() -> {
            for (int i = 0; i < 5_000; i++) {
                counter.update(n -> n + 1);
            }
        });

        for (List<Integer> seen : List.of(first, second)) {
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i)).as("value %d after %s", i, seen.get(i - 1)).isGreaterThan(seen.get(i - 1));
            }
            assertThat(seen.get(0)).isZero();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(THREADS * 5_000);
        }
    }

    /** A listener that takes a while (as a UI hop or a log line does) still ends on the value in force. */
    @Test
    void aBusyListenerEndsOnTheValueInForce() throws Exception {
        for (int trial = 0; trial < 200; trial++) {
            Observable<Integer> value = new Observable<>(0);
            java.util.concurrent.atomic.AtomicInteger sequence = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger last = new java.util.concurrent.atomic.AtomicInteger(-1);
            value.subscribe(v -> {
                for (int k = 0; k < (v % 7) * 50; k++) {
                    Thread.onSpinWait();
                }
                last.set(v);
            });

            concurrently(() -> {
                for (int i = 0; i < 500; i++) {
                    value.set(sequence.incrementAndGet());
                }
            });

            assertThat(last.get()).as("trial %d", trial).isEqualTo(value.get());
        }
    }

    @Test
    void aSlowListenerDoesNotHoldUpOtherUpdaters() throws Exception {
        Observable<Integer> value = new Observable<>(0);
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        value.subscribe(v -> {
            seen.add(v);
            if (v == 1) {
                inListener.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> value.set(1));
        assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> value.update(n -> n + 1));
        assertThat(other.get(10, TimeUnit.SECONDS)).as("returns while the listener is busy").isEqualTo(2);
        assertThat(seen).containsExactly(0, 1);

        release.countDown();
        slow.get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly(0, 1, 2);
    }

    @Test
    void subscribeDeliversTheCurrentValueThenChangesUntilClosed() {
        Observable<String> value = new Observable<>("a");
        List<String> seen = new ArrayList<>();
        Observable.Subscription s = value.subscribe(seen::add);
        value.set("b");
        value.set("b"); // equal: no notification
        s.close();
        value.set("c");

        assertThat(seen).containsExactly("a", "b");
        assertThat(value.get()).isEqualTo("c");
    }

    @Test
    void aListenerMayChangeTheValueItIsToldAbout() {
        Observable<Integer> value = new Observable<>(0);
        List<Integer> seen = new ArrayList<>();
        value.subscribe(v -> {
            seen.add(v);
            if (v == 1) {
                value.update(n -> n + 10);
            }
        });
        value.set(1);

        assertThat(seen).containsExactly(0, 1, 11);
        assertThat(value.get()).isEqualTo(11);
    }
}
