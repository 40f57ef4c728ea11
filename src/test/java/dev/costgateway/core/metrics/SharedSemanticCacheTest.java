package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.cache.CachedAnswer;
import dev.costgateway.core.cache.ExactCache;
import dev.costgateway.core.cache.SemanticCache;
import dev.costgateway.core.cache.SemanticHit;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.embed.PromptEmbedding;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.PostgresServer;

/**
 * Two semantic caches (two gateways) sharing entries through one real PostgreSQL, with the real embedding model:
 * a paraphrase on B of a prompt stored by A is a hit within a second, never for another caller's key, and a hit
 * rejected on B evicts the entry on A and blocks the pair there too.
 */
class SharedSemanticCacheTest {

    private static final String ALICE = ExactCache.scopeHash("sk-test-alice", GatewayConfig.CacheScope.KEY);
    private static final String BOB = ExactCache.scopeHash("sk-test-bob", GatewayConfig.CacheScope.KEY);
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static OnnxEmbedder model;

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final GatewayConfig.Cache cfg = new GatewayConfig.Cache(true, GatewayConfig.CacheScope.KEY, 100,
            Duration.ofSeconds(60), false, "", true, SemanticCache.RECOMMENDED_THRESHOLD, Duration.ofDays(7), 1000,
            OnnxEmbedder.ALL_MINILM_L6_V2_Q, false, Duration.ofMillis(5));

    @BeforeAll
    static void loadModel() {
        model = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A gateway's semantic cache on the shared database: kept negatives and shared entries, as wired. */
    private SemanticCache gateway(String jdbcUrl, String instance) throws Exception {
        MetricsDatabase db = MetricsDatabase.forUrl(jdbcUrl, dataDir, name -> null);
        open.add(db);
        try (java.sql.Connection c = db.open()) {
            MetricsSchema.migrate(c, Dialect.POSTGRESQL, clock); // as the gateway's metrics store does at start
        }
        PostgresSemanticShare share = new PostgresSemanticShare(db, instance, clock);
        open.add(share);
        SemanticCache cache = SemanticCache.inMemory(() -> cfg, () -> Optional.of(model), clock, Runnable::run);
        cache.keepNegativesIn(new SemanticNegativeTable(db.connections()));
        cache.shareThrough(share);
        return cache;
    }

    private static void awaitListening(SemanticCache cache) throws InterruptedException {
        Await.until(Duration.ofSeconds(10), "listening within 10 s",
                () -> cache.sharing().orElseThrow().up());
    }

    private static Optional<SemanticHit> ask(SemanticCache cache, String text, String scope, String queryId) {
        return cache.lookup(request(text), scope, "auto", PromptEmbedding.lazy(() -> Optional.of(model)), queryId);
    }

    @Test
    void aParaphraseOnBOfAPromptStoredOnAIsAHitWithinASecondForTheSameKeyOnly() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        SemanticCache a = gateway(url, "gateway-a");
        SemanticCache b = gateway(url, "gateway-b");
        awaitListening(a);
        awaitListening(b);

        long stored = System.nanoTime();
        a.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        SemanticHit hit = Await.value(Duration.ofSeconds(1), "B hits within a second of A's store",
                () -> ask(b, "Who is the author of Hamlet?", ALICE, ""));
        Duration latency = Duration.ofNanos(System.nanoTime() - stored);
        assertThat(new String(hit.answer().messageJson(), StandardCharsets.UTF_8)).contains("Shakespeare.");
        assertThat(hit.answer().storedAt()).isEqualTo(T);
        assertThat(latency).isLessThan(Duration.ofSeconds(1));

        assertThat(ask(b, "Who is the author of Hamlet?", BOB, "")).as("another caller's key").isEmpty();
        assertThat(ask(b, "Who wrote Hamlet?", BOB, "")).as("another key, same words").isEmpty();
        assertThat(b.sharing().orElseThrow().received()).isEqualTo(1);
        assertThat(a.sharing().orElseThrow().published()).isEqualTo(1);
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void aHitRejectedOnBEvictsTheEntryOnAAndBlocksThePairThere() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        SemanticCache a = gateway(url, "gateway-a");
        SemanticCache b = gateway(url, "gateway-b");
        awaitListening(a);
        awaitListening(b);
        a.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        Await.value(Duration.ofSeconds(5), "B has A's entry", () -> ask(b, "Who is the author of Hamlet?", ALICE,
                "q1"));
        assertThat(ask(a, "Who is the author of Hamlet?", ALICE, "")).as("A hits before the rejection").isPresent();

        assertThat(b.reject("q1")).isEqualTo(SemanticCache.Rejection.REJECTED);
        Await.until(Duration.ofSeconds(5), "A drops the entry B's caller rejected", () -> a.size() == 0);
        assertThat(a.sharedEvictions()).isEqualTo(1);
        assertThat(a.negatives()).as("the rejected pair is a negative on A too").isEqualTo(1);
        assertThat(ask(a, "Who is the author of Hamlet?", ALICE, "")).isEmpty();

        // A answers the prompt again from upstream and stores it: the paraphrase stays blocked on both
        a.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(ask(a, "Who wrote Hamlet?", ALICE, "")).as("the prompt itself").isPresent();
        assertThat(ask(a, "Who is the author of Hamlet?", ALICE, "")).isEmpty();
        Await.until(Duration.ofSeconds(5), "B has A's new entry", () -> b.size() == 1);
        assertThat(ask(b, "Who is the author of Hamlet?", ALICE, "")).isEmpty();
        assertThat(b.negatives()).as("B's own rejection, once").isEqualTo(1);
    }

    @Test
    void aGatewayStartedLaterServesTheTeamsEntriesButNotTheEvictedOnes() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        SemanticCache a = gateway(url, "gateway-a");
        awaitListening(a);
        a.store(request("Who painted the Mona Lisa?"), ALICE, "auto", answer("Leonardo"));
        a.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(ask(a, "Who is the author of Hamlet?", ALICE, "q2")).isPresent();
        assertThat(a.reject("q2")).isEqualTo(SemanticCache.Rejection.REJECTED);
        Await.until(Duration.ofSeconds(5), "A's writes done", () -> a.sharing().orElseThrow().published() == 2);

        SemanticCache c = gateway(url, "gateway-c");
        Await.until(Duration.ofSeconds(5), "C reads the live entries", () -> c.size() == 1);
        assertThat(ask(c, "Who painted the Mona Lisa?", ALICE, "")).isPresent();
        assertThat(ask(c, "Who is the author of Hamlet?", ALICE, "")).as("evicted by A's rejection").isEmpty();
        Await.until(Duration.ofSeconds(5), "C reads the kept negative", () -> c.negatives() == 1);
        assertThat(c.sharedEvictions()).as("nothing to evict: the row was read as evicted").isZero();
    }

    private static ObjectNode request(String text) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        body.put("model", "claude-sonnet-4-5");
        body.put("max_tokens", 256);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    private static CachedAnswer answer(String text) {
        String message = "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\""
                + text + "\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}";
        return new CachedAnswer(message.getBytes(StandardCharsets.UTF_8), "claude-haiku-4-5", new Usage(5, 3, 0, 0, 0, 0),
                T);
    }
}
