package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.cache.CachedAnswer;
import dev.costgateway.core.cache.ExactCache;
import dev.costgateway.core.cache.SemanticCache;
import dev.costgateway.core.cache.SemanticNegativeStore;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.embed.PromptEmbedding;

/**
 * Rejected semantic hits in the metrics database (migration V4), on H2 and PostgreSQL: kept across a restart of
 * the store, and a rejected pair is not served by a semantic cache started afterwards on the same database.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class SemanticNegativeTableTest {

    private static final String ALICE = ExactCache.scopeHash("sk-test-alice", GatewayConfig.CacheScope.KEY);
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static OnnxEmbedder model;

    @Parameter
    StoreBackend backend;

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T);
    private String jdbcUrl;
    private MetricsStore store;

    @BeforeAll
    static void loadModel() {
        model = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @BeforeEach
    void freshDatabase() {
        jdbcUrl = backend.prepare(dataDir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private MetricsStore reopen() {
        if (store != null) {
            store.close();
        }
        store = MetricsStore.open(StoreBackend.on(jdbcUrl, Records.config(false, 100)), dataDir, clock);
        return store;
    }

    @Test
    void keepsRowsAcrossARestartNewestFirstPerModel() throws Exception {
        SemanticNegativeStore table = reopen().semanticNegatives();
        float[] stored = {0.6f, 0.8f, 0f};
        float[] asked = {0.8f, 0.6f, -0f};
        table.save(new SemanticNegativeStore.Row("g1", "m", stored, asked, 0.96, T));
        table.save(new SemanticNegativeStore.Row("g2", "m", asked, stored, 0.91, T.plusSeconds(60)));
        table.save(new SemanticNegativeStore.Row("g1", "other-model", stored, asked, 0.5, T.plusSeconds(120)));

        List<SemanticNegativeStore.Row> rows = reopen().semanticNegatives().load("m", 10);
        assertThat(rows).extracting(SemanticNegativeStore.Row::group).containsExactly("g2", "g1");
        SemanticNegativeStore.Row older = rows.get(1);
        assertThat(older.model()).isEqualTo("m");
        assertThat(older.stored()).containsExactly(stored);
        assertThat(older.asked()).containsExactly(asked);
        assertThat(older.similarity()).isEqualTo(0.96);
        assertThat(older.rejectedAt()).isEqualTo(T);
        assertThat(store.semanticNegatives().load("m", 1)).extracting(SemanticNegativeStore.Row::group)
                .containsExactly("g2");
        assertThat(store.semanticNegatives().load("unknown", 10)).isEmpty();

        // the dashboard's count of hits reported wrong: every model, by the time of the report, [from, to)
        assertThat(store.semanticRejections(null, null)).isEqualTo(3);
        assertThat(store.semanticRejections(T.plusSeconds(60), null)).isEqualTo(2);
        assertThat(store.semanticRejections(T, T.plusSeconds(60))).isEqualTo(1);
        assertThat(store.semanticRejections(T.plusSeconds(121), null)).isZero();
    }

    @Test
    void aRejectedPairIsNotServedAfterTheGatewayRestarts() {
        SemanticCache first = cacheOn(reopen());
        first.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(first.lookup(request("Who is the author of Hamlet?"), ALICE, "auto",
                PromptEmbedding.lazy(() -> Optional.of(model)), "q1")).isPresent();
        assertThat(first.reject("q1")).isEqualTo(SemanticCache.Rejection.REJECTED);

        SemanticCache restarted = cacheOn(reopen());
        assertThat(restarted.negatives()).isEqualTo(1);
        restarted.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(restarted.lookup(request("Who is the author of Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(restarted.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).as("the prompt itself")
                .isPresent();
    }

    private SemanticCache cacheOn(MetricsStore metrics) {
        GatewayConfig.Cache cfg = new GatewayConfig.Cache(true, GatewayConfig.CacheScope.KEY, 100,
                Duration.ofSeconds(60), false, "", true, SemanticCache.RECOMMENDED_THRESHOLD, Duration.ofDays(7), 1000,
                OnnxEmbedder.ALL_MINILM_L6_V2_Q, false, Duration.ofMillis(5));
        SemanticCache cache = SemanticCache.inMemory(() -> cfg, () -> Optional.of(model), clock, Runnable::run);
        cache.keepNegativesIn(metrics.semanticNegatives());
        return cache;
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
