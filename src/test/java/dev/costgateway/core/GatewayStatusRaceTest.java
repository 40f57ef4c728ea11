package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.GatewayStatus.EmbedderState;
import dev.costgateway.core.GatewayStatus.UpstreamState;
import dev.costgateway.core.observe.Observable;

/**
 * The status is changed from several threads at once: the embedder loader, Jetty threads recording upstream
 * reachability, the gateway's lifecycle. None of these changes may overwrite another.
 */
class GatewayStatusRaceTest {

    /** How every status change is made (the gateway's way). */
    static void change(Observable<GatewayStatus> status, UnaryOperator<GatewayStatus> f) {
        status.update(f);
    }

    @Test
    void embedderReadyIsNeverLostWhileTrafficFlipsTheUpstreamState() throws Exception {
        int trials = 200;
        int lost = 0;
        for (int trial = 0; trial < trials; trial++) {
            Observable<GatewayStatus> status = new Observable<>(GatewayStatus.initial("http://up"));
            CyclicBarrier start = new CyclicBarrier(3);
            Runnable traffic = () -> {
                await(start);
                for (int i = 0; i < 2_000; i++) {
                    UpstreamState s = i % 2 == 0 ? UpstreamState.REACHABLE : UpstreamState.UNREACHABLE;
                    change(status, st -> st.withUpstream(s, st.upstreamUrl()));
                }
            };
            Thread a = new Thread(traffic, "jetty-like-1");
            Thread b = new Thread(traffic, "jetty-like-2");
            a.start();
            b.start();
            await(start);
            Thread.onSpinWait();
            change(status, st -> st.withEmbedder(EmbedderState.READY));
            a.join(30_000);
            b.join(30_000);
            if (status.get().embedder() != EmbedderState.READY) {
                lost++;
            }
        }
        assertThat(lost).as("trials (of %d) that lost \"embedder ready\"", trials).isZero();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
