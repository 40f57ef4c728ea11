package dev.costgateway.core.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.PromptEmbedding;

/**
 * The semantic cache: answers a request whose last user turn paraphrases an earlier one, when everything else
 * (scope, requested model, routing mode, system prompt, tools, sampling parameters, earlier turns) is identical.
 * Only text-only last user turns take part.
 *
 * <p>A hit needs cosine similarity ≥ {@code cache.semantic_threshold}, agreement on numbers, negations, quoted
 * text, technologies and names ({@link NearMissGuard}), and the {@link PairVerifier}'s yes: a logistic model
 * over the cosine, the other guards' signals and lexical overlap, trained for the embedding model. For a model
 * without trained weights every guard must agree and the cosine be at least {@value #GUARDS_ONLY_THRESHOLD}. Entries expire after {@code cache.semantic_ttl};
 * beyond {@code cache.semantic_max_entries} the oldest go first. With a data folder, entries are appended to
 * {@value #FILE_NAME} and read back in the background at start (the file is compacted then, and a corrupt tail
 * is dropped); the prompt and answer text are stored there in clear, like the answers in the exact cache. With a
 * {@link SemanticShare} ({@link #shareThrough}, the team's PostgreSQL) every entry stored is also published, every
 * rejection evicts the entry on every gateway, and the other gateways' entries join this cache's index.
 *
 * <p>Off the request path: {@link #lookup} embeds the prompt only when its group has entries (a request nothing
 * could match costs one hash), on the embed executor, and uses the vector only if it is ready within a small
 * budget ({@link LookupEmbedding}; otherwise the request goes on as a miss), and {@link #store} hands its work, embedding included, to the injected store
 * executor, after the answer was sent. One embedding per request: both go through the request's
 * {@link PromptEmbedding}. Requests with {@code tools} take part only with {@code cache.semantic_with_tools}.
 *
 * <p>The embedding window: a prompt that does not fit the model's window ({@link Embedder#fitsWindow}; 256
 * tokens for all-MiniLM-L6-v2) is neither stored nor looked up, since two prompts identical within the window and
 * different after it would embed identically.
 *
 * <p>Thread-safe. {@link #lookup} and {@link #store} never block on model or file loading: without a ready
 * embedder they do nothing. File writes run on the injected io executor.
 */
public final class SemanticCache implements Closeable {

    /**
     * The default {@code cache.semantic_threshold}: the cosine floor the shipped {@link PairVerifier} was trained
     * and measured with (see {@code docs/semantic-cache-eval.md}); above it the verifier decides.
     */
    public static final double RECOMMENDED_THRESHOLD = 0.75;

    /**
     * The cosine the guards alone need when no verifier is trained for the configured model: the lowest that kept
     * pooled near-miss false hits ≤ 0.5 % and every set ≤ 1 % on the tuning split with all-MiniLM-L6-v2.
     */
    static final double GUARDS_ONLY_THRESHOLD = 0.955;

    /** Name of the thread {@link #newStoreExecutor()} creates. */
    public static final String STORE_THREAD = "semantic-store";
    /** Stores waiting for {@value #STORE_THREAD} at most; more are dropped. */
    static final int STORE_QUEUE = 256;
    /** Semantic hits remembered for {@link #reject}. */
    static final int REMEMBERED_HITS = 10_000;
    /** Kept negatives read back at start at most (the most recent). */
    static final int LOADED_NEGATIVES = 10_000;

    /** File in the data folder holding the entries. */
    public static final String FILE_NAME = "semantic-cache.bin";

