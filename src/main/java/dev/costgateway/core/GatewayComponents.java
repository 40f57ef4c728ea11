package dev.costgateway.core;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.function.Supplier;

import org.eclipse.jetty.server.Handler;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.proxy.MessagePolicy;
import dev.costgateway.core.proxy.UpstreamClient;

/** Wiring of the parts behind the proxy: policy, metrics, their HTTP endpoints and health details. */
final class GatewayComponents implements AutoCloseable {

    private final MessagePolicy policy;
    private final MetricsRecorder recorder;
    private final MetricsQueries queries;
    private final Handler httpHandler;

    private GatewayComponents(MessagePolicy policy, MetricsRecorder recorder, MetricsQueries queries,
                              Handler httpHandler) {
        this.policy = policy;
        this.recorder = recorder;
        this.queries = queries;
        this.httpHandler = httpHandler;
    }

    static GatewayComponents create(Supplier<GatewayConfig> config, Path dataDir, InstantSource clock,
                                    UpstreamClient upstream, Supplier<String> envApiKey,
                                    Observable<GatewayStatus> status) {
        status.set(status.get().withEmbedder(GatewayStatus.EmbedderState.DISABLED));
        return new GatewayComponents(MessagePolicy.PASS_THROUGH, MetricsRecorder.NONE, null, null);
    }

    MessagePolicy policy() {
        return policy;
    }

    MetricsRecorder recorder() {
        return recorder;
    }

    MetricsQueries queries() {
        return queries;
    }

    Handler httpHandler() {
        return httpHandler;
    }

    void reconfigure(GatewayConfig next) {
        // components read the configuration through the supplier on every request
    }

    void describeHealth(ObjectNode health) {
        health.put("cache", "off");
    }

    @Override
    public void close() {
    }
}
