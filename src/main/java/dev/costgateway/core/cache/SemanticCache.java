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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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

/**
 * The semantic cache: answers a request whose last user turn paraphrases an earlier one, when everything else
 * (scope, requested model, routing mode, system prompt, tools, sampling parameters, earlier turns) is identical.
 * Only text-only last user turns take part.
 *
 * <p>A hit needs cosine similarity ≥ {@code cache.semantic_threshold} and agreement on numbers, negations,
 * quoted text, technologies and names ({@link NearMissGuard}). Entries expire after {@code cache.semantic_ttl};
 * beyond {@code cache.semantic_max_entries} the oldest go first. With a data folder, entries are appended to
 * {@value #FILE_NAME} and read back in the background at start (the file is compacted then, and a corrupt tail
 * is dropped); the prompt and answer text are stored there in clear, like the answers in the exact cache.
 *
 * <p>Thread-safe. {@link #lookup} and {@link #store} never block on model or file loading: without a ready
 * embedder they do nothing. Both embed the prompt on the calling thread (about 1 ms for a short prompt); a
 * store right after a lookup of the same prompt reuses its vector. File writes run on the injected executor.
 */
public final class SemanticCache implements Closeable {

    /**
     * The {@code cache.semantic_threshold} measured to keep false hits on near-miss pairs at or under 1 % with the
     * guards on (see {@code docs/semantic-cache-eval.md}).
     */
    public static final double RECOMMENDED_THRESHOLD = 0.94;

    /** File in the data folder holding the entries. */
    public static final String FILE_NAME = "semantic-cache.bin";

    private static final Logger LOG = LoggerFactory.getLogger(SemanticCache.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int RECENT_VECTORS = 512;
    private static final int COMPACT_SLACK = 1024;

    private final Supplier<GatewayConfig.Cache> config;
    private final Supplier<Optional<Embedder>> embedder;
    private final InstantSource clock;
    private final SerialExecutor io;
    private final SemanticJournal journal;
    private final Map<String, SemanticGroup> groups = new ConcurrentHashMap<>();
    private final Cache<String, float[]> recentVectors = Caffeine.newBuilder()
            .maximumSize(RECENT_VECTORS).executor(Runnable::run).build();
    /** Insertion order (oldest first); guarded by {@code this}, like {@link #live}. */
    private final Deque<SemanticEntry> order = new ArrayDeque<>();
    private int live;
    private volatile boolean loaded;
    /** Records appended since the last compaction; touched only on the io executor. */
    private long appended;
    /** Whether the file is open for appending; touched only on the io executor. */
    private boolean persistent;

    private SemanticCache(Supplier<GatewayConfig.Cache> config, Supplier<Optional<Embedder>> embedder,
            InstantSource clock, Executor io, SemanticJournal journal) {
        this.config = Objects.requireNonNull(config);
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
     */
    public static SemanticCache open(Path dataDir, Supplier<GatewayConfig.Cache> config,
            Supplier<Optional<Embedder>> embedder, InstantSource clock, Executor ioExecutor) {
        SemanticJournal journal = new SemanticJournal(dataDir.resolve(FILE_NAME), config.get().embeddingModel());
        SemanticCache cache = new SemanticCache(config, embedder, clock, ioExecutor, journal);
        cache.io.execute(cache::loadFromDisk);
        return cache;
    }

    /** A cache that lives in memory only. */
    public static SemanticCache inMemory(Supplier<GatewayConfig.Cache> config, Supplier<Optional<Embedder>> embedder,
            InstantSource clock) {
        SemanticCache cache = new SemanticCache(config, embedder, clock, null, null);
        cache.loaded = true;
        return cache;
    }

    /**
     * The stored answer of the most similar earlier prompt in the same group, if it passes threshold and guards.
     * Empty when the semantic cache is off, the embedder is not ready, or the request does not qualify.
     *
     * @param scopeHash   as for {@link ExactCache#key}
     * @param routingMode as for {@link ExactCache#key}
     */
    public Optional<SemanticHit> lookup(ObjectNode body, String scopeHash, String routingMode) {
        GatewayConfig.Cache cfg = config.get();
        if (!cfg.enabled() || !cfg.useSemanticCache()) {
            return Optional.empty();
        }
        Optional<String> prompt = lastUserText(body);
        if (prompt.isEmpty()) {
            return Optional.empty();
        }
        SemanticGroup group = groups.get(groupKey(body, scopeHash, routingMode));
        if (group == null) {
            return Optional.empty();
        }
        Optional<Embedder> model = embedder.get();
        if (model.isEmpty()) {
            return Optional.empty();
        }
        float[] vector = vector(model.get(), prompt.get());
        Instant notBefore = clock.instant().minus(cfg.semanticTtl());
        return group.best(vector, NearMissGuard.features(prompt.get()), cfg.semanticThreshold(), notBefore);
    }

    /**
     * Remembers {@code answer} for this request's last user turn (replacing an entry with the same prompt in the
     * same group). Does nothing when the semantic cache is off, the embedder is not ready or the request does not
     * qualify; the caller decides whether the answer is worth storing ({@link ExactCache#shouldStore}).
     */
    public void store(ObjectNode body, String scopeHash, String routingMode, CachedAnswer answer) {
        GatewayConfig.Cache cfg = config.get();
        if (!cfg.enabled() || !cfg.useSemanticCache()) {
            return;
        }
        Optional<String> prompt = lastUserText(body);
        Optional<Embedder> model = embedder.get();
        if (prompt.isEmpty() || model.isEmpty()) {
            return;
        }
        String group = groupKey(body, scopeHash, routingMode);
        SemanticEntry entry = new SemanticEntry(group, prompt.get(), vector(model.get(), prompt.get()), answer);
        insert(List.of(entry), cfg);
        if (io != null) {
            io.execute(() -> append(entry));
        }
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

    private float[] vector(Embedder model, String prompt) {
        return recentVectors.get(prompt, model::embed);
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
