package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;

/** The stages around the ledger, each alone: a broken policy degrades one feature and never fails a request. */
class PipelineStagesTest {

    private static final String BODY = "{\"model\":\"claude-opus-4-7\",\"max_tokens\":10,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGE = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}],\"stop_reason\":\"end_turn\","
            + "\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}";

    /** A policy whose every decision can be replaced; the default decides nothing. */
    private static class ScriptedPolicy implements MessagePolicy {
        final List<String> stored = new ArrayList<>();

        @Override
        public CompletableFuture<RouteDecision> route(ObjectNode body, String requestedModel, ClientContext client) {
            return PASS_THROUGH.route(body, requestedModel, client);
        }

        @Override
        public Optional<CacheHit> lookup(ObjectNode body, ClientContext client) {
            return Optional.of(new CacheHit(CacheKind.EXACT, new byte[0], "m", Usage.ZERO, "identical request"));
        }

        @Override
        public void store(ObjectNode body, ClientContext client, JsonNode message, String model, Usage usage) {
            stored.add(model);
        }

        @Override
        public Optional<Escalation> escalate(JsonNode message, String requestedModel, RouteDecision current,
                                             int escalationsSoFar) {
            return Optional.empty();
        }

        @Override
        public boolean bufferStreams() {
            return false;
        }

        @Override
        public byte[] replayAsSse(byte[] messageJson) {
            return messageJson;
        }

        @Override
        public Double cost(String model, Usage usage) {
            return null;
        }

        @Override
        public Double counterfactual(String requestedModel, Usage usage) {
            return null;
        }
    }

    private static ParsedRequest request(HttpFields headers) throws InvalidRequest {
        return RequestParser.parse(BODY.getBytes(StandardCharsets.UTF_8), headers, ConfigLoader.defaults(),
                () -> null);
    }

    @Test
    void routingThatFailsOrThrowsForwardsTheRequestedModelUnrouted() throws Exception {
        ParsedRequest r = request(HttpFields.build().put("x-api-key", "k"));
        MessagePolicy failing = new ScriptedPolicy() {
            @Override
            public CompletableFuture<RouteDecision> route(ObjectNode b, String m, ClientContext c) {
                return CompletableFuture.failedFuture(new IllegalStateException("classifier down"));
            }
        };
        MessagePolicy throwing = new ScriptedPolicy() {
            @Override
            public CompletableFuture<RouteDecision> route(ObjectNode b, String m, ClientContext c) {
                throw new IllegalStateException("bug");
            }
        };
        for (MessagePolicy p : List.of(failing, throwing)) {
            RouteDecision d = RouteStage.route(p, r).join();
            assertThat(d.chosenModel()).isEqualTo("claude-opus-4-7");
            assertThat(d.tier()).isNull();
            assertThat(d.layer()).isEqualTo(ClassifierLayer.NONE);
            assertThat(d.reason()).isEqualTo("routing failed");
        }
        RouteDecision routed = new RouteDecision("claude-opus-4-7", "claude-haiku-4-5", Tier.PREMIUM, Tier.FAST,
                ClassifierLayer.HEURISTIC, "greeting", true, List.of());
        MessagePolicy working = new ScriptedPolicy() {
            @Override
            public CompletableFuture<RouteDecision> route(ObjectNode b, String m, ClientContext c) {
                return CompletableFuture.completedFuture(routed);
            }
        };
        assertThat(RouteStage.route(working, r).join()).isSameAs(routed);
    }

