package dev.costgateway.core;

import dev.costgateway.core.observe.Observable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.budget.BudgetTracker;
import dev.costgateway.core.budget.BudgetsHandler;
import dev.costgateway.core.cache.BackendStatus;
import dev.costgateway.core.routing.DifficultyScorer;
import dev.costgateway.core.routing.EmbeddingClassifier;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.RouterModel;
import dev.costgateway.core.routing.http.WhatIfHandler;
import dev.costgateway.core.cache.ExactCache;
import dev.costgateway.core.cache.SemanticCache;
import dev.costgateway.core.cache.SemanticShare;
import dev.costgateway.core.cache.http.SemanticRejectHandler;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.embed.EmbedderService;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.embed.TokenVectors;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.http.MetricsHandler;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.proxy.MessagePolicy;
import dev.costgateway.core.proxy.SemanticReplays;
import dev.costgateway.core.proxy.UpstreamClient;
import dev.costgateway.core.time.GatewayClock;

/**
 * Wiring of the parts behind the proxy: embedder, caches, routing policy, metrics, their HTTP endpoints and
 * health details. Thread-safe.
 */
final class GatewayComponents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayComponents.class);

    private final Supplier<GatewayConfig> config;
    private final EmbedderService embedder;
    /** {@link TokenVectors} for the router's difficulty score. */
    private final EmbedderService routerVectors;
    private final AtomicReference<ExactCache> exact = new AtomicReference<>();
    private volatile GatewayConfig.Cache exactConfig;
    private final SemanticCache semantic;
    /** Semantic hits kept for a re-ask after a rejection. */
    private final SemanticReplays replays;
    private final ExecutorService background;
    private final ExecutorService semanticStores;
    private final ExecutorService semanticEmbeds;
    /** Reads the other gateways' spend for shared budgets; null with one gateway (H2). */
    private final ScheduledExecutorService budgetRefresh;
    private final MessagePolicy policy;
    private final MetricsStore store;
    /** The semantic cache shared through the metrics PostgreSQL (ADR 0061); null on H2. */
    private final SemanticShare semanticShare;
    private final MetricsRecorder recorder;
    private final MetricsQueries queries;
    private final Handler httpHandler;
    private final BudgetTracker budgets;
    private volatile String budgetZone;
    /** The router's scoring model; its reference distributions also calibrate the what-if. */
    private final RouterModel routerModel;
    /** The one time source: the exact cache's Caffeine ticker, the semantic cache's TTLs, metrics, routing. */
    private final GatewayClock clock;
    /** Completed by {@link #loadModels()}; the model loads are queued on it. */
    private final CompletableFuture<Void> modelsMayLoad = new CompletableFuture<>();

    private GatewayComponents(Supplier<GatewayConfig> config, Path dataDir, GatewayClock clock,
                              UpstreamClient upstream, Observable<GatewayStatus> status, boolean loadEmbedder,
                              CompletableFuture<MetricsStore> openingStore) {
        this.config = config;
        this.clock = clock;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-background");
            t.setDaemon(true);
            return t;
        });
        GatewayConfig cfg = config.get();
        // Both loads wait until the listener is up (loadModels): they are CPU-bound for 1-2 s and on 2 cores
        // they would otherwise compete with the start itself (ADR 0052). Until they are ready, routing scores by
        // features only and the semantic cache is skipped, as it always was while they loaded.
        Executor afterListening = task -> modelsMayLoad.thenRun(
                () -> EmbedderService.newLoaderExecutor().execute(task));
        embedder = loadEmbedder
                ? EmbedderService.loading(() -> OnnxEmbedder.load(cfg.cache().embeddingModel()), afterListening)
                : EmbedderService.disabled();
        // the router's own vectors (ADR 0026): a table read from the same model file, ready in a fraction of the
        // sentence model's load, on their own loader thread so routing does not wait for the semantic cache's model
        routerVectors = loadEmbedder
                ? EmbedderService.loading("router vectors", "routing scores by features only", TokenVectors::load,
                        afterListening)
                : EmbedderService.disabled();
        // The status bar's one "Embedder" item stands for both local models: a failure of either shows there.
        // Loading reads both models' files (23 MB each) into short-lived arrays; an idle gateway allocates too
        // little for a young collection to reclaim them, so that garbage would stay resident (about 40 MB of RSS).
        // One collection once both loads ended (on the loader thread that finished last, a pause of tens of ms on
        // a live set of about 30 MB) lets G1 return it.
        java.util.concurrent.atomic.AtomicBoolean collected = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable modelsChanged = () -> {
            GatewayStatus.EmbedderState shown = modelsState(embedder.state(), routerVectors.state());
            status.update(st -> st.withEmbedder(shown));
            if (loadEmbedder && embedder.state() != EmbedderService.State.LOADING
                    && routerVectors.state() != EmbedderService.State.LOADING && collected.compareAndSet(false, true)) {
                System.gc();
            }
        };
        embedder.subscribe(state -> modelsChanged.run());
        routerVectors.subscribe(state -> modelsChanged.run());
        exactConfig = cfg.cache();
        exact.set(ExactCache.create(cfg.cache(), clock::nanoTime));
        semanticStores = SemanticCache.newStoreExecutor();
        semanticEmbeds = SemanticCache.newEmbedExecutor();
        semantic = SemanticCache.open(dataDir, () -> config.get().cache(), embedder::ready, clock, background,
                semanticStores, semanticEmbeds);
        EmbeddingClassifier classifier = new EmbeddingClassifier(embedder::ready,
                () -> config.get().classifier().embeddingThreshold(), background);
        // not warmed up: with the scorer (always built below) the kNN layer never votes, and embedding its 261
        // examples would cost seconds of CPU right after start (ADR 0026)
        store = await(openingStore);
        store.priceCacheHealthWith(() -> dev.costgateway.core.session.CacheHealth.Prices.of(config.get()));
        semantic.keepNegativesIn(store.semanticNegatives());
        semanticShare = store.semanticShare().orElse(null);
        if (semanticShare != null) {
            semantic.shareThrough(semanticShare);
        }
        GatewayConfig.Budgets budgetCfg = cfg.budgets();
        boolean shared = store.sharedWithOtherInstances();
        budgets = new BudgetTracker(budgetCfg.list(), budgetCfg.zone(), clock, store::spendSince,
                shared ? store::othersSpendBetween : null);
        budgetZone = budgetCfg.timeZone();
        budgetRefresh = shared ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "budget-refresh");
            t.setDaemon(true);
            return t;
        }) : null;
        if (budgetRefresh != null) {
            // fixed delay: a read that waits on an absent database never piles up behind itself
            long period = BudgetTracker.REFRESH_PERIOD.toMillis();
            budgetRefresh.scheduleWithFixedDelay(() -> {
                try {
                    budgets.refreshOthers();
                } catch (RuntimeException e) {
                    // an exception would cancel the schedule: log it and read again at the next period
                    LOG.warn("shared budgets: refresh failed", e);
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
        DifficultyScorer scorer = DifficultyScorer.shipped(routerVectors::ready);
        routerModel = scorer.model();
        replays = new SemanticReplays(() -> status.get().listeningUrl(),
                () -> config.get().upstream().timeout(), clock);
        policy = new GatewayPolicy(config, exact::get, semantic, embedder::ready, classifier, upstream, clock,
                scorer, budgets, replays);
        recorder = new BudgetRecorder(new ReachabilityRecorder(store, status), budgets);
        queries = store;
        httpHandler = new Handler.Sequence(new SemanticRejectHandler(this::rejectAs, replays), new BudgetsHandler(budgets),
                new WhatIfHandler(this::routingTraffic, config, clock), new MetricsHandler(store, store::droppedRecords, clock,
                        () -> dev.costgateway.core.session.CacheHealth.Prices.of(config.get())));
    }

    /**
     * Counts every record's cost against the budgets as it enters the metrics queue (so what waits in the queue
     * counts), then records.
     */
    static final class BudgetRecorder implements MetricsRecorder {
        private final MetricsRecorder delegate;
        private final BudgetTracker budgets;

        BudgetRecorder(MetricsRecorder delegate, BudgetTracker budgets) {
            this.delegate = delegate;
            this.budgets = budgets;
        }

        @Override
        public void record(dev.costgateway.core.metrics.RequestRecord r) {
            budgets.recordSpend(r.timestamp(), r.callerKeyHash(), "", r.session().project(), r.costUsd());
            delegate.record(r);
        }

        @Override
        public long droppedRecords() {
            return delegate.droppedRecords();
        }
    }

    /** Keeps the status bar's upstream reachability current from real traffic, then records. */
    static final class ReachabilityRecorder implements MetricsRecorder {
        private final MetricsRecorder delegate;
        private final Observable<GatewayStatus> status;

        ReachabilityRecorder(MetricsRecorder delegate, Observable<GatewayStatus> status) {
            this.delegate = delegate;
            this.status = status;
        }

        @Override
        public void record(dev.costgateway.core.metrics.RequestRecord r) {
            boolean answered = r.attempts().stream().anyMatch(a -> a.status() > 0);
            boolean unreachable = r.status() == 502 && "api_error".equals(r.errorType())
                    && r.attempts().stream().allMatch(a -> a.status() == 0);
            // on Jetty threads, concurrently with the embedder loader and reloads: update, never get-then-set
            if (answered) {
                status.update(st -> st.withUpstream(GatewayStatus.UpstreamState.REACHABLE, st.upstreamUrl()));
            } else if (unreachable) {
                status.update(st -> st.withUpstream(GatewayStatus.UpstreamState.UNREACHABLE, st.upstreamUrl()));
            }
            delegate.record(r);
        }

        @Override
        public long droppedRecords() {
            return delegate.droppedRecords();
        }
    }

    /**
     * Opens the metrics database on a thread of its own ({@code metrics-open}), so that opening and migrating it
     * overlaps with building the rest; {@link #create} waits for it where the store is first needed.
     */
    static CompletableFuture<MetricsStore> openStoreInBackground(GatewayConfig.Metrics m, Path dataDir,
                                                                 GatewayClock clock) {
        // Previews are gated and bounded per request by the live metrics.store_text / text_preview_chars (in the
        // proxy), so switching text storage on or off applies at once; the store only enforces an upper bound.
        GatewayConfig.Metrics opened = new GatewayConfig.Metrics(m.jdbcUrl(), true, 100_000, m.retentionDays(),
                m.queueCapacity());
        return CompletableFuture.supplyAsync(() -> MetricsStore.open(opened, dataDir, clock), task -> {
            Thread t = new Thread(task, "metrics-open");
            t.setDaemon(true);
            t.start();
        });
    }

    static GatewayComponents create(Supplier<GatewayConfig> config, Path dataDir, GatewayClock clock,
                                    UpstreamClient upstream, Observable<GatewayStatus> status, boolean loadEmbedder,
                                    CompletableFuture<MetricsStore> openingStore) {
        return new GatewayComponents(config, dataDir, clock, upstream, status, loadEmbedder, openingStore);
    }

    /** The opened store, or what prevented it, thrown as it would have been on this thread. */
    private static MetricsStore await(CompletableFuture<MetricsStore> openingStore) {
        try {
            return openingStore.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Lets the local models load (each on its own {@code embedder-load} thread), once the proxy listens or failed
     * to. Idempotent; models never released (a gateway closed before it started) are never loaded.
     */
    void loadModels() {
        modelsMayLoad.complete(null);
    }

    MessagePolicy policy() {
        return policy;
    }

    BudgetTracker budgets() {
        return budgets;
    }

    MetricsRecorder recorder() {
        return recorder;
    }

    MetricsQueries queries() {
        return queries;
    }

    Handler httpHandler() {
        return httpHandler;
    }

    /** The scored requests of [from, to) for the routing what-if (endpoint and settings preview). */
    RecordedTraffic routingTraffic(java.time.Instant from, java.time.Instant to) {
        return RecordedTraffic.of(store.scoredRequests(from, to, MetricsQueries.MAX_SCORED), routerModel);
    }

    /** Rebuilds what cannot follow the configuration live (the exact cache's backend and bounds). */
    synchronized void reconfigure(GatewayConfig next) {
        if (!next.budgets().list().equals(budgets.budgets()) || !next.budgets().timeZone().equals(budgetZone)) {
            budgets.reconfigure(next.budgets().list(), next.budgets().zone());
            budgetZone = next.budgets().timeZone();
        }
        GatewayConfig.Cache c = next.cache();
        GatewayConfig.Cache old = exactConfig;
        if (!c.redisUrl().equals(old.redisUrl()) || c.maxEntries() != old.maxEntries()
                || !c.exactTtl().equals(old.exactTtl())) {
            ExactCache previous = exact.getAndSet(
                    ExactCache.create(c, clock::nanoTime));
            exactConfig = c;
            previous.close();
            LOG.info("exact cache rebuilt for the new settings");
        }
    }

    /** The state the status bar shows for the two local models: failed or loading if either is, else ready or off. */
    static GatewayStatus.EmbedderState modelsState(EmbedderService.State sentence, EmbedderService.State vectors) {
        if (sentence == EmbedderService.State.FAILED || vectors == EmbedderService.State.FAILED) {
            return GatewayStatus.EmbedderState.FAILED;
        }
        if (sentence == EmbedderService.State.LOADING || vectors == EmbedderService.State.LOADING) {
            return GatewayStatus.EmbedderState.LOADING;
        }
        if (sentence == EmbedderService.State.DISABLED && vectors == EmbedderService.State.DISABLED) {
            return GatewayStatus.EmbedderState.DISABLED;
        }
        return GatewayStatus.EmbedderState.READY;
    }

    void describeHealth(ObjectNode health) {
        GatewayConfig.Cache c = config.get().cache();
        BackendStatus b = exact.get().status();
        ObjectNode cache = health.putObject("cache");
        cache.put("exact", c.enabled() ? b.kind().name().toLowerCase(Locale.ROOT) : "off");
        cache.put("exact_detail", b.message());
        cache.put("semantic", !c.enabled() || !c.useSemanticCache() ? "off"
                : embedder.ready().isPresent() ? "ready" : "waiting for embedder");
        cache.put("semantic_entries", semantic.size());
        cache.put("semantic_dropped_stores", semantic.droppedStores());
        cache.put("semantic_rejections", semantic.rejections());
        cache.put("semantic_late_embeddings", semantic.lateEmbeddings());
        cache.put("semantic_late_hits", semantic.lateHits());
        cache.put("semantic_vetoed_lookups", semantic.vetoedLookups());
        cache.put("semantic_negatives", semantic.negatives());
        java.util.Optional<SemanticShare.Status> sharing = semantic.sharing();
        cache.put("semantic_sharing", sharing.map(st -> st.up() ? "up" : "down").orElse("off"));
        sharing.ifPresent(st -> {
            if (!st.up()) {
                cache.put("semantic_sharing_detail", st.problem());
            }
            cache.put("semantic_shared_received", st.received());
            cache.put("semantic_shared_published", st.published());
            cache.put("semantic_shared_dropped", st.dropped());
            cache.put("semantic_shared_evictions", semantic.sharedEvictions());
        });
        if (embedder.state() == EmbedderService.State.FAILED) {
            health.put("embedder_error", embedder.failure());
        }
        health.put("router_vectors", routerVectors.state().name().toLowerCase(Locale.ROOT));
        if (routerVectors.state() == EmbedderService.State.FAILED) {
            health.put("router_vectors_error", routerVectors.failure());
        }
        MetricsStore.Health m = store.health();
        ObjectNode metrics = health.putObject("metrics");
        metrics.put("store", m.backend());
        metrics.put("state", m.up() ? "up" : "down");
        if (!m.up()) {
            metrics.put("detail", m.problem());
        }
        metrics.put("database", m.database());
        metrics.put("instance", m.instance());
        metrics.put("pending_records", m.pendingRecords());
        metrics.put("dropped_records", m.droppedRecords());
        health.set("budget_sharing", BudgetsHandler.sharingJson(budgets.sharing(), clock.instant()));
    }

    boolean rejectSemanticHit(String queryId) {
        return rejectAs(queryId) == SemanticCache.Rejection.REJECTED;
    }

    /** Rejects the hit and lets it be re-asked ({@link SemanticReplays}). */
    private SemanticCache.Rejection rejectAs(String queryId) {
        SemanticCache.Rejection r = semantic.reject(queryId);
        if (r == SemanticCache.Rejection.REJECTED) {
            replays.rejected(queryId);
        }
        return r;
    }

    /** Sends a rejected semantic hit's request through the gateway again, for the desktop app. */
    java.util.concurrent.CompletableFuture<SemanticReplays.Replay> reaskSemanticHit(String queryId) {
        return replays.reask(queryId, SemanticReplays.Asker.OWNER);
    }

    boolean canReaskSemanticHit(String queryId) {
        return replays.canReask(queryId);
    }

    /** Blocks until every record queued so far is in the database (tests, shutdown). */
    void flushMetrics() {
        store.flush();
    }

    @Override
    public void close() {
        if (budgetRefresh != null) {
            // let a read in progress end (a borrow waits at most 2 s) before the store closes under it
            budgetRefresh.shutdown();
            try {
                if (!budgetRefresh.awaitTermination(3, TimeUnit.SECONDS)) {
                    budgetRefresh.shutdownNow();
                }
            } catch (InterruptedException e) {
                budgetRefresh.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (semanticShare != null) {
            semanticShare.close(); // before the store: it borrows the store's pool
        }
        store.close();
        semanticEmbeds.shutdown();
        semanticStores.shutdown();
        try {
            semanticStores.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // then the models: close waits for an inference in progress (a semantic store) and for a load, and
        // makes later inferences fail fast, so no native call runs when the process exits
        embedder.close();
        routerVectors.close();
        replays.close();
        semantic.close();
        exact.get().close();
        background.shutdown();
    }
}
