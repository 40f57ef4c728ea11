package dev.costgateway.core.cache;

import static dev.costgateway.core.cache.CacheFixtures.answer;
import static dev.costgateway.core.cache.CacheFixtures.json;
import static dev.costgateway.core.cache.CacheFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.PromptEmbedding;
import dev.costgateway.testing.FakeEmbedder;

/**
 * What the semantic cache costs the request thread: embeddings are counted on a {@link FakeEmbedder}, and the
 * store executor is a queue the test runs by hand, so "after the response" is explicit.
 */
class SemanticCacheHotPathTest {

    private static final String ALICE = ExactCache.scopeHash("sk-ant-alice", GatewayConfig.CacheScope.KEY);
    private static final int WINDOW_WORDS = 8;

    private final FakeEmbedder embedder = new FakeEmbedder(WINDOW_WORDS);
    private final Queue<Runnable> stores = new ArrayDeque<>();
    private final AtomicReference<GatewayConfig.Cache> config = new AtomicReference<>(config(false));
    private final SemanticCache cache = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
            () -> Instant.parse("2026-01-02T03:04:05Z"), stores::add);

    private static GatewayConfig.Cache config(boolean semanticWithTools) {
        return new GatewayConfig.Cache(true, GatewayConfig.CacheScope.KEY, 100, Duration.ofSeconds(60), false, "",
                true, 0.9, Duration.ofDays(7), 1000, "all-minilm-l6-v2-q", semanticWithTools, Duration.ofMillis(5));
    }

    private void runStores() {
        for (Runnable r = stores.poll(); r != null; r = stores.poll()) {
            r.run();
        }
    }

    @Test
    void aLookupInAnEmptyGroupDoesNotEmbed() {
        assertThat(cache.lookup(request("What is the capital of France?"), ALICE, "auto")).isEmpty();
        assertThat(embedder.calls()).as("empty cache").isZero();

        cache.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        runStores();
        int afterStore = embedder.calls();

        ObjectNode otherGroup = request("What is the capital of France?");
        otherGroup.put("system", "Answer in German.");
        assertThat(cache.lookup(otherGroup, ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("What is the capital of France?"), ALICE, "off")).isEmpty();
        assertThat(embedder.calls()).as("entries exist, but not in this request's group").isEqualTo(afterStore);

        assertThat(cache.lookup(request("What is the capital of France?"), ALICE, "auto")).isPresent();
        assertThat(embedder.calls()).as("same group: now it embeds").isEqualTo(afterStore + 1);
    }

    @Test
    void aPromptNoEntryAgreesWithOnTheVetoChecksIsAMissWithoutEmbedding() {
        cache.store(request("How many days are there in 17 weeks?"), ALICE, "auto", answer("119."));
        cache.store(request("Is it safe to eat raw cookie dough?"), ALICE, "auto", answer("Not really."));
        runStores();
        int afterStore = embedder.calls();

        // other numbers, a negation, a quote, a technology no entry has: no embedding, counted
        assertThat(cache.lookup(request("How many days are there in 18 weeks?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("Is it not safe to eat raw cookie dough?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("What does \"carpe diem\" mean?"), ALICE, "auto")).isEmpty();
        assertThat(cache.lookup(request("How do I read a file in Rust?"), ALICE, "auto")).isEmpty();
        assertThat(embedder.calls()).as("decided by the veto key alone").isEqualTo(afterStore);
        assertThat(cache.vetoedLookups()).isEqualTo(4);

        // the same numbers: it may be a paraphrase, so it is embedded
        cache.lookup(request("How many days do 17 weeks have?"), ALICE, "auto");
        assertThat(embedder.calls()).isEqualTo(afterStore + 1);
        assertThat(cache.lookup(request("How many days are there in 17 weeks?"), ALICE, "auto")).isPresent();
        assertThat(embedder.calls()).isEqualTo(afterStore + 2);
        assertThat(cache.vetoedLookups()).isEqualTo(4);
    }

    @Test
    void anEvictedEntryNoLongerMakesItsVetoKeyEmbed() {
        SemanticGroup group = new SemanticGroup(3);
        SemanticEntry seventeen = new SemanticEntry("g", "How many days are there in 17 weeks?",
                new float[] {1, 0, 0}, answer("119."));
        SemanticEntry again = new SemanticEntry("g", "How many days is 17 weeks?", new float[] {0, 1, 0},
                answer("119 days."));
        NearMissGuard.VetoKey key = NearMissGuard.VetoKey.of(seventeen.features);
        assertThat(NearMissGuard.VetoKey.of(again.features)).isEqualTo(key);
        assertThat(group.mayAccept(key)).isFalse();
        group.add(seventeen);
        group.add(again);
        group.remove(seventeen);
        assertThat(group.mayAccept(key)).as("one entry with the key is left").isTrue();
        group.remove(again);
        group.remove(again); // twice: counted once
        assertThat(group.mayAccept(key)).isFalse();
        assertThat(group.mayAccept(NearMissGuard.VetoKey.of(NearMissGuard.features("How many days in 18 weeks?"))))
                .isFalse();
    }

    @Test
    void theVetoKeyCoversOnlyChecksEveryVerificationPathVetoes() {
        // if a check stops being a veto of the pair verifier, the key must stop using it (or misses appear)
        assertThat(PairVerifier.VETOES).contains("numbers", "negations", "quoted", "technologies");
        assertThat(java.util.Arrays.stream(NearMissGuard.VetoKey.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName))
                .containsExactly("numbers", "negations", "quoted", "technologies");
    }

    @Test
    void storingEmbedsOnTheStoreExecutorNotTheCaller() {
        cache.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        assertThat(embedder.calls()).as("the caller (request thread) returned without embedding").isZero();
        assertThat(cache.size()).isZero();
        assertThat(stores).hasSize(1);

        runStores();
        assertThat(embedder.calls()).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void theProductionStoreExecutorIsOneNamedThread() throws Exception {
        ExecutorService executor = SemanticCache.newStoreExecutor();
        try {
            SemanticCache real = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
                    () -> Instant.parse("2026-01-02T03:04:05Z"), executor);
            real.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
            executor.shutdown();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(embedder.threads()).containsExactly(SemanticCache.STORE_THREAD);
            assertThat(real.size()).isEqualTo(1);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aStoreTheExecutorRefusesIsCountedNotThrown() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        SemanticCache refusing = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
                () -> Instant.parse("2026-01-02T03:04:05Z"), full);
        refusing.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        assertThat(refusing.droppedStores()).isEqualTo(1);
        assertThat(refusing.size()).isZero();
    }

    @Test
    void oneEmbeddingPerRequestAcrossLookupAndStore() {
        cache.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        runStores();
        int before = embedder.calls();

        ObjectNode body = request("Which city is the capital of Spain?");
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(embedder));
        assertThat(cache.lookup(body, ALICE, "auto", prompt)).as("group has an entry, but no match").isEmpty();
        cache.store(body, ALICE, "auto", answer("Madrid."), prompt);
        runStores();
        assertThat(embedder.calls()).as("the store reused the lookup's vector").isEqualTo(before + 1);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void promptsIdenticalWithinTheWindowAndDifferentAfterItNeverHit() {
        String within = "please summarise the quarterly report for the whole";
        assertThat(within.split(" ")).hasSize(WINDOW_WORDS);
        ObjectNode stored = request(within + " sales team");
        ObjectNode asked = request(within + " engineering team");
        assertThat(embedder.embed(stored.at("/messages/0/content").asText()))
                .as("the fake model cannot tell them apart").isEqualTo(
                        embedder.embed(asked.at("/messages/0/content").asText()));

        cache.store(stored, ALICE, "auto", answer("Sales were up."));
        runStores();
        assertThat(cache.size()).as("a prompt beyond the window is not stored").isZero();

        cache.store(request(within), ALICE, "auto", answer("Fits the window."));
        runStores();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.lookup(asked, ALICE, "auto")).as("nor looked up").isEmpty();
        assertThat(cache.lookup(request(within), ALICE, "auto")).as("a prompt within the window still hits")
                .isPresent();
    }

    @Test
    void requestsWithToolsBypassTheSemanticCacheByDefault() {
        ObjectNode withTools = withTools(request("What is the weather in Paris today?"));
        cache.store(withTools, ALICE, "auto", answer("Sunny."));
        assertThat(stores).as("nothing queued for a tool-bearing request").isEmpty();
        assertThat(cache.lookup(withTools, ALICE, "auto")).isEmpty();
        assertThat(embedder.calls()).isZero();

        ObjectNode emptyTools = request("What is the weather in Paris today?");
        emptyTools.putArray("tools");
        cache.store(emptyTools, ALICE, "auto", answer("Sunny."));
        runStores();
        assertThat(cache.size()).as("an empty tools array carries no tools").isEqualTo(1);
    }

    @Test
    void semanticWithToolsLetsThemTakePart() {
        config.set(config(true));
        cache.store(withTools(request("What is the weather in Paris today?")), ALICE, "auto", answer("Sunny."));
        runStores();
        assertThat(cache.lookup(withTools(request("what is the weather in Paris today")), ALICE, "auto"))
                .isPresent();
        assertThat(cache.lookup(request("what is the weather in Paris today"), ALICE, "auto"))
                .as("tools are part of the group").isEmpty();
    }

    /**
     * A cache holding "What is the capital of France?" whose lookups never wait for their embedding: it is queued
     * on {@code embeds}, which the test runs (or not) by hand.
     */
    private SemanticCache parisWithNoLookupWait(Queue<Runnable> embeds) {
        SemanticCache budgeted = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
                () -> Instant.parse("2026-01-02T03:04:05Z"), stores::add,
                new LookupEmbedding(embeds::add, Duration.ZERO));
        budgeted.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        runStores();
        return budgeted;
    }

    @Test
    void aLateLookupLooksAgainOnceItsVectorIsThereAndOnlyThen() {
        Queue<Runnable> embeds = new ArrayDeque<>();
        SemanticCache budgeted = parisWithNoLookupWait(embeds);

        ObjectNode body = request("what is the capital of France");
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(embedder));
        assertThat(budgeted.lookup(body, ALICE, "auto", prompt, "q1")).as("late: a miss").isEmpty();
        assertThat(budgeted.lookupAgainIfLate(body, ALICE, "auto", prompt, "q1"))
                .as("the vector is still not there: no wait, no embedding").isEmpty();
        int before = embedder.calls();

        ObjectNode second = request("what is the capital of France");
        PromptEmbedding secondPrompt = PromptEmbedding.lazy(() -> Optional.of(embedder));
        assertThat(budgeted.lookup(second, ALICE, "auto", secondPrompt, "q2")).isEmpty();
        secondPrompt.vector("what is the capital of France"); // another stage of the request takes the queued one over
        assertThat(embedder.calls()).isEqualTo(before + 1);
        Optional<SemanticHit> late = budgeted.lookupAgainIfLate(second, ALICE, "auto", secondPrompt, "q2");
        assertThat(late).as("the paraphrase is served after all").isPresent();
        assertThat(budgeted.lateHits()).isEqualTo(1);
        assertThat(budgeted.lookupAgainIfLate(second, ALICE, "auto", secondPrompt, "q2")).as("once").isEmpty();

        ObjectNode onTime = request("What is the capital of France?");
        PromptEmbedding ready = PromptEmbedding.lazy(() -> Optional.of(embedder));
        ready.vector("What is the capital of France?");
        assertThat(budgeted.lookup(onTime, ALICE, "auto", ready, "q3")).isPresent();
        assertThat(budgeted.lookupAgainIfLate(onTime, ALICE, "auto", ready, "q3"))
                .as("a lookup that had its vector is not repeated").isEmpty();
        assertThat(budgeted.lateHits()).isEqualTo(1);
        assertThat(budgeted.reject("q2")).as("a late hit can be rejected like any").isEqualTo(
                SemanticCache.Rejection.REJECTED);
    }

    @Test
    void aLookupUsesTheEmbeddingOnlyIfItIsReadyWithinTheBudgetAndTheStoreReusesALateOne() {
        Queue<Runnable> embeds = new ArrayDeque<>();
        SemanticCache budgeted = parisWithNoLookupWait(embeds);
        int afterStore = embedder.calls();

        ObjectNode body = request("what is the capital of France");
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(embedder));
        assertThat(budgeted.lookup(body, ALICE, "auto", prompt)).as("embedding not ready: a miss, at once").isEmpty();
        assertThat(embedder.calls()).as("nothing embedded on the request thread").isEqualTo(afterStore);
        assertThat(embeds).as("the embedding is queued on the embed executor").hasSize(1);
        assertThat(budgeted.lateEmbeddings()).isEqualTo(1);

        budgeted.store(body, ALICE, "auto", answer("Paris."), prompt);
        embeds.poll().run(); // the embedding finishes after the answer went upstream
        runStores();
        assertThat(embedder.calls()).as("the store used the late vector").isEqualTo(afterStore + 1);

        ObjectNode again = request("what is the capital of France");
        PromptEmbedding ready = PromptEmbedding.lazy(() -> Optional.of(embedder));
        ready.vector("what is the capital of France"); // e.g. the router already embedded it
        assertThat(budgeted.lookup(again, ALICE, "auto", ready)).as("a vector that is ready is used").isPresent();
        assertThat(embeds).isEmpty();
    }

    @Test
    void aLookupTheEmbedExecutorRefusesIsAMissNotAnError() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        SemanticCache budgeted = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
                () -> Instant.parse("2026-01-02T03:04:05Z"), stores::add, new LookupEmbedding(full, Duration.ZERO));
        budgeted.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
        runStores();
        int afterStore = embedder.calls();
        ObjectNode body = request("what is the capital of France");
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(embedder));
        assertThat(budgeted.lookup(body, ALICE, "auto", prompt)).isEmpty();
        assertThat(budgeted.lateEmbeddings()).isEqualTo(1);
        budgeted.store(body, ALICE, "auto", answer("Paris."), prompt);
        runStores();
        assertThat(embedder.calls()).as("the store embeds it itself, on the store executor")
                .isEqualTo(afterStore + 1);
    }

    @Test
    void theProductionEmbedExecutorIsOneNamedThreadAndAHitWithinTheBudgetIsServed() throws Exception {
        ExecutorService executor = SemanticCache.newEmbedExecutor();
        try {
            // a generous budget: this checks where the model runs, not how fast
            SemanticCache real = SemanticCache.inMemory(config::get, () -> Optional.of(embedder),
                    () -> Instant.parse("2026-01-02T03:04:05Z"), stores::add,
                    new LookupEmbedding(executor, Duration.ofSeconds(30)));
            real.store(request("What is the capital of France?"), ALICE, "auto", answer("Paris."));
            runStores();
            int storeThreads = embedder.threads().size();
            assertThat(real.lookup(request("what is the capital of France"), ALICE, "auto")).isPresent();
            assertThat(embedder.threads().subList(storeThreads, embedder.threads().size()))
                    .containsExactly(SemanticCache.EMBED_THREAD);
            assertThat(real.lateEmbeddings()).isZero();
        } finally {
            executor.shutdownNow();
        }
    }

    private static ObjectNode withTools(ObjectNode body) {
        body.set("tools", json("""
                {"tools":[{"name":"get_weather","description":"Weather for a city",
                  "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}""").get("tools"));
        return body;
    }
}
