package dev.costgateway.core.cache;

import static dev.costgateway.core.cache.CacheFixtures.answer;
import static dev.costgateway.core.cache.CacheFixtures.config;
import static dev.costgateway.core.cache.CacheFixtures.json;
import static dev.costgateway.core.cache.CacheFixtures.message;
import static dev.costgateway.core.cache.CacheFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.costgateway.core.config.GatewayConfig.CacheScope;

class ExactCacheTest {

    private static final String SCOPE = ExactCache.scopeHash("sk-ant-one", CacheScope.KEY);

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;

    @Test
    void keyIgnoresFieldOrderWhitespaceAndNumberSpelling() {
        ObjectNode a = json("""
                {"model":"claude-sonnet-4-5","max_tokens":256,"temperature":1.0,
                 "messages":[{"role":"user","content":"Hi there"}]}""");
        ObjectNode b = json("""
                {  "messages" : [ { "content" : "Hi there", "role" : "user" } ],
                   "temperature": 1, "max_tokens": 256.0, "model": "claude-sonnet-4-5" }""");
        assertThat(ExactCache.key(a, SCOPE, "auto")).isEqualTo(ExactCache.key(b, SCOPE, "auto"));
    }

    @Test
    void keyTreatsStringContentAsOneTextBlock() {
        ObjectNode plain = request("Hi there");
        ObjectNode blocks = json("""
                {"model":"claude-sonnet-4-5","max_tokens":256,
                 "messages":[{"role":"user","content":[{"type":"text","text":"Hi there"}]}]}""");
        assertThat(ExactCache.key(plain, SCOPE, "auto")).isEqualTo(ExactCache.key(blocks, SCOPE, "auto"));
    }

    @Test
    void keyIgnoresStreamFlagAndMetadata() {
        ObjectNode plain = request("Hi there");
        ObjectNode streamed = request("Hi there");
        streamed.put("stream", true);
        streamed.putObject("metadata").put("user_id", "u-42");
        assertThat(ExactCache.key(plain, SCOPE, "auto")).isEqualTo(ExactCache.key(streamed, SCOPE, "auto"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            model          | "claude-opus-4-5"
            system         | "You are terse."
            temperature    | 0.2
            top_p          | 0.9
            top_k          | 5
            max_tokens     | 1024
            stop_sequences | ["END"]
            tools          | [{"name":"get_weather","input_schema":{"type":"object"}}]
            tool_choice    | {"type":"any"}
            thinking       | {"type":"enabled","budget_tokens":2048}
            """)
    void keyChangesWithEveryFieldThatChangesTheAnswer(String field, String valueJson) throws Exception {
        ObjectNode base = request("Hi there");
        ObjectNode changed = base.deepCopy();
        changed.set(field, CacheFixtures.JSON.readTree(valueJson));
        assertThat(ExactCache.key(changed, SCOPE, "auto")).isNotEqualTo(ExactCache.key(base, SCOPE, "auto"));
    }

    @Test
    void keyChangesWithMessagesRoutingModeAndScope() {
        ObjectNode base = request("Hi there");
        CacheKey key = ExactCache.key(base, SCOPE, "auto");
        assertThat(ExactCache.key(request("Hi there!"), SCOPE, "auto")).isNotEqualTo(key);
        assertThat(ExactCache.key(base, SCOPE, "off")).isNotEqualTo(key);
        assertThat(ExactCache.key(base, ExactCache.scopeHash("sk-ant-two", CacheScope.KEY), "auto"))
                .isNotEqualTo(key);
        assertThat(ExactCache.key(base, "", "auto")).isNotEqualTo(key);
    }

    @Test
    void scopeHashHidesTheKeyAndIgnoresBearerPrefix() {
        String hash = ExactCache.scopeHash("sk-ant-secret-123", CacheScope.KEY);
        assertThat(hash).hasSize(32).matches("[0-9a-f]+").doesNotContain("secret");
        assertThat(ExactCache.scopeHash("Bearer sk-ant-secret-123", CacheScope.KEY)).isEqualTo(hash);
        assertThat(ExactCache.scopeHash("sk-ant-secret-124", CacheScope.KEY)).isNotEqualTo(hash);
        assertThat(ExactCache.scopeHash("sk-ant-secret-123", CacheScope.GLOBAL)).isEmpty();
    }

    @Test
    void oneCallersAnswerIsNeverServedToAnother() {
        try (ExactCache cache = ExactCache.create(config(), ticker)) {
            ObjectNode body = request("What is our internal roadmap?");
            String alice = ExactCache.scopeHash("sk-ant-alice", CacheScope.KEY);
            String bob = ExactCache.scopeHash("sk-ant-bob", CacheScope.KEY);
            cache.put(ExactCache.key(body, alice, "auto"), answer("Alice's roadmap"));

            assertThat(cache.get(ExactCache.key(body, alice, "auto"))).contains(answer("Alice's roadmap"));
            assertThat(cache.get(ExactCache.key(body, bob, "auto"))).isEmpty();
        }
    }

    @Test
    void entriesExpireAfterTheExactTtl() {
        try (ExactCache cache = ExactCache.create(config(), ticker)) {
            CacheKey key = ExactCache.key(request("Hi"), SCOPE, "auto");
            cache.put(key, answer("Hello!"));
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
            assertThat(cache.get(key)).isPresent();
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
            assertThat(cache.get(key)).isEmpty();
        }
    }

    @Test
    void memoryBackendReportsMemory() {
        try (ExactCache cache = ExactCache.create(config(), ticker)) {
            assertThat(cache.status().kind()).isEqualTo(BackendStatus.Kind.MEMORY);
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            end_turn,      false, true
            stop_sequence, false, true
            tool_use,      false, false
            tool_use,      true,  true
            max_tokens,    true,  false
            pause_turn,    true,  false
            refusal,       true,  false
            """)
    void storesOnlyCompleteSuccessfulAnswers(String stopReason, boolean cacheToolUse, boolean stored) {
        assertThat(ExactCache.shouldStore(json(message("x", stopReason)), config("", cacheToolUse)))
                .isEqualTo(stored);
    }

    @Test
    void neverStoresErrorsMalformedMessagesOrWhenDisabled() {
        var cfg = config();
        assertThat(ExactCache.shouldStore(json("""
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""), cfg)).isFalse();
        assertThat(ExactCache.shouldStore(json("""
                {"type":"message","stop_reason":"end_turn"}"""), cfg)).isFalse();
        assertThat(ExactCache.shouldStore(null, cfg)).isFalse();
        var disabled = new dev.costgateway.core.config.GatewayConfig.Cache(false, cfg.scope(), cfg.maxEntries(),
                cfg.exactTtl(), false, "", false, 0.9, cfg.semanticTtl(), 10, cfg.embeddingModel(), false,
                cfg.semanticLookupWait());
        assertThat(ExactCache.shouldStore(json(message("x", "end_turn")), disabled)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", textBlock = """
            off,  null,                  true
            OFF , null,                  true
            on,   null,                  false
            null, no-cache,              true
            null, 'max-age=0, no-store', true
            null, max-age=60,            false
            null, null,                  false
            """)
    void requestOptsOutWithEitherHeader(String gatewayCache, String cacheControl, boolean optsOut) {
        assertThat(ExactCache.requestOptsOut(gatewayCache, cacheControl)).isEqualTo(optsOut);
    }
}