    @Test
    void theCacheIsSkippedWhenOffOrOptedOutAndAFailingCacheIsAMiss() throws Exception {
        GatewayConfig on = ConfigLoader.defaults();
        GatewayConfig off = ConfigLoader.parse("cache:\n  enabled: false\n", "t.yaml").config();
        ScriptedPolicy policy = new ScriptedPolicy();
        ParsedRequest plain = request(HttpFields.build().put("x-api-key", "k"));
        ParsedRequest optedOut = request(HttpFields.build().put("x-api-key", "k").put("X-Gateway-Cache", "off"));

        assertThat(CacheStage.lookup(policy, on, plain)).isPresent();
        assertThat(CacheStage.lookup(policy, off, plain)).isEmpty();
        assertThat(CacheStage.lookup(policy, on, optedOut)).isEmpty();

        CacheStage.store(policy, on, plain, null, "stored-model", Usage.ZERO);
        CacheStage.store(policy, off, plain, null, "not-when-off", Usage.ZERO);
        CacheStage.store(policy, on, optedOut, null, "not-when-opted-out", Usage.ZERO);
        assertThat(policy.stored).containsExactly("stored-model");

        MessagePolicy broken = new ScriptedPolicy() {
            @Override
            public Optional<CacheHit> lookup(ObjectNode body, ClientContext client) {
                throw new IllegalStateException("redis down");
            }

            @Override
            public void store(ObjectNode body, ClientContext client, JsonNode message, String model, Usage usage) {
                throw new IllegalStateException("redis down");
            }
        };
        assertThat(CacheStage.lookup(broken, on, plain)).isEmpty();
        CacheStage.store(broken, on, plain, null, "m", Usage.ZERO); // does not throw
    }

    @Test
    void escalationIsAskedOnlyAboutCompleteAnswersAndAFailingCheckKeepsTheAnswer() {
        RouteDecision current = RouteDecision.unrouted("m", "test");
        MessagePolicy escalating = new ScriptedPolicy() {
            @Override
            public Optional<Escalation> escalate(JsonNode message, String requested, RouteDecision cur, int n) {
                return Optional.of(new Escalation(cur.escalatedTo("stronger", Tier.PREMIUM, "hedging"), "hedging"));
            }
        };
        MessagePolicy broken = new ScriptedPolicy() {
            @Override
            public Optional<Escalation> escalate(JsonNode message, String requested, RouteDecision cur, int n) {
                throw new IllegalStateException("bug");
            }
        };
        JsonNode message = UpstreamAnswer.parseQuietly(MESSAGE.getBytes(StandardCharsets.UTF_8));
        assertThat(EscalationStage.check(escalating, null, "m", current, 0)).isEmpty();
        assertThat(EscalationStage.check(escalating, message, "m", current, 0)).get()
                .satisfies(e -> assertThat(e.route().chosenModel()).isEqualTo("stronger"));
        assertThat(EscalationStage.check(broken, message, "m", current, 0)).isEmpty();
    }

    @Test
    void aBufferedAnswerIsReadThroughItsContentEncodingAndKeptAsItCame() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(MESSAGE.getBytes(StandardCharsets.UTF_8));
        }
        byte[] content = zipped.toByteArray();
        UpstreamAnswer a = UpstreamAnswer.read(200, HttpFields.build().put("Content-Encoding", "gzip"), content,
                false);
        assertThat(a.content()).isSameAs(content);
        assertThat(a.message().path("id").asText()).isEqualTo("msg_1");
        assertThat(a.usage().inputTokens()).isEqualTo(12);
        assertThat(a.usage().outputTokens()).isEqualTo(3);
        assertThat(a.errorType()).isNull();

        byte[] error = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}"
                .getBytes(StandardCharsets.UTF_8);
        UpstreamAnswer overloaded = UpstreamAnswer.read(529, HttpFields.EMPTY, error, false);
        assertThat(overloaded.message()).isNull();
        assertThat(overloaded.usage()).isEqualTo(Usage.ZERO);
        assertThat(overloaded.errorType()).isEqualTo("overloaded_error");
        assertThat(UpstreamAnswer.read(502, HttpFields.EMPTY, "<html>".getBytes(StandardCharsets.UTF_8), false)
                .errorType()).isEqualTo("upstream_error");
    }

    @Test
    void aHeldStreamThatEndedInAnErrorIsNeverOfferedForEscalation() {
        String events = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"busy\"}}\n\n";
        UpstreamAnswer a = UpstreamAnswer.read(200, HttpFields.EMPTY, events.getBytes(StandardCharsets.UTF_8), true);
        assertThat(a.message()).isNull();
        assertThat(a.usage().inputTokens()).isEqualTo(5);
    }
}
