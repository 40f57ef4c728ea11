package dev.costgateway.core.metrics;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.session.CacheHealth;

/**
 * The metrics store: an H2 file database by default, or a PostgreSQL shared by several gateways
 * ({@code metrics.jdbc_url: jdbc:postgresql://...}), written by one background thread and read by the endpoints,
 * the CSV export and the desktop app. Both run the same migrations and SQL; {@link Dialect} holds the rest.
 *
 * <p>Write side: {@link #record} only offers the record to a bounded queue; the thread {@code metrics-writer}
 * drains it in batches of up to {@value #MAX_BATCH} records per transaction, each row stamped with this
 * gateway's {@link #instance()}. A full queue or a record arriving after {@link #close} adds to
 * {@link #droppedRecords()} (logged once per burst); the request that produced the record is never slowed or
 * failed. When the database is unreachable the writer keeps its batch and retries with a growing pause (at most
 * {@link #RETRY_MAX}) while new records wait in the queue; they are written when it returns, and only those that
 * overflow the queue are dropped (and counted). A batch that fails {@value #MAX_ATTEMPTS} times on a working
 * connection (a bad row, a missing table) is dropped and counted, so one poisoned batch cannot stop the books.
 * The same thread purges rows older than {@code metrics.retention_days} (whole UTC days) at start and then once
 * a day by the injected clock.
 *
 * <p>Read side: every query takes its own connection, so queries are thread-safe and may run while the writer
 * writes; they block, so call them off request and UI threads. Times are kept to the microsecond.
 *
 * <p>Text: with {@code metrics.store_text} off, prompt and answer previews are never written, whatever the
 * record carries; with it on they are cut to {@code metrics.text_preview_chars} (at most
 * {@value RequestRows#PREVIEW_CHARS}) and anything shaped like an Anthropic API key is masked.
 */
public final class MetricsStore implements MetricsRecorder, MetricsQueries, AutoCloseable {

    /** Records written per transaction, at most. */
    public static final int MAX_BATCH = 1000;

    /** Longest a record waits for others to share its transaction, in milliseconds. */
    static final long LINGER_MILLIS = 250;
    /**
     * A lingering batch is written as soon as this many records wait: below 2,000 req/s the writer commits about
     * four times a second. H2 re-serialises every dirty page on each commit, so a cut of 25 (a commit per 25
     * requests) made the writer the gateway's largest CPU user on two cores and cost the proxy a quarter of its
     * throughput (issue 15's profile).
     */
    static final int LINGER_CUT = 500;
    /** How often a lingering writer looks at the queue. */
    static final long LINGER_SLICE_MILLIS = 20;
    /** Longest a record accepted by {@link #record} may stay unwritten: what a hard kill can lose. */
    public static final long MAX_UNWRITTEN_MILLIS = LINGER_MILLIS;

    static final Duration PURGE_INTERVAL = Duration.ofDays(1);

    /** Tries of one batch on a working connection before it is dropped. */
    static final int MAX_ATTEMPTS = 3;
    static final Duration RETRY_FIRST = Duration.ofMillis(200);
    static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(MetricsStore.class);
    private static final long IDLE_POLL_MILLIS = 200;
    private static final Pattern API_KEY = Pattern.compile("sk-ant-[A-Za-z0-9_\\-]{6,}");

    /** What {@code /health} shows of the store; {@code problem} is null while the database is reachable. */
    public record Health(String backend, String database, String instance, boolean up, String problem,
            long pendingRecords, long droppedRecords) {
    }

    private final MetricsDatabase database;
    private final String instance;
    private final InstantSource clock;
    private final int retentionDays;
    private final int queueCapacity;
    private final UnaryOperator<String> previews;
    private final Runnable beforeBatch;
    private final BlockingQueue<RequestRecord> queue;
    private final MetricsReader reader;
    /** Input prices for the sessions' prompt-cache findings; none until {@link #priceCacheHealthWith} is called. */
    private volatile Supplier<CacheHealth.Prices> cacheHealthPrices =
            () -> new CacheHealth.Prices(model -> java.util.OptionalDouble.empty(), 0, 0, 0);
    private final SessionCacheHealth cacheHealth = new SessionCacheHealth(() -> cacheHealthPrices.get());
    private final Thread writer;

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    /** Tries that found the database unreachable, since start; {@link #flush} stops waiting when it grows. */
    private final AtomicLong unreachableTries = new AtomicLong();
    private final AtomicBoolean queueFullLogged = new AtomicBoolean();
    private final Object progress = new Object();
    private volatile boolean closing;
    /** Set by {@link #flush()}: the writer stops lingering and writes what it has. */
    private volatile boolean hurry;
    private volatile boolean closed;
    /** Why the database cannot be reached (masked), or null while it can. */
    private volatile String problem;