    private static final Logger LOG = LoggerFactory.getLogger(SemanticCache.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int COMPACT_SLACK = 1024;

    private final Supplier<GatewayConfig.Cache> config;
    private final Supplier<Optional<Embedder>> embedder;
    private final InstantSource clock;
    private final SerialExecutor io;
    private final SemanticJournal journal;
    private final Map<String, SemanticGroup> groups = new ConcurrentHashMap<>();
    private final Executor storeExecutor;
    private final LookupEmbedding lookupEmbedding;
    private final PairVerifier verifier = PairVerifier.bundled();
    private final LongAdder droppedStores = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private final LongAdder lateHits = new LongAdder();
    /** Lookups that were misses before any embedding: no entry of the group passes the veto checks. */
    private final LongAdder vetoedLookups = new LongAdder();
    /** Requests whose lookup went on without a vector, until their second look (weak: a request that ends first leaves none). */
    private final Cache<ObjectNode, Boolean> lateLookups = Caffeine.newBuilder().weakKeys().executor(Runnable::run)
            .build();
    /** Recent semantic hits by query id, for {@link #reject}. */
    private final Cache<String, Served> served = Caffeine.newBuilder().maximumSize(REMEMBERED_HITS)
            .executor(Runnable::run).build();
    /** Rejected pairs by group key. */
    private final Map<String, List<SemanticNegative>> negatives = new ConcurrentHashMap<>();
    /** Where rejected pairs are kept across restarts; null: in memory only. */
    private volatile SemanticNegativeStore negativeStore;
    /** Where entries are shared with other gateways; null: this gateway's only. */
    private volatile SemanticShare share;
    /** Entries of other gateways evicted here because a gateway rejected a hit they served. */
    private final LongAdder sharedEvictions = new LongAdder();
    /** False from {@link #keepNegativesIn} until the kept negatives are read: lookups are misses meanwhile. */
    private volatile boolean negativesLoaded = true;
    /** Insertion order (oldest first); guarded by {@code this}, like {@link #live}. */
    private final Deque<SemanticEntry> order = new ArrayDeque<>();
    private int live;
    private volatile boolean loaded;
    /** Records appended since the last compaction; touched only on the io executor. */
    private long appended;
    /** Whether the file is open for appending; touched only on the io executor. */
    private boolean persistent;

    private SemanticCache(Supplier<GatewayConfig.Cache> config, Supplier<Optional<Embedder>> embedder,
            InstantSource clock, Executor io, Executor storeExecutor, LookupEmbedding lookupEmbedding,
            SemanticJournal journal) {
        this.config = Objects.requireNonNull(config);
        this.storeExecutor = Objects.requireNonNull(storeExecutor);
        this.lookupEmbedding = Objects.requireNonNull(lookupEmbedding);
        this.embedder = Objects.requireNonNull(embedder);
        this.clock = Objects.requireNonNull(clock);
        this.io = io == null ? null : new SerialExecutor(io);
        this.journal = journal;
    }

    /**
     * A cache persisted in {@code dataDir}. Returns at once; the file is read on {@code ioExecutor} (lookups meanwhile
     * see only entries stored since).
     *
     * @param config     read on every call, so a reloaded configuration applies at once
     * @param embedder   the embedder once ready (e.g. {@code embedderService::ready}); must not block
     * @param ioExecutor runs file reads and writes; tasks are serialised here, so any executor will do
     * @param storeExecutor runs {@link #store}'s embedding and insertion after the answer was sent (production:
     *                      {@link #newStoreExecutor()}; tests: a queue they run by hand)
     */
    public static SemanticCache open(Path dataDir, Supplier<GatewayConfig.Cache> config,
            Supplier<Optional<Embedder>> embedder, InstantSource clock, Executor ioExecutor, Executor storeExecutor) {
        return open(dataDir, config, embedder, clock, ioExecutor, storeExecutor, LookupEmbedding.onCaller());
    }

    /**
     * As {@link #open(Path, Supplier, Supplier, InstantSource, Executor, Executor)}, with lookups that embed on
     * {@code embedExecutor} and wait for it at most {@code cache.semantic_lookup_wait_ms} (then the request goes on
     * as a miss, and the store reuses the late vector). Production: {@link #newEmbedExecutor()}.
     */
    public static SemanticCache open(Path dataDir, Supplier<GatewayConfig.Cache> config,
            Supplier<Optional<Embedder>> embedder, InstantSource clock, Executor ioExecutor, Executor storeExecutor,
            Executor embedExecutor) {
        return open(dataDir, config, embedder, clock, ioExecutor, storeExecutor,
                new LookupEmbedding(embedExecutor, () -> config.get().semanticLookupWait()));
    }

    static SemanticCache open(Path dataDir, Supplier<GatewayConfig.Cache> config,
            Supplier<Optional<Embedder>> embedder, InstantSource clock, Executor ioExecutor, Executor storeExecutor,
            LookupEmbedding lookupEmbedding) {
        SemanticJournal journal = new SemanticJournal(dataDir.resolve(FILE_NAME), config.get().embeddingModel());
        SemanticCache cache = new SemanticCache(config, embedder, clock, ioExecutor, storeExecutor, lookupEmbedding,
                journal);
        cache.io.execute(cache::loadFromDisk);
        return cache;
    }

    /**
     * A cache that lives in memory only; {@code storeExecutor} as for {@link #open}. Lookups embed on the caller
     * (tests and tools that have no request to protect).
     */
    public static SemanticCache inMemory(Supplier<GatewayConfig.Cache> config, Supplier<Optional<Embedder>> embedder,
            InstantSource clock, Executor storeExecutor) {
        return inMemory(config, embedder, clock, storeExecutor, LookupEmbedding.onCaller());
    }

    static SemanticCache inMemory(Supplier<GatewayConfig.Cache> config, Supplier<Optional<Embedder>> embedder,
            InstantSource clock, Executor storeExecutor, LookupEmbedding lookupEmbedding) {
        SemanticCache cache = new SemanticCache(config, embedder, clock, null, storeExecutor, lookupEmbedding, null);
        cache.loaded = true;
        return cache;
    }

    /**
     * The executor production uses for the lookup's embedding: one daemon thread named {@value #EMBED_THREAD}
     * with a short queue (a lookup beyond it is a miss). Shut it down after {@link #close}.
     */
    public static ExecutorService newEmbedExecutor() {
        return LookupEmbedding.newExecutor();
    }

    /** Name of the thread {@link #newEmbedExecutor()} creates. */
    public static final String EMBED_THREAD = LookupEmbedding.THREAD;

    /** Lookups that went on as misses because the prompt's embedding was not ready within the budget. */
    public long lateEmbeddings() {
        return lookupEmbedding.late();
    }

    /**
     * The executor production uses for {@link #store}: one daemon thread named {@value #STORE_THREAD} with a
     * queue of {@value #STORE_QUEUE} stores; beyond that, stores are dropped (and counted) rather than piling up
     * behind a slow model. Shut it down after {@link #close}.
     */
    public static ExecutorService newStoreExecutor() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(STORE_QUEUE), r -> {
            Thread t = new Thread(r, STORE_THREAD);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * The stored answer of the most similar earlier prompt in the same group, if it passes threshold and guards.
     * Empty when the semantic cache is off, the embedder is not ready, or the request does not qualify. Embeds the
     * prompt (through {@code prompt}, so a later {@link #store} of the same request reuses the vector) only when
     * the request's group has entries; otherwise it costs one hash of the request.
     *
     * @param scopeHash   as for {@link ExactCache#key}
     * @param routingMode as for {@link ExactCache#key}
     * @param prompt      this request's embeddings
     */
    public Optional<SemanticHit> lookup(ObjectNode body, String scopeHash, String routingMode, PromptEmbedding prompt) {
        return lookup(body, scopeHash, routingMode, prompt, "");
    }

    /**
     * As {@link #lookup(ObjectNode, String, String, PromptEmbedding)}; a hit is remembered under {@code queryId}
     * (when not empty) so that {@link #reject} can undo it.
     */
    public Optional<SemanticHit> lookup(ObjectNode body, String scopeHash, String routingMode, PromptEmbedding prompt,
            String queryId) {
        return find(body, scopeHash, routingMode, queryId, text -> {
            Optional<float[]> v = lookupEmbedding.vector(prompt, text);
            if (v.isEmpty()) {
                lateLookups.put(body, Boolean.TRUE); // it may finish while the request is routed: see lookupAgainIfLate
            }
            return v;
        });
    }

    /**
     * The second look of a request whose {@link #lookup} went on without its vector (late, or its queue full), once
     * the vector is there (its embedding went on on {@code semantic-embed} while the request was routed and
     * budgeted): never embeds, never waits. Under load a paraphrase is then
     * still served from the cache rather than sent upstream. Skipped while other prompts wait for the embedding
     * thread (saturated: at 32 concurrent unique requests the extra index searches cost a fifth of the throughput).
     * Empty for every other request, at the cost of a map look-up.
     */
    public Optional<SemanticHit> lookupAgainIfLate(ObjectNode body, String scopeHash, String routingMode,
            PromptEmbedding prompt, String queryId) {
        if (lateLookups.asMap().remove(body) == null || lookupEmbedding.backlogged()) {
            // with prompts queued for embedding the machine is saturated: the index search would only deepen it
            return Optional.empty();
        }
        Optional<SemanticHit> hit = find(body, scopeHash, routingMode, queryId, prompt::ifComputed);
        hit.ifPresent(h -> lateHits.increment());
        return hit;
    }

    /**
     * Lookups whose group had entries but none that agrees with the prompt on numbers, negations, quotes and
     * technologies ({@link NearMissGuard.VetoKey}): misses decided without embedding the prompt, since start.
     */
    public long vetoedLookups() {
        return vetoedLookups.sum();
    }

    /** Semantic hits found by {@link #lookupAgainIfLate}, since start. */
    public long lateHits() {
        return lateHits.sum();
    }

    private Optional<SemanticHit> find(ObjectNode body, String scopeHash, String routingMode, String queryId,
            java.util.function.Function<String, Optional<float[]>> vectorOf) {
        GatewayConfig.Cache cfg = config.get();
        if (!takesPart(body, cfg) || groups.isEmpty() || !negativesLoaded) {
            return Optional.empty();
        }
        Optional<String> text = lastUserText(body);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String key = groupKey(body, scopeHash, routingMode);
        SemanticGroup group = groups.get(key);
        if (group == null || group.size() == 0) {
            return Optional.empty();
        }
        NearMissGuard.Features features = NearMissGuard.features(text.get());
        if (!group.mayAccept(NearMissGuard.VetoKey.of(features))) {
            // no entry agrees on numbers, negations, quotes and technologies: a miss without embedding the prompt
            vetoedLookups.increment();
            return Optional.empty();
        }
        Optional<float[]> vector = vectorOf.apply(text.get());
        if (vector.isEmpty()) {
            return Optional.empty();
        }
        float[] query = vector.get();
        Instant notBefore = clock.instant().minus(cfg.semanticTtl());
        List<SemanticNegative> known = negatives.getOrDefault(key, List.of());
        PairVerifier pairs = verifier.model().equals(cfg.embeddingModel()) ? verifier : null;
        double floor = pairs != null ? Math.max(cfg.semanticThreshold(), pairs.minCosine())
                : Math.max(cfg.semanticThreshold(), GUARDS_ONLY_THRESHOLD);
        Optional<SemanticGroup.Match> match = group.bestMatch(query, floor, notBefore,
                (candidate, similarity) -> (pairs != null ? pairs.accepts(similarity, features, candidate.features)
                        : NearMissGuard.compatible(features, candidate.features))
                        && known.stream().noneMatch(n -> n.blocks(query, candidate.vector, similarity)));
        match.filter(m -> !queryId.isEmpty())
                .ifPresent(m -> served.put(queryId, new Served(m.entry(), query, m.similarity())));
        return match.map(m -> new SemanticHit(m.entry().answer, Math.min(1.0, m.similarity()), m.entry().prompt));
    }

    /** What {@link #reject} returns. */
    public enum Rejection {
        /** The entry was evicted and the pair kept as a local negative. */
        REJECTED,
        /** No semantic hit is known under that query id (not a semantic hit, too old, or already rejected). */
        UNKNOWN
    }

    /**
     * "Wrong answer for this prompt": evicts the entry whose answer the request {@code queryId} was served and
     * keeps the pair as a local negative of its group ({@link SemanticNegative}), so neither the entry nor a
     * paraphrase of it answers a similar prompt again. The eviction reaches the file at once; the negative is kept
     * in the {@link #keepNegativesIn negative store} when there is one (else in memory until the gateway stops). Hits are remembered for the last {@value #REMEMBERED_HITS} semantic hits.
     */
    public Rejection reject(String queryId) {
        Served hit = served.asMap().remove(queryId);
        if (hit == null) {
            return Rejection.UNKNOWN;
        }
        SemanticNegative negative = new SemanticNegative(hit.entry().vector, hit.query(), hit.similarity());
        addNegative(hit.entry().group, negative);
        SemanticNegativeStore kept = negativeStore;
        if (kept != null) {
            SemanticNegativeStore.Row row = new SemanticNegativeStore.Row(hit.entry().group,
                    config.get().embeddingModel(), negative.stored(), negative.asked(), negative.similarity(),
                    clock.instant());
            onIo(() -> {
                try {
                    kept.save(row);
                } catch (Exception e) {
                    LOG.warn("could not keep a rejected semantic hit in the metrics database ({}); it holds until "
                            + "the gateway stops", e.toString());
                }
            });
        }
        synchronized (this) {
            if (!hit.entry().removed) {
                removeFromGroup(hit.entry());
            }
        }
        SemanticShare shared = share;
        if (shared != null) {
            SemanticEntry e = hit.entry();
            shared.evict(config.get().embeddingModel(), new SemanticShare.Eviction(0, "", e.group, e.prompt,
                    e.storedAt().toEpochMilli(), e.vector, negative.asked(), negative.similarity()));
        }
        rejections.increment();
        rewriteFileAfterEviction();
        return Rejection.REJECTED;
    }

    /**
     * Keeps rejected pairs in {@code store} from now on and reads back the ones kept there (the most recent
     * {@value #LOADED_NEGATIVES} of the configured model), on the io executor. Until they are read every lookup
     * is a miss, so a pair rejected before a restart is never served again after it. A store that cannot be read
     * is logged and the cache goes on with the negatives of this run.
     */
    public void keepNegativesIn(SemanticNegativeStore store) {
        Objects.requireNonNull(store);
        negativesLoaded = false;
        negativeStore = store;
        String model = config.get().embeddingModel();
        onIo(() -> {
            try {
                List<SemanticNegativeStore.Row> rows = store.load(model, LOADED_NEGATIVES);
                for (int i = rows.size() - 1; i >= 0; i--) {
                    SemanticNegativeStore.Row r = rows.get(i);
                    addNegative(r.group(), new SemanticNegative(r.stored(), r.asked(), r.similarity()));
                }
            } catch (Exception e) {
                LOG.warn("could not read the rejected semantic hits from the metrics database ({}); only this "
                        + "run's rejections apply", e.toString());
            } finally {
                negativesLoaded = true;
            }
        });
    }

    /** Local negatives in force (kept ones read back, and this run's). */
    public int negatives() {
        return negatives.values().stream().mapToInt(List::size).sum();
    }

    private void addNegative(String group, SemanticNegative negative) {
        addNegative(group, negative, false);
    }

    /** Adds the pair unless the group has it already (read from the kept negatives, or delivered before). */
    private void addNegativeOnce(String group, SemanticNegative negative) {
        addNegative(group, negative, true);
    }

    private void addNegative(String group, SemanticNegative negative, boolean unlessKnown) {
        negatives.compute(group, (g, list) -> {
            List<SemanticNegative> known = list == null ? List.of() : list;
            if (unlessKnown && known.stream().anyMatch(n -> java.util.Arrays.equals(n.stored(), negative.stored())
                    && java.util.Arrays.equals(n.asked(), negative.asked()))) {
                return list;
            }
            List<SemanticNegative> next = new ArrayList<>(known);
            next.add(negative);
            return List.copyOf(next);
        });
    }

    /** Drops evicted entries from the data folder's file (rewritten on the io executor), if there is one. */
    private void rewriteFileAfterEviction() {
        if (io != null) {
            io.execute(() -> {
                if (persistent) {
                    try {
                        compact();
                    } catch (IOException e) {
                        LOG.warn("could not rewrite the semantic cache file after an eviction: {}", e.getMessage());
                    }
                }
            });
        }
    }

    /** Runs file and database work on the io executor, or at once for a cache without one (in memory). */
    private void onIo(Runnable task) {
        if (io != null) {
            io.execute(task);
        } else {
            task.run();
        }
    }

    /** Semantic hits rejected since start. */
    public long rejections() {
        return rejections.sum();
    }

    /** A hit served under a query id: the entry, the query's vector and their cosine. */
    private record Served(SemanticEntry entry, float[] query, double similarity) {
    }

    /** {@link #lookup(ObjectNode, String, String, PromptEmbedding)} for a request that embeds nothing else. */
    public Optional<SemanticHit> lookup(ObjectNode body, String scopeHash, String routingMode) {
        return lookup(body, scopeHash, routingMode, PromptEmbedding.lazy(embedder));
    }

    /**
     * Remembers {@code answer} for this request's last user turn (replacing an entry with the same prompt in the
     * same group). The work (hash, embedding unless {@code prompt} already has it, insertion) runs on the store
     * executor, so the caller returns at once; {@code body} must not change afterwards. Does nothing when the
     * semantic cache is off, the embedder is not ready, the prompt does not fit the model's window or the request
     * does not qualify; the caller decides whether the answer is worth storing ({@link ExactCache#shouldStore}).
     * When the store executor refuses the task (its queue is full), the answer is not stored and
     * {@link #droppedStores()} counts it.
     */
    public void store(ObjectNode body, String scopeHash, String routingMode, CachedAnswer answer,
            PromptEmbedding prompt) {
        GatewayConfig.Cache cfg = config.get();
        if (!takesPart(body, cfg)) {
            return;
        }
        try {
            storeExecutor.execute(() -> storeNow(body, scopeHash, routingMode, answer, prompt));
        } catch (RejectedExecutionException e) {
            droppedStores.increment();
        }
    }

    /** {@link #store(ObjectNode, String, String, CachedAnswer, PromptEmbedding)} for a request with no embedding yet. */
    public void store(ObjectNode body, String scopeHash, String routingMode, CachedAnswer answer) {
        store(body, scopeHash, routingMode, answer, PromptEmbedding.lazy(embedder));
    }

    private void storeNow(ObjectNode body, String scopeHash, String routingMode, CachedAnswer answer,
            PromptEmbedding prompt) {
        GatewayConfig.Cache cfg = config.get();
        Optional<String> text = lastUserText(body);
        if (text.isEmpty()) {
            return;
        }
        Optional<float[]> vector = prompt.vector(text.get());
        if (vector.isEmpty()) {
            return;
        }
        SemanticEntry entry = new SemanticEntry(groupKey(body, scopeHash, routingMode), text.get(), vector.get(),
                answer);
        insert(List.of(entry), cfg);
        if (io != null) {
            io.execute(() -> append(entry));
        }
        SemanticShare shared = share;
        if (shared != null) {
            long stored = answer.storedAt().toEpochMilli();
            shared.publish(new SemanticShare.Entry(0, "", cfg.embeddingModel(), entry.group,
                    scopeHash == null ? "" : scopeHash, entry.prompt, entry.vector, answer.toBytes(), stored,
                    answer.storedAt().plus(cfg.semanticTtl()).toEpochMilli()));
        }
    }

    /**
     * Shares this cache's entries through {@code share} from now on: entries stored here are published, hits
     * rejected here evict the entry on every gateway, and the other gateways' entries and evictions arrive in
     * this cache's index (ADR 0061). Listening starts on the io executor after the data folder's entries are
     * read, so the shared ones (newer or evicted) are applied over them. Call once, before traffic.
     */
    public void shareThrough(SemanticShare share) {
        Objects.requireNonNull(share);
        this.share = share;
        GatewayConfig.Cache cfg = config.get();
        SemanticShare.Listener receiver = new SemanticShare.Listener() {
            @Override
            public void added(SemanticShare.Entry entry) {
                addShared(entry);
            }

            @Override
            public void evicted(SemanticShare.Eviction eviction) {
                evictShared(eviction);
            }
        };
        onIo(() -> share.start(cfg.embeddingModel(), cfg.semanticMaxEntries(), receiver));
    }

    /** The share's state for {@code /health}; empty when entries are not shared. */
    public Optional<SemanticShare.Status> sharing() {
        SemanticShare s = share;
        return s == null ? Optional.empty() : Optional.of(s.status());
    }

    /** Entries evicted here because another gateway rejected a hit they served. */
    public long sharedEvictions() {
        return sharedEvictions.sum();
    }

    /** Another gateway's entry: added unless expired, of another model, or older than this cache's own. */
    private void addShared(SemanticShare.Entry e) {
        GatewayConfig.Cache cfg = config.get();
        if (!cfg.embeddingModel().equals(e.model())) {
            return;
        }
        CachedAnswer answer;
        try {
            answer = CachedAnswer.fromBytes(e.answer());
        } catch (IOException | RuntimeException ex) {
            LOG.warn("ignored a shared semantic entry that does not decode: {}", ex.toString());
            return;
        }
        if (answer.storedAt().isBefore(clock.instant().minus(cfg.semanticTtl()))) {
            return;
        }
        SemanticEntry entry = new SemanticEntry(e.group(), e.prompt(), e.vector(), answer);
        synchronized (this) {
            SemanticGroup group = groups.get(e.group());
            SemanticEntry existing = group == null ? null : group.withPrompt(e.prompt());
            if (existing != null && !existing.storedAt().isBefore(answer.storedAt())) {
                return;
            }
            try {
                insert(List.of(entry), cfg);
            } catch (IllegalArgumentException ex) {
                LOG.warn("ignored a shared semantic entry: {}", ex.getMessage());
            }
        }
    }

    /** Another gateway's rejection: its entry (here, stored no later) leaves, and the pair becomes a negative. */
    private void evictShared(SemanticShare.Eviction e) {
        boolean removed = false;
        synchronized (this) {
            SemanticGroup group = groups.get(e.group());
            SemanticEntry entry = group == null ? null : group.withPrompt(e.prompt());
            if (entry != null && !entry.removed && entry.storedAt().toEpochMilli() <= e.storedAtMillis()) {
                removeFromGroup(entry);
                removed = true;
            }
        }
        if (e.asked() != null) {
            addNegativeOnce(e.group(), new SemanticNegative(e.vector(), e.asked(), e.similarity()));
        }
        if (removed) {
            sharedEvictions.increment();
            rewriteFileAfterEviction();
        }
    }

    /**
     * Whether the request may use the semantic cache at all: the cache is on, and the request carries no tools
     * unless {@code cache.semantic_with_tools} (an agent's state lives in its history and tool results, not in
     * the last sentence, so a paraphrased last turn does not make the same request).
     */
    static boolean takesPart(ObjectNode body, GatewayConfig.Cache cfg) {
        if (!cfg.enabled() || !cfg.useSemanticCache()) {
            return false;
        }
        JsonNode tools = body.get("tools");
        return cfg.semanticWithTools() || tools == null || !tools.isArray() || tools.isEmpty();
    }

    /** Stores refused because the store executor's queue was full. */
    public long droppedStores() {
        return droppedStores.sum();
    }

    /** Live entries (expired ones may still count until the next store purges them). */
    public synchronized int size() {
        return live;
    }

    /** Whether the entries of the data folder have been read (always true in memory). */
    public boolean loaded() {
        return loaded;
    }

    /** Finishes pending file writes (waiting at most 5 s) and closes the file. */
    @Override
    public void close() {
        if (io == null) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        io.execute(() -> {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.warn("could not close the semantic cache file: {}", e.getMessage());
            } finally {
                done.complete(null);
            }
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("semantic cache file not closed in time: {}", e.toString());
        }
    }

    /**
     * The text of the last turn when it is a user turn made only of text (a string or text blocks, joined with
     * newlines); empty otherwise (tool results, images, documents, assistant prefill).
     */
    static Optional<String> lastUserText(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return Optional.empty();
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (!"user".equals(last.path("role").asText())) {
            return Optional.empty();
        }
        JsonNode content = last.get("content");
        String text;
        if (content != null && content.isTextual()) {
            text = content.asText();
        } else if (content != null && content.isArray() && !content.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode block : content) {
                if (!"text".equals(block.path("type").asText()) || !block.path("text").isTextual()) {
                    return Optional.empty();
                }
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(block.get("text").asText());
            }
            text = sb.toString();
        } else {
            return Optional.empty();
        }
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    /** Hash of everything but the last user turn. */
    static String groupKey(ObjectNode body, String scopeHash, String routingMode) {
        JsonNode messages = body.get("messages");
        ArrayNode earlier = NODES.arrayNode();
        for (int i = 0; i < messages.size() - 1; i++) {
            earlier.add(messages.get(i));
        }
        return Canonical.sha256Hex(Canonical.keyMaterial(body, earlier, scopeHash, routingMode, "semantic"));
    }

    private synchronized void insert(List<SemanticEntry> entries, GatewayConfig.Cache cfg) {
        for (SemanticEntry entry : entries) {
            SemanticGroup group = groups.computeIfAbsent(entry.group, g -> new SemanticGroup(entry.vector.length));
            if (group.add(entry) != null) {
                live--;
            }
            order.addLast(entry);
            live++;
        }
        Instant notBefore = clock.instant().minus(cfg.semanticTtl());
        while (!order.isEmpty() && (live > cfg.semanticMaxEntries() || order.peekFirst().removed
                || order.peekFirst().storedAt().isBefore(notBefore))) {
            SemanticEntry oldest = order.pollFirst();
            if (!oldest.removed) {
                removeFromGroup(oldest);
            }
        }
    }

    private void removeFromGroup(SemanticEntry entry) {
        SemanticGroup group = groups.get(entry.group);
        if (group != null) {
            group.remove(entry);
            live--;
            if (group.size() == 0) {
                groups.remove(entry.group, group);
            }
        }
    }

    // ---- file side: runs on the serial io executor only ----

    private void loadFromDisk() {
        GatewayConfig.Cache cfg = config.get();
        try {
            SemanticJournal.Contents contents = journal.read();
            if (!contents.clean()) {
                LOG.warn("semantic cache file {} is damaged or from another model; kept the {} entries before the "
                        + "damage", journal.file(), contents.records().size());
            }
            Map<String, SemanticJournal.Record> latest = new LinkedHashMap<>();
            for (SemanticJournal.Record r : contents.records()) {
                latest.put(r.group() + '\n' + r.prompt(), r);
            }
            Instant notBefore = clock.instant().minus(cfg.semanticTtl());
            List<SemanticEntry> entries = latest.values().stream()
                    .filter(r -> !r.answer().storedAt().isBefore(notBefore))
                    .sorted(Comparator.comparing((SemanticJournal.Record r) -> r.answer().storedAt()))
                    .map(r -> new SemanticEntry(r.group(), r.prompt(), r.vector(), r.answer()))
                    .toList();
            insertLoaded(entries, cfg);
            compact();
        } catch (IOException | RuntimeException e) {
            LOG.warn("semantic cache file {} could not be used ({}); entries will not survive a restart",
                    journal.file(), e.toString());
        } finally {
            loaded = true;
        }
    }

    /** Loaded entries are older than any stored since start: they go before them, and never replace them. */
    private synchronized void insertLoaded(List<SemanticEntry> entries, GatewayConfig.Cache cfg) {
        List<SemanticEntry> newer = new ArrayList<>(order);
        order.clear();
        live = 0;
        groups.clear();
        List<SemanticEntry> all = new ArrayList<>(entries.size() + newer.size());
        all.addAll(entries);
        all.addAll(newer.stream().filter(e -> !e.removed).toList());
        insert(all, cfg);
    }

    private void compact() throws IOException {
        List<SemanticJournal.Record> records;
        synchronized (this) {
            records = order.stream().filter(e -> !e.removed)
                    .map(e -> new SemanticJournal.Record(e.group, e.prompt, e.vector, e.answer)).toList();
        }
        persistent = false;
        journal.rewrite(records);
        persistent = true;
        appended = 0;
    }

    private void append(SemanticEntry entry) {
        if (!persistent) {
            return;
        }
        try {
            journal.append(new SemanticJournal.Record(entry.group, entry.prompt, entry.vector, entry.answer));
            if (++appended > size() + COMPACT_SLACK) {
                compact();
            }
        } catch (IOException e) {
            LOG.warn("could not write to the semantic cache file: {}", e.getMessage());
        }
    }
}
