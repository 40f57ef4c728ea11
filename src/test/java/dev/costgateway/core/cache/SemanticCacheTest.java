package dev.costgateway.core.cache;

import static dev.costgateway.core.cache.CacheFixtures.answer;
import static dev.costgateway.core.cache.CacheFixtures.json;
import static dev.costgateway.core.cache.CacheFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.embed.PromptEmbedding;

/** The semantic cache with the real embedding model. */
class SemanticCacheTest {

    private static final String ALICE = ExactCache.scopeHash("sk-ant-alice", GatewayConfig.CacheScope.KEY);
    private static final String BOB = ExactCache.scopeHash("sk-ant-bob", GatewayConfig.CacheScope.KEY);

    private static OnnxEmbedder model;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-02T03:04:05Z"));
    private final InstantSource clock = now::get;
    private final AtomicReference<GatewayConfig.Cache> config = new AtomicReference<>(config(1000));

    @TempDir
    Path dataDir;

    @BeforeAll
    static void loadModel() {
        model = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static GatewayConfig.Cache config(int maxEntries) {
        return new GatewayConfig.Cache(true, GatewayConfig.CacheScope.KEY, 100, Duration.ofSeconds(60), false, "",
                true, SemanticCache.RECOMMENDED_THRESHOLD, Duration.ofDays(7), maxEntries, OnnxEmbedder.ALL_MINILM_L6_V2_Q,
                false, Duration.ofMillis(5));
    }

    private SemanticCache memoryCache() {
        return SemanticCache.inMemory(config::get, () -> Optional.of(model), clock, Runnable::run);
    }

    @Test
    void answersAParaphrase() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));

        Optional<SemanticHit> hit = cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto");

        assertThat(hit).isPresent();
        assertThat(hit.get().answer()).isEqualTo(answer("Shakespeare."));
        assertThat(hit.get().matchedPrompt()).isEqualTo("Who wrote Hamlet?");
        assertThat(hit.get().similarity()).isBetween(SemanticCache.RECOMMENDED_THRESHOLD, 1.0);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            What is 2+2?                                | What is 2+3?
            What is the capital of Austria?             | What is the capital of Australia?
            Is it safe to eat raw eggs?                 | Is it not safe to eat raw eggs?
            Translate "good morning" into French        | Translate "good night" into French
            How do I sort a list in Python?             | How do I sort a list in Rust?
            How do I sort a list in descending order?   | How do I sort a list in ascending order?
            Is the water hot enough for tea?            | Is the water cold enough for tea?
            Summarise chapter 3 of the report           | Summarise chapter 4 of the report
            """)
    void missesNearMisses(String stored, String asked) {
        SemanticCache cache = memoryCache();
        cache.store(request(stored), ALICE, "auto", answer("stored answer"));
        assertThat(cache.lookup(request(asked), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request(stored), ALICE, "auto")).as("the same prompt still hits").isPresent();
    }

    @Test
    void promptsLongerThanTheModelWindowTakeNoPart() {
        String within = "Please review the following paragraph and tell me what it says. "
                + "word ".repeat(OnnxEmbedder.MAX_TOKENS);
        SemanticCache cache = memoryCache();
        cache.store(request(within + "The answer is yes."), ALICE, "auto", answer("yes"));
        assertThat(cache.size()).as("identical to another within the window, so not stored").isZero();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request(within + "The answer is no."), ALICE, "auto")).isEmpty();
        assertThat(model.fitsWindow(within)).isFalse();
        assertThat(model.fitsWindow("Who wrote Hamlet?")).isTrue();
        assertThat(model.fitsWindow("word ".repeat(100))).as("between the bounds: counted").isTrue();
    }

    @Test
    void aRejectedHitEvictsTheEntryAndStopsThePairMatchingAgain() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        PromptEmbedding asked = PromptEmbedding.lazy(() -> Optional.of(model));
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto", asked, "q1"))
                .isPresent();

        assertThat(cache.reject("q1")).isEqualTo(SemanticCache.Rejection.REJECTED);
        assertThat(cache.reject("q1")).as("only once").isEqualTo(SemanticCache.Rejection.UNKNOWN);
        assertThat(cache.reject("never-served")).isEqualTo(SemanticCache.Rejection.UNKNOWN);
        assertThat(cache.size()).isZero();
        assertThat(cache.rejections()).isEqualTo(1);

        // the same prompt is answered and stored again: the rejected pair and its paraphrases still never match
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("who is the author of Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto"))
                .as("the stored prompt itself still hits").isPresent();

        // the right answer to the rejected prompt, once stored, serves it and its paraphrases
        cache.store(request("Who is the author of Hamlet?"), ALICE, "auto", answer("It was Shakespeare."));
        assertThat(cache.lookup(request("who is the author of Hamlet?"), ALICE, "auto"))
                .map(SemanticHit::answer).contains(answer("It was Shakespeare."));
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto"))
                .map(SemanticHit::answer).contains(answer("Shakespeare."));
    }

    @Test
    void aRejectionStaysInItsGroup() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        cache.store(request("Who wrote Hamlet?"), BOB, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto",
                PromptEmbedding.lazy(() -> Optional.of(model)), "q1")).isPresent();
        cache.reject("q1");
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), BOB, "auto"))
                .as("another caller's entry is untouched").isPresent();
    }

    @Test
    void aRejectionSurvivesARestartAsAnEviction() {
        try (SemanticCache first = openCache()) {
            first.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
            first.lookup(request("Who is the author of Hamlet?"), ALICE, "auto",
                    PromptEmbedding.lazy(() -> Optional.of(model)), "q1");
            assertThat(first.reject("q1")).isEqualTo(SemanticCache.Rejection.REJECTED);
        }
        try (SemanticCache second = openCache()) {
            assertThat(second.size()).isZero();
        }
    }

    /** The metrics database's table, as a list (the table itself: {@code SemanticNegativeTableTest}). */
    static final class ListNegativeStore implements SemanticNegativeStore {
        final List<Row> rows = new ArrayList<>();

        @Override
        public synchronized List<Row> load(String model, int limit) {
            return rows.stream().filter(r -> r.model().equals(model))
                    .sorted(Comparator.comparing(Row::rejectedAt).reversed()).limit(limit).toList();
        }

        @Override
        public synchronized void save(Row row) {
            rows.add(row);
        }
    }

    /** One run: reject the paraphrase hit, then answer the stored prompt again (a client asks it once more). */
    private void rejectHamletParaphrase(SemanticCache cache) {
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto",
                PromptEmbedding.lazy(() -> Optional.of(model)), "q1")).isPresent();
        assertThat(cache.reject("q1")).isEqualTo(SemanticCache.Rejection.REJECTED);
    }

    @Test
    void aRejectedPairIsNeverServedAgainAfterARestart() {
        ListNegativeStore kept = new ListNegativeStore();
        SemanticCache first = memoryCache();
        first.keepNegativesIn(kept);
        rejectHamletParaphrase(first);
        assertThat(kept.rows).hasSize(1);
        assertThat(kept.rows.get(0).model()).isEqualTo(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
        assertThat(kept.rows.get(0).rejectedAt()).isEqualTo(now.get());

        SemanticCache forgetful = memoryCache(); // a restart without the kept negatives: the pair matches again
        forgetful.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(forgetful.lookup(request("Who is the author of Hamlet?"), ALICE, "auto")).isPresent();

        SemanticCache restarted = memoryCache();
        restarted.keepNegativesIn(kept);
        assertThat(restarted.negatives()).isEqualTo(1);
        restarted.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(restarted.lookup(request("Who is the author of Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(restarted.lookup(request("who is the author of Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(restarted.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isPresent();
        assertThat(restarted.lookup(request("Who is the author of Hamlet?"), BOB, "auto"))
                .as("another caller's group is untouched").isEmpty();
    }

    @Test
    void negativesOfAnotherModelAreNotReadBack() {
        ListNegativeStore kept = new ListNegativeStore();
        SemanticCache first = memoryCache();
        first.keepNegativesIn(kept);
        rejectHamletParaphrase(first);
        SemanticNegativeStore.Row row = kept.rows.remove(0);
        kept.save(new SemanticNegativeStore.Row(row.group(), "another-model", row.stored(), row.asked(),
                row.similarity(), row.rejectedAt()));

        SemanticCache restarted = memoryCache();
        restarted.keepNegativesIn(kept);
        assertThat(restarted.negatives()).isZero();
    }

    @Test
    void lookupsAreMissesUntilTheKeptNegativesAreRead() {
        ListNegativeStore kept = new ListNegativeStore();
        Queue<Runnable> io = new ArrayDeque<>();
        try (SemanticCache cache = SemanticCache.open(dataDir, config::get, () -> Optional.of(model), clock, io::add,
                Runnable::run)) {
            drain(io);
            cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
            cache.keepNegativesIn(kept);
            assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto"))
                    .as("negatives not read yet").isEmpty();
            drain(io);
            assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto")).isPresent();
        }
    }

    @Test
    void aStoreThatCannotBeReadLeavesTheCacheWorking() {
        SemanticCache cache = memoryCache();
        cache.keepNegativesIn(new SemanticNegativeStore() {
            @Override
            public List<Row> load(String model, int limit) throws Exception {
                throw new java.sql.SQLException("connection refused");
            }

            @Override
            public void save(Row row) throws Exception {
                throw new java.sql.SQLException("connection refused");
            }
        });
        rejectHamletParaphrase(cache);
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto"))
                .as("this run's negative still applies").isEmpty();
    }

    private static void drain(Queue<Runnable> tasks) {
        for (Runnable r = tasks.poll(); r != null; r = tasks.poll()) {
            r.run();
        }
    }

    @Test
    void neverAnswersWithAnotherCallersEntry() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(request("Who wrote Hamlet?"), BOB, "auto")).isEmpty();
        assertThat(cache.lookup(request("Who wrote Hamlet?"), "", "auto")).isEmpty();
    }

    @Test
    void requiresEverythingButTheLastTurnToMatch() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));

        ObjectNode otherSystem = request("Who wrote Hamlet?");
        otherSystem.put("system", "Answer in German.");
        ObjectNode otherModel = request("Who wrote Hamlet?");
        otherModel.put("model", "claude-opus-4-5");
        ObjectNode otherTemperature = request("Who wrote Hamlet?");
        otherTemperature.put("temperature", 0.1);
        ObjectNode longerConversation = json("""
                {"model":"claude-sonnet-4-5","max_tokens":256,"messages":[
                  {"role":"user","content":"Let's talk geography."},
                  {"role":"assistant","content":"Sure."},
                  {"role":"user","content":"Who wrote Hamlet?"}]}""");

        assertThat(cache.lookup(otherSystem, ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(otherModel, ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(otherTemperature, ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(longerConversation, ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "off")).isEmpty();
    }

    @Test
    void matchesTheLastTurnOfALongerConversation() {
        SemanticCache cache = memoryCache();
        String conversation = """
                {"model":"claude-sonnet-4-5","max_tokens":256,"messages":[
                  {"role":"user","content":"Let's talk geography."},
                  {"role":"assistant","content":"Sure."},
                  {"role":"user","content":"%s"}]}""";
        cache.store(json(conversation.formatted("Who wrote Hamlet?")), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.lookup(json(conversation.formatted("Who is the author of Hamlet?")), ALICE, "auto"))
                .isPresent();
    }

    @Test
    void ignoresTurnsThatAreNotPlainUserText() {
        SemanticCache cache = memoryCache();
        ObjectNode image = json("""
                {"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":[
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                  {"type":"text","text":"What is in this picture?"}]}]}""");
        cache.store(image, ALICE, "auto", answer("A cat."));
        assertThat(cache.size()).isZero();
        assertThat(SemanticCache.lastUserText(json("""
                {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hel"}]}""")))
                .isEmpty();
        assertThat(SemanticCache.lastUserText(json("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}""")))
                .contains("a\nb");
    }

    @Test
    void doesNothingWhileTheEmbedderIsNotReady() {
        AtomicReference<Optional<Embedder>> ready = new AtomicReference<>(Optional.empty());
        SemanticCache cache = SemanticCache.inMemory(config::get, ready::get, clock, Runnable::run);
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        assertThat(cache.size()).isZero();

        ready.set(Optional.of(model));
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        ready.set(Optional.empty());
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isEmpty();
    }

    @Test
    void entriesExpireAfterTheSemanticTtl() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        now.set(now.get().plus(Duration.ofDays(6)));
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isPresent();
        now.set(now.get().plus(Duration.ofDays(2)));
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isEmpty();
    }

    @Test
    void evictsTheOldestBeyondTheSizeBound() {
        config.set(config(2));
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        cache.store(request("How tall is Mount Everest?"), ALICE, "auto", answer("8849 m"));
        cache.store(request("Who painted the Mona Lisa?"), ALICE, "auto", answer("Leonardo"));
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("Who painted the Mona Lisa?"), ALICE, "auto")).isPresent();
    }

    @Test
    void storingTheSamePromptAgainReplacesItsAnswer() {
        SemanticCache cache = memoryCache();
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("old"));
        cache.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("new"));
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.lookup(request("Who is the author of Hamlet?"), ALICE, "auto"))
                .map(SemanticHit::answer).contains(answer("new"));
    }

    @Test
    void entriesSurviveARestart() {
        try (SemanticCache first = openCache()) {
            first.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        }
        try (SemanticCache second = openCache()) {
            assertThat(second.loaded()).isTrue();
            assertThat(second.lookup(request("Who is the author of Hamlet?"), ALICE, "auto"))
                    .map(SemanticHit::answer).contains(answer("Shakespeare."));
        }
    }

    @Test
    void expiredEntriesAreDroppedOnRestart() {
        try (SemanticCache first = openCache()) {
            first.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
        }
        now.set(now.get().plus(Duration.ofDays(8)));
        try (SemanticCache second = openCache()) {
            assertThat(second.size()).isZero();
        }
    }

    @Test
    void aCorruptTailKeepsTheEntriesBeforeIt() throws IOException {
        try (SemanticCache first = openCache()) {
            first.store(request("Who wrote Hamlet?"), ALICE, "auto", answer("Shakespeare."));
            first.store(request("Who painted the Mona Lisa?"), ALICE, "auto", answer("Leonardo"));
        }
        Path file = dataDir.resolve(SemanticCache.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7}, StandardOpenOption.APPEND);

        try (SemanticCache second = openCache()) {
            assertThat(second.size()).isEqualTo(1);
            assertThat(second.lookup(request("Who wrote Hamlet?"), ALICE, "auto")).isPresent();
            second.store(request("Who painted the Mona Lisa?"), ALICE, "auto", answer("Leonardo"));
        }
        try (SemanticCache third = openCache()) {
            assertThat(third.size()).as("the damaged tail was dropped and new writes kept").isEqualTo(2);
        }
    }

    @Test
    void aFileOfGarbageIsIgnored() throws IOException {
        Files.writeString(dataDir.resolve(SemanticCache.FILE_NAME), "not a cache file");
        try (SemanticCache cache = openCache()) {
            assertThat(cache.loaded()).isTrue();
            assertThat(cache.size()).isZero();
            cache.store(request("Who painted the Mona Lisa?"), ALICE, "auto", answer("Leonardo"));
            assertThat(cache.lookup(request("Who painted the Mona Lisa?"), ALICE, "auto")).isPresent();
        }
    }

    private SemanticCache openCache() {
        return SemanticCache.open(dataDir, config::get, () -> Optional.of(model), clock, Runnable::run, Runnable::run);
    }
}