    // writer thread only
    private BatchWriter batchWriter;
    private boolean migrated;
    private int attempts;
    private Duration retryDelay = RETRY_FIRST;
    private Instant downSince;
    private Instant nextPurge;

    /** @param beforeBatch runs on the writer thread before each try of a batch (tests hold the writer there) */
    MetricsStore(GatewayConfig.Metrics cfg, MetricsDatabase database, String instance, InstantSource clock,
            Runnable beforeBatch) {
        this.database = database;
        this.instance = instance;
        this.clock = clock;
        this.retentionDays = cfg.retentionDays();
        this.queueCapacity = Math.max(1, cfg.queueCapacity());
        this.previews = previewPolicy(cfg.storeText(), cfg.textPreviewChars());
        this.beforeBatch = beforeBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.reader = new MetricsReader(database.connections());
        try {
            writerConnection();
        } catch (SQLException | RuntimeException e) {
            if (database.dialect() == Dialect.H2) {
                database.close();
                throw new MetricsStoreException("cannot open the metrics database: " + safeMessage(e), e);
            }
            // A shared database that is away at start-up must not stop the gateway: records wait for it.
            markUnreachable(e);
        }
        nextPurge = clock.instant();
        writer = new Thread(this::runWriter, "metrics-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (creating or migrating) the store and starts its writer thread.
     *
     * @param dataDir where the default H2 file {@code metrics.mv.db} lives when {@code cfg.jdbcUrl()} is empty,
     *                and where this gateway's instance id is kept ({@link GatewayInstance})
     * @param clock   decides when the daily purge runs and what "older than retention" means
     * @throws MetricsStoreException when the H2 database cannot be opened, e.g. another process holds its file
     *                (an unreachable PostgreSQL is not an error: the store starts and reports it in {@link #health})
     */
    public static MetricsStore open(GatewayConfig.Metrics cfg, Path dataDir, InstantSource clock) {
        return open(cfg, dataDir, clock, System::getenv);
    }

    /** @param env the environment, for {@code PGUSER}/{@code PGPASSWORD} when the URL has no credentials */
    public static MetricsStore open(GatewayConfig.Metrics cfg, Path dataDir, InstantSource clock,
            UnaryOperator<String> env) {
        MetricsDatabase db = MetricsDatabase.forUrl(cfg.jdbcUrl(), dataDir, env);
        String instance;
        try {
            instance = GatewayInstance.of(dataDir);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new MetricsStore(cfg, db, instance, clock, () -> { });
    }

    /**
     * The embedded H2 file, locked to this process (no AUTO_SERVER, no TCP server: only this app opens it).
     * DB_CLOSE_ON_EXIT=FALSE because {@link #close} must write the last batch before the database closes.
     */
    static String defaultUrl(Path dataDir) {
        String file = dataDir.toAbsolutePath().resolve("metrics").toString().replace('\\', '/');
        // WRITE_DELAY=0: the file is written at every commit, not up to 500 ms later, so a kill -9 loses only the
        // records still queued (docs/adr/0050-stop-exit-codes-and-metrics-durability.md)
        return "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /**
     * Prices the sessions' prompt-cache findings from now on (the live config's input prices and cache
     * multipliers); before this they are counted at $0.
     */
    public void priceCacheHealthWith(Supplier<CacheHealth.Prices> prices) {
        cacheHealthPrices = java.util.Objects.requireNonNull(prices);
    }

    /**
     * The rejected semantic-cache hits kept in this database (table {@code semantic_negatives}, migration V4);
     * each call borrows a connection of its own, so it never waits for the writer.
     */
    public dev.costgateway.core.cache.SemanticNegativeStore semanticNegatives() {
        return new SemanticNegativeTable(database.connections());
    }

    /**
     * The semantic cache shared with the other gateways on this database (table {@code semantic_entries},
     * migration V7, ADR 0061), when the database is PostgreSQL; empty on H2, where one gateway owns the file.
     * The share starts its writer thread now and its listener at {@link dev.costgateway.core.cache.SemanticShare#start};
     * close it before this store.
     */
    public java.util.Optional<dev.costgateway.core.cache.SemanticShare> semanticShare() {
        if (database.dialect() != Dialect.POSTGRESQL) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new PostgresSemanticShare(database, instance, clock));
    }

    /** The gateway instance stamped on every row this store writes. */
    public String instance() {
        return instance;
    }

    /** Backend, reachability, queue and losses, for {@code /health}. */
    public Health health() {
        String p = problem;
        return new Health(database.dialect().label(), database.description(), instance, p == null, p,
                pendingRecords(), dropped.get());
    }

    /** Records accepted but not yet written (or dropped): the queue plus the batch being written. */
    public long pendingRecords() {
        return Math.max(0, accepted.get() - processed.get());
    }

    @Override
    public void record(RequestRecord record) {
        try {
            if (record == null || record.timestamp() == null || closing) {
                dropped.incrementAndGet();
                return;
            }
            if (queue.offer(record)) {
                accepted.incrementAndGet();
            } else {
                dropped.incrementAndGet();
                if (queueFullLogged.compareAndSet(false, true)) {
                    LOG.warn("metrics queue full ({} records): dropping records until the writer catches up",
                            queueCapacity);
                }
            }
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public long droppedRecords() {
        return dropped.get();
    }

    /**
     * Blocks until every record accepted before this call is written (or counted as dropped), or until a try
     * made after this call found the database unreachable: then the records stay queued and this returns.
     */
    public void flush() {
        long target = accepted.get();
        long triesBefore = unreachableTries.get();
        hurry = true;
        java.util.concurrent.locks.LockSupport.unpark(writer); // cut a linger or a retry pause short
        synchronized (progress) {
            while (processed.get() < target && writer.isAlive() && unreachableTries.get() == triesBefore) {
                try {
                    progress.wait(IDLE_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Writes what is queued, stops the writer and closes the database. Idempotent. When the database is
     * unreachable the writer tries once more, then counts what is left as dropped.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closing = true;
        java.util.concurrent.locks.LockSupport.unpark(writer);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // records offered while the writer was stopping, or left when the database was away: counted, not lost
        // silently
        int left = queue.size();
        dropped.addAndGet(left);
        processed.addAndGet(left);
        queue.clear();
        if (left > 0) {
            LOG.warn("metrics store closed with {} records it could not write; {} dropped since start", left,
                    dropped.get());
        }
        database.close();
        closed = true;
    }

    private void runWriter() {
        List<RequestRecord> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                if (batch.isEmpty()) {
                    RequestRecord first;
                    try {
                        first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        first = queue.poll();
                    }
                    purgeIfDue();
                    if (first == null) {
                        if (closing) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    lingerForMore(batch);
                }
                beforeBatch.run();
                if (writeBatch(batch)) {
                    processed.addAndGet(batch.size());
                    batch.clear();
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                    continue;
                }
                synchronized (progress) {
                    progress.notifyAll();
                }
                if (closing) {
                    // one try at shutdown is all the database gets; the queue's rest is counted by close()
                    dropped.addAndGet(batch.size());
                    processed.addAndGet(batch.size());
                    LOG.warn("metrics store unreachable at shutdown: {} records dropped", batch.size());
                    batch.clear();
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(retryDelay.toNanos());
                retryDelay = retryDelay.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX
                        : retryDelay.multipliedBy(2);
            }
        } finally {
            if (batchWriter != null) {
                batchWriter.close();
                batchWriter = null;
            }
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /**
     * Under a trickle of requests every record would otherwise be its own transaction, and each commit costs far
     * more CPU than the insert; on two cores that CPU is taken from the proxy. Waiting {@link #LINGER_MILLIS}
     * for company keeps commits to a few per second at any load; the UI polls once a second anyway, and
     * {@link #flush()} and {@link #close()} cut the wait short.
     */
    private void lingerForMore(List<RequestRecord> batch) {
        if (batch.size() >= MAX_BATCH || closing) {
            return;
        }
        // Sleep rather than wait on the queue: a waiting consumer is woken by every offer, which would cost each
        // request a thread wake-up; a sleeping one costs nothing until it drains the lot. The sleep is cut into
        // slices so that under load the batch is written once it has LINGER_CUT records instead of lingering the
        // full 250 ms: what sits in memory (and a kill -9 would lose) stays small, at ~1 check per slice.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
        while (!closing && !hurry) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch.size() + queue.size() >= LINGER_CUT) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left,
                    TimeUnit.MILLISECONDS.toNanos(LINGER_SLICE_MILLIS)));
        }
        hurry = false;
        queue.drainTo(batch, MAX_BATCH - batch.size());
    }

    /**
     * Writes the batch; true when it is done with (written, or dropped and counted), false when it must be
     * tried again because the database could not be reached.
     */
    private boolean writeBatch(List<RequestRecord> batch) {
        try {
            writerConnection().write(batch, previews);
            attempts = 0;
            markReachable();
            if (queueFullLogged.get() && queue.size() < queueCapacity / 2) {
                queueFullLogged.set(false);
                LOG.info("metrics queue caught up; {} records dropped since start", dropped.get());
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            boolean unreachable = e instanceof Unreachable || connectionLost(e);
            closeWriterConnection();
            if (unreachable) {
                markUnreachable(e);
                return false;
            }
            if (++attempts < MAX_ATTEMPTS) {
                retryDelay = RETRY_FIRST;
                return false;
            }
            attempts = 0;
            dropped.addAndGet(batch.size());
            LOG.warn("metrics store write failed {} times, dropping a batch of {} records ({} dropped since "
                    + "start): {}", MAX_ATTEMPTS, batch.size(), dropped.get(), safeMessage(e));
            return true;
        }
    }

    /** True when the failure was the connection's (not the data's): see {@link SqlFailures}, or the link is dead. */
    private boolean connectionLost(Throwable e) {
        if (SqlFailures.connectionLost(e)) {
            return true;
        }
        try {
            return batchWriter != null && !batchWriter.connection().isValid(1);
        } catch (SQLException | RuntimeException invalid) {
            return true;
        }
    }

    /** Logs the first failure of an outage; {@code /health} shows the latest (refused, timed out, ...). */
    private void markUnreachable(Exception e) {
        unreachableTries.incrementAndGet();
        boolean first = problem == null;
        problem = "unreachable: " + safeMessage(e);
        if (first) {
            downSince = clock.instant();
            LOG.warn("metrics store {} ({}) {}; keeping up to {} records queued until it is back",
                    database.dialect().label(), database.description(), problem, queueCapacity);
        }
    }

    private void markReachable() {
        retryDelay = RETRY_FIRST;
        if (problem != null) {
            problem = null;
            LOG.info("metrics store reachable again{}; {} records dropped since start",
                    downSince == null ? "" : " after " + Duration.between(downSince, clock.instant()).toSeconds()
                            + " s", dropped.get());
            downSince = null;
        }
    }

    private void closeWriterConnection() {
        if (batchWriter != null) {
            batchWriter.close();
            batchWriter = null;
        }
    }

    private void purgeIfDue() {
        Instant now = clock.instant();
        if (retentionDays <= 0 || now.isBefore(nextPurge)) {
            return;
        }
        long cutoffDay = Math.floorDiv(
                RequestRows.hourOf(RequestRows.toMicros(now.minus(Duration.ofDays(retentionDays)))), 24);
        try {
            int deleted = writerConnection().purgeBefore(cutoffDay);
            if (deleted > 0) {
                LOG.info("metrics retention: purged {} requests older than {} days", deleted, retentionDays);
            }
            nextPurge = now.plus(PURGE_INTERVAL);
        } catch (SQLException | RuntimeException e) {
            if (problem == null) {
                LOG.warn("metrics retention purge failed, retrying in an hour: {}", safeMessage(e));
            }
            nextPurge = now.plus(Duration.ofHours(1));
            closeWriterConnection();
        }
    }

    /** The writer's connection, opened (and the schema migrated, the first time) when there is none. */
    private BatchWriter writerConnection() throws SQLException {
        if (batchWriter == null) {
            Connection c;
            try {
                c = database.open();
            } catch (SQLException e) {
                throw new Unreachable(e);
            }
            try {
                if (!migrated) {
                    MetricsSchema.migrate(c, database.dialect(), clock);
                    migrated = true;
                }
                batchWriter = new BatchWriter(c, database.dialect(), instance, cacheHealth);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return batchWriter;
    }

    /** No connection could be had at all (as opposed to one that refused a statement). */
    private static final class Unreachable extends SQLException {
        Unreachable(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /** An exception's message fit for a log line or {@code /health}: no password, however the driver put it. */
    static String safeMessage(Throwable e) {
        Throwable why = e;
        // the pool's "connection is not available" wraps the driver's reason (refused, wrong password, ...)
        while ((why instanceof Unreachable || why instanceof java.sql.SQLTransientConnectionException)
                && why.getCause() != null && why.getCause() != why) {
            why = why.getCause();
        }
        String m = why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage();
        return JdbcUrls.masked(m.strip().replaceAll("\\s+", " "));
    }

    private static UnaryOperator<String> previewPolicy(boolean storeText, int maxChars) {
        if (!storeText) {
            return text -> null;
        }
        int limit = Math.max(0, Math.min(maxChars, RequestRows.PREVIEW_CHARS));
        return text -> text == null ? null : RequestRows.cut(maskKeys(text), limit);
    }

    static String maskKeys(String text) {
        return API_KEY.matcher(text).replaceAll("sk-ant-***");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("metrics store is closed");
        }
    }

    @Override
    public Summary summary(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.summary(from, to));
    }

    @Override
    public List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        checkOpen();
        return read(() -> reader.timeline(from, to, bucket));
    }

    @Override
    public List<RequestRecord> requests(RequestQuery query) {
        checkOpen();
        return read(() -> reader.requests(query));
    }

    @Override
    public Optional<RequestRecord> request(String queryId) {
        checkOpen();
        return read(() -> reader.request(queryId));
    }

    @Override
    public List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        checkOpen();
        return read(() -> reader.report(from, to, grouping));
    }

    /**
     * Runs a query, once more on a fresh connection when the first failed because its pooled connection had died
     * (a database restart ends every open session: the pool learns of it only by using each connection once).
     */
    private <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (MetricsStoreException e) {
            if (!connectionLost(e)) {
                throw e;
            }
            LOG.info("metrics query lost its database connection ({}); retrying once", e.getCause().toString());
            return query.get();
        }
    }


    /**
     * This store's queries over the rows of one gateway instance (see {@link MetricsQueries#forInstance}); null =
     * this store itself.
     */
    @Override
    public MetricsQueries forInstance(String instance) {
        if (instance == null) {
            return this;
        }
        return new ReaderQueries(reader.forInstance(instance.strip()), this::guardedRead);
    }

    private <T> T guardedRead(java.util.function.Supplier<T> query) {
        checkOpen();
        return read(query);
    }

    /**
     * This gateway's own spend, read by budgets once at start (see {@link dev.costgateway.core.budget.SpendSource}):
     * on H2 every row (one gateway owns the file), on PostgreSQL the rows of this {@link #instance()}.
     */
    public List<dev.costgateway.core.budget.SpendSource.Row> spendSince(Instant monthStart, Instant dayStart) {
        checkOpen();
        BudgetSpendTable.Whose whose = sharedWithOtherInstances() ? BudgetSpendTable.Whose.MINE
                : BudgetSpendTable.Whose.ALL;
        return read(() -> BudgetSpendTable.spendSince(database.connections(), monthStart, dayStart, whose, instance));
    }

    /**
     * The spend of every other gateway instance writing this database (the team's) in {@code [from, to)}
     * ({@code to} null: up to now), read by budgets once a second; empty on H2. One grouped read of a slot range
     * of table {@code budget_spend}.
     */
    public List<dev.costgateway.core.budget.OthersSpend.KeySpend> othersSpendBetween(Instant from, Instant to) {
        checkOpen();
        if (!sharedWithOtherInstances()) {
            return List.of();
        }
        try {
            return read(() -> BudgetSpendTable.othersBetween(database.connections(), from, to, instance));
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new MetricsStoreException("spend query failed: " + safeMessage(root), e);
        }
    }

    /** Whether other gateways may write this database (PostgreSQL), so budgets read their spend. */
    public boolean sharedWithOtherInstances() {
        return database.dialect() == Dialect.POSTGRESQL;
    }

    @Override
    public List<SessionRow> sessions(SessionQuery query) {
        checkOpen();
        return read(() -> reader.sessions(query));
    }

    @Override
    public List<StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.escalationsByStartModel(from, to));
    }

    @Override
    public CacheHealthTotals cacheHealthTotals(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.cacheHealthTotals(from, to));
    }

    @Override
    public long semanticRejections(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.semanticRejections(from, to));
    }

    @Override
    public List<RequestRecord> sessionRequests(String sessionId, int limit) {
        checkOpen();
        return read(() -> reader.sessionRequests(sessionId, limit));
    }

    @Override
    public List<CounterRow> counters(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.counters(from, to));
    }

    @Override
    public List<InstanceRow> instances(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.instances(from, to));
    }

    @Override
    public LatencyHistogram latencyHistogram(Instant from, Instant to) {
        checkOpen();
        return read(() -> reader.latencyHistogram(from, to));
    }

    @Override
    public List<ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        checkOpen();
        return read(() -> reader.scoredRequests(from, to, limit));
    }
}
