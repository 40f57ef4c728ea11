package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.cache.RedisServerProcess;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.Closer;
import dev.costgateway.testing.PostgresServer;

/**
 * The team's shared semantic cache (issue 17 item 2, ADR 0061): two gateways configured with nothing but
 * {@code metrics.jdbc_url} (one real PostgreSQL) and {@code cache.redis_url} (one real redis-server), each with the
 * real embedding model. A paraphrase on B of a prompt answered through A is a semantic hit within a second of A's
 * store, never for another caller's key, and a hit rejected on B leaves A's index too. PostgreSQL going away
 * costs no request; {@code /health} says the sharing is down.
 */
class TeamSemanticIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KEY_A = {"content-type", "application/json", "x-api-key", "sk-ant-team-key-a",
        "anthropic-version", "2023-06-01"};
    private static final String[] KEY_B = {"content-type", "application/json", "x-api-key", "sk-ant-team-key-b",
        "anthropic-version", "2023-06-01"};
    /**
     * Routing off, and lookups that wait for the model as long as it takes (as in RoutingAndCacheIT): these tests
     * check what is served, not how fast the lookup's embedding is on a loaded machine.
     */
    private static final String PATIENT = "routing:\n  mode: off\n";

    private final Closer open = new Closer();
    private PostgresServer postgres;
    private RedisServerProcess redis;

    @BeforeEach
    void startServices() throws Exception {
        postgres = open.add(PostgresServer.start()); // our own: one test stops it
        redis = open.add(RedisServerProcess.start());
    }

    @AfterEach
    void stopAll() throws Exception {
        open.close();
    }

    /** Only the two team keys, plus the patient lookup of these tests. */
    private String teamYaml(String jdbcUrl) {
        return PATIENT + "metrics:\n  jdbc_url: \"" + jdbcUrl + "\"\n"
                + "cache:\n  redis_url: \"" + redis.url() + "\"\n  semantic_lookup_wait_ms: 10000\n";
    }

    private GatewayHarness gatewayWithModel(String jdbcUrl) throws Exception {
        GatewayHarness h = GatewayHarness.startWithEmbedder(teamYaml(jdbcUrl));
        open.add(h);
        return h;
    }

    private static String body(String prompt) {
        return "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.valueToTree(prompt) + "}]}";
    }

    private static JsonNode cacheHealth(GatewayHarness h) throws Exception {
        return JSON.readTree(h.get("/health").body()).path("cache");
    }

    private static String cache(HttpResponse<byte[]> r) {
        return r.headers().firstValue("X-Gateway-Cache").orElseThrow();
    }

    private static void awaitReady(GatewayHarness h) throws Exception {
        Await.until(Duration.ofSeconds(120), "embedder loads and sharing is up within 120 s",
                () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY
                        && "up".equals(cacheHealth(h).path("semantic_sharing").asText()));
    }

    @Test
    void aParaphraseOnBOfAPromptAnsweredThroughAIsASemanticHitWithinASecond() throws Exception {
        String url = postgres.freshDatabase();
        GatewayHarness a = gatewayWithModel(url);
        GatewayHarness b = gatewayWithModel(url);
        awaitReady(a);
        awaitReady(b);

        HttpResponse<byte[]> first = a.post("/v1/messages", body("Who wrote Hamlet?"), KEY_A);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cache(first)).isEqualTo("none");
        // A stores the entry on its semantic-store thread after the answer was sent (embedding included)
        Await.until(Duration.ofSeconds(10), "A stores the entry",
                () -> cacheHealth(a).path("semantic_entries").asInt() == 1);
        long storedOnA = System.nanoTime();
        Await.until(Duration.ofSeconds(1), "B has A's entry within a second",
                () -> cacheHealth(b).path("semantic_entries").asInt() == 1);
        Duration sharing = Duration.ofNanos(System.nanoTime() - storedOnA);

        HttpResponse<byte[]> para = b.post("/v1/messages", body("Who is the author of Hamlet?"), KEY_A);
        assertThat(para.statusCode()).isEqualTo(200);
        assertThat(cache(para)).isEqualTo("semantic");
        assertThat(JSON.readTree(para.body()).path("content")).isEqualTo(JSON.readTree(first.body()).path("content"));
        assertThat(b.upstream.received()).as("B answered from A's entry").isEmpty();
        assertThat(sharing).isLessThan(Duration.ofSeconds(1));

        HttpResponse<byte[]> otherKey = b.post("/v1/messages", body("Who is the author of Hamlet?"), KEY_B);
        assertThat(cache(otherKey)).as("another caller's key is never served A's caller's entry").isEqualTo("none");
        assertThat(b.upstream.received()).hasSize(1);
        // B stores that answer under the other key, and it reaches A as an entry of its own scope
        Await.until(Duration.ofSeconds(10), "B's entry for the other key reaches A",
                () -> cacheHealth(a).path("semantic_entries").asInt() == 2);

        JsonNode healthB = cacheHealth(b);
        assertThat(healthB.path("semantic_sharing").asText()).isEqualTo("up");
        assertThat(healthB.path("semantic_shared_received").asLong()).isEqualTo(1);
        assertThat(healthB.path("semantic_shared_published").asLong()).isEqualTo(1);
        assertThat(cacheHealth(a).path("semantic_shared_published").asLong()).isEqualTo(1);
        assertThat(cacheHealth(a).path("semantic_shared_received").asLong()).isEqualTo(1);

        // "wrong answer" on B: the entry leaves A's index too, and A does not serve the paraphrase any more
        String queryId = para.headers().firstValue("X-Gateway-Query-ID").orElseThrow();
        assertThat(b.post("/v1/cache/semantic/" + queryId + "/reject", "").statusCode()).isEqualTo(200);
        Await.until(Duration.ofSeconds(5), "A drops the rejected entry",
                () -> cacheHealth(a).path("semantic_entries").asInt() == 1);
        JsonNode healthA = cacheHealth(a);
        assertThat(healthA.path("semantic_shared_evictions").asLong()).isEqualTo(1);
        assertThat(healthA.path("semantic_negatives").asInt()).isEqualTo(1);
        HttpResponse<byte[]> onA = a.post("/v1/messages", body("Who is the author of Hamlet?"), KEY_A);
        assertThat(cache(onA)).isEqualTo("none");
        assertThat(a.upstream.received()).hasSize(2);
    }

    @Test
    void requestsAreServedWhilePostgresIsDownAndHealthSaysTheSharingIsDown() throws Exception {
        GatewayHarness alone = GatewayHarness.start("");
        open.add(alone);
        assertThat(cacheHealth(alone).path("semantic_sharing").asText()).as("H2: not shared").isEqualTo("off");

        GatewayHarness a = GatewayHarness.start(teamYaml(postgres.freshDatabase()));
        open.add(a);
        Await.until(Duration.ofSeconds(10), "sharing up within 10 s",
                () -> "up".equals(cacheHealth(a).path("semantic_sharing").asText()));
        postgres.stop();
        Await.until(Duration.ofSeconds(10), "health says the sharing is down within 10 s",
                () -> "down".equals(cacheHealth(a).path("semantic_sharing").asText()));
        assertThat(cacheHealth(a).path("semantic_sharing_detail").asText()).startsWith("unreachable");
        long started = System.nanoTime();
        HttpResponse<byte[]> r = a.post("/v1/messages", body("during the outage"), KEY_A);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(JSON.readTree(a.get("/health").body()).path("status").asText()).isEqualTo("ok");

        postgres.restart();
        Await.until(Duration.ofSeconds(15), "sharing up again within 15 s",
                () -> "up".equals(cacheHealth(a).path("semantic_sharing").asText()));
    }
}
