package dev.costgateway.core.proxy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.time.GatewayClock;

/**
 * {@code POST /v1/messages}: starts one {@link MessageExchange} per request, with what every exchange shares. The
 * pipeline itself (parse, cache, route, attempt, escalate, respond, store, record) reads top to bottom in
 * {@link MessageExchange}; docs/ARCHITECTURE.md draws it.
 */
final class MessagesHandler {

    private static final char[] ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    /** What every exchange shares; the suppliers are read once per request, so a reload applies to the next one. */
    record Shared(Supplier<GatewayConfig> config, UpstreamClient upstream, Supplier<MessagePolicy> policy,
                  MetricsRecorder metrics, GatewayClock clock, Supplier<String> envApiKey) {
    }

    private final Shared shared;

    MessagesHandler(Supplier<GatewayConfig> config, UpstreamClient upstream, Supplier<MessagePolicy> policy,
                    MetricsRecorder metrics, GatewayClock clock, Supplier<String> envApiKey) {
        this.shared = new Shared(config, upstream, policy, metrics, clock, envApiKey);
    }

    /** 12 base-36 characters (62 bits); an identifier, not a secret, so a fast non-cryptographic source will do. */
    static String newQueryId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }

    void handle(Request request, Response response, Callback callback) {
        new MessageExchange(shared, newQueryId(), request, response, callback).start();
    }
}
