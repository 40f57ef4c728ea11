package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.ManualClock;

/** What a re-ask sends, to whom it is allowed, once, and for how long (the "gateway" here is a fake server). */
class SemanticReplaysTest {

    private static final byte[] BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Who is the author of Hamlet?\"}]}"
            .getBytes(StandardCharsets.UTF_8);

    private static HttpFields headers(String key) {
        return HttpFields.build().add("Host", "127.0.0.1:1234").add("Content-Length", String.valueOf(BODY.length))
                .add("Content-Type", "application/json").add("x-api-key", key).add("anthropic-version", "2023-06-01")
                .add("Accept-Encoding", "gzip").add("X-Gateway-Route", "off").add("X-Gateway-Cache", "on")
                .add("X-Gateway-Token", "gateway-token-1").asImmutable();
    }

    @Test
    void aRejectedHitIsSentAgainOnceWithItsOwnHeadersAndARefresh() throws Exception {
        ManualClock clock = new ManualClock();
        try (FakeUpstream gateway = new FakeUpstream();
             SemanticReplays replays = new SemanticReplays(gateway::baseUrl, () -> Duration.ofSeconds(30), clock)) {
            gateway.enqueue(FakeUpstream.text("William Shakespeare.", "end_turn"));
            replays.remember("q1", BODY, headers("test-key-a"), "test-key-a");
            assertThat(replays.canReask("q1")).isFalse();
            assertThat(replays.reask("q1", SemanticReplays.Asker.OWNER).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.UNKNOWN);

            replays.rejected("q1");
            assertThat(replays.canReask("q1")).isTrue();
            SemanticReplays.Replay r = replays.reask("q1", SemanticReplays.Asker.withCredential("test-key-a")).get();

            assertThat(r.outcome()).isEqualTo(SemanticReplays.Outcome.ASKED);
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("William Shakespeare.");
            FakeUpstream.Received sent = gateway.last();
            assertThat(sent.pathQuery()).isEqualTo("/v1/messages");
            assertThat(sent.body()).isEqualTo(BODY);
            assertThat(sent.headers().get("x-api-key")).isEqualTo("test-key-a");
            assertThat(sent.headers().get("X-Gateway-Route")).isEqualTo("off");
            assertThat(sent.headers().get("X-Gateway-Token")).isEqualTo("gateway-token-1");
            assertThat(sent.headers().getValuesList("X-Gateway-Cache")).containsExactly("refresh");
            assertThat(sent.headers().get("Accept-Encoding")).isNull();
            assertThat(sent.headers().getValuesList("Host")).containsExactly(
                    "127.0.0.1:" + gateway.port()); // the replay's own, not the client's

            assertThat(replays.canReask("q1")).isFalse();
            assertThat(replays.reask("q1", SemanticReplays.Asker.OWNER).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.UNKNOWN);
            assertThat(gateway.received()).hasSize(1);
        }
    }

    @Test
    void onlyTheSameCredentialOrTheOwnerMayReaskAHitMadeWithTheCallersOwnKey() throws Exception {
        ManualClock clock = new ManualClock();
        try (FakeUpstream gateway = new FakeUpstream();
             SemanticReplays replays = new SemanticReplays(gateway::baseUrl, () -> Duration.ofSeconds(30), clock)) {
            replays.remember("own", BODY, headers("test-key-a"), "test-key-a");
            replays.remember("injected", BODY, headers("ignored"), null);
            replays.rejected("own");
            replays.rejected("injected");

            SemanticReplays.Replay other = replays.reask("own", SemanticReplays.Asker.withCredential("test-key-b"))
                    .get();
            assertThat(other.outcome()).isEqualTo(SemanticReplays.Outcome.FORBIDDEN);
            assertThat(other.detail()).doesNotContain("test-key");
            assertThat(replays.reask("own", SemanticReplays.Asker.withCredential(null)).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.FORBIDDEN);
            assertThat(gateway.received()).isEmpty();
            assertThat(replays.canReask("own")).isTrue(); // a refused asker does not use the re-ask up

            assertThat(replays.reask("own", SemanticReplays.Asker.OWNER).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.ASKED);
            // the gateway supplied the key: whoever can reach the gateway could have sent the request anyway
            assertThat(replays.reask("injected", SemanticReplays.Asker.withCredential(null)).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.ASKED);
            assertThat(gateway.received()).hasSize(2);
        }
    }

    @Test
    void aHitIsForgottenAfterAnHourAndWhenTheGatewayIsNotListeningTheReaskFails() throws Exception {
        ManualClock clock = new ManualClock();
        try (SemanticReplays replays = new SemanticReplays(() -> null, () -> Duration.ofSeconds(30), clock)) {
            replays.remember("late", BODY, headers("test-key-a"), "test-key-a");
            replays.remember("down", BODY, headers("test-key-a"), "test-key-a");
            replays.rejected("late");
            replays.rejected("down");
            assertThat(replays.reask("down", SemanticReplays.Asker.OWNER).get())
                    .satisfies(r -> assertThat(r.outcome()).isEqualTo(SemanticReplays.Outcome.FAILED))
                    .satisfies(r -> assertThat(r.detail()).contains("not listening"));

            clock.advance(SemanticReplays.KEPT.plusSeconds(1));
            assertThat(replays.canReask("late")).isFalse();
            assertThat(replays.reask("late", SemanticReplays.Asker.OWNER).get().outcome())
                    .isEqualTo(SemanticReplays.Outcome.UNKNOWN);
        }
    }
}
