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
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.config.GatewayConfig;

/**
 * The metrics store: an H2 file database (or any JDBC URL) written by one background thread and read by the
 * endpoints, the CSV export and the desktop app.
 *
 * <p>Write side: {@link #record} only offers the record to a bounded queue; the thread {@code metrics-writer}
 * drains it in batches of up to {@value #MAX_BATCH} records per transaction. A full queue, a database error or a
 * record arriving after {@link #close} adds to {@link #droppedRecords()} (logged once per burst); the request that
 * produced the record is never slowed or failed. The same thread purges rows older than
 * {@code metrics.retention_days} (whole UTC days) at start and then once a day by the injected clock.
 *
 * <p>Read side: every query opens its own connection, so queries are thread-safe and may run while the writer
 * writes; they block, so call them off request and UI threads. Times are kept to the microsecond.
 *
 * <p>Text: with {@code metrics.store_text} off, prompt and answer previews are never written, whatever the
 * record carries; with it on they are cut to {@code metrics.text_preview_chars} (at most
 * {@value RequestRows#PREVIEW_CHARS}) and anything shaped like an Anthropic API key is masked.
 */
public final class H2MetricsStore implements MetricsRecorder, MetricsQueries, AutoCloseable {

    /** Records written per transaction, at most. */
    public static final int MAX_BATCH = 1000;

    /** Longest a record waits for others to share its transaction, in milliseconds. */
    static final long LINGER_MILLIS = 250;
    /** A lingering batch is written as soon as this many records wait (under load: ~8 commits/s at 200 req/s). */
    static final int LINGER_CUT = 25;
    /** How often a lingering writer looks at the queue. */
    static final long LINGER_SLICE_MILLIS = 20;
    /** Longest a record accepted by {@link #record} may stay unwritten: what a hard kill can lose. */
    public static final long MAX_UNWRITTEN_MILLIS = LINGER_MILLIS;

    static final Duration PURGE_INTERVAL = Duration.ofDays(1);

    private static final Logger LOG = LoggerFactory.getLogger(H2MetricsStore.class);
    private static final long IDLE_POLL_MILLIS = 200;
    private static final Pattern API_KEY = Pattern.compile("sk-ant-[A-Za-z0-9_\\-]{6,}");

    private final ConnectionFactory connections;
    private final InstantSource clock;
    private final int retentionDays;
    private final int queueCapacity;
    private final UnaryOperator<String> previews;
    private final Runnable beforeBatch;
    private final BlockingQueue<RequestRecord> queue;
    private final MetricsReader reader;
    private final Thread writer;

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicBoolean queueFullLogged = new AtomicBoolean();
    private final Object progress = new Object();
    private volatile boolean closing;
    /** Set by {@link #flush()}: the writer stops lingering and writes what it has. */
    private volatile boolean hurry;
    private volatile boolean closed;

    // written by the writer thread only
    private BatchWriter batchWriter;
    private volatile boolean storeFailing;
    private Instant nextPurge;

    H2MetricsStore(GatewayConfig.Metrics cfg, ConnectionFactory connections, InstantSource clock,
            Runnable beforeBatch) {
        this.connections = connections;
        this.clock = clock;
        this.retentionDays = cfg.retentionDays();
        this.queueCapacity = Math.max(1, cfg.queueCapacity());
        this.previews = previewPolicy(cfg.storeText(), cfg.textPreviewChars());
        this.beforeBatch = beforeBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.reader = new MetricsReader(connections);
        try {
            Connection c = connections.open();
            try {
                MetricsSchema.migrate(c, clock);
                batchWriter = new BatchWriter(c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("cannot open the metrics database: " + e.getMessage(), e);
        }
        nextPurge = clock.instant();
        writer = new Thread(this::runWriter, "metrics-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (creating or migrating) the store and starts its writer thread.
     *
     * @param dataDir where the default H2 file {@code metrics.mv.db} lives when {@code cfg.jdbcUrl()} is empty
     * @param clock   decides when the daily purge runs and what "older than retention" means
     * @throws MetricsStoreException when the database cannot be opened, e.g. another process holds its file
     */
    public static H2MetricsStore open(GatewayConfig.Metrics cfg, Path dataDir, InstantSource clock) {
        String url = cfg.jdbcUrl().isEmpty() ? defaultUrl(dataDir) : cfg.jdbcUrl();
        return new H2MetricsStore(cfg, () -> DriverManager.getConnection(url), clock, () -> { });
    }

    /**
     * The embedded H2 file, locked to this process (no AUTO_SERVER, no TCP server: only this app opens it).
     * DB_CLOSE_ON_EXIT=FALSE because {@link #close} must write the last batch before the database closes.
     */
    static String defaultUrl(Path dataDir) {
        String file = dataDir.toAbsolutePath().resolve("metrics").toString().replace('\\', '/');
        return "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
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

    /** True while writes to the database fail (records are being dropped until it recovers). */
    public boolean writeFailing() {
        return storeFailing;
    }

    /** Records accepted but not yet written (what a hard kill would lose right now). */
    public int queued() {
        return (int) Math.max(0, accepted.get() - processed.get());
    }

    /** Blocks until every record accepted before this call is written (or counted as dropped). */
    public void flush() {
        long target = accepted.get();
        hurry = true;
        java.util.concurrent.locks.LockSupport.unpark(writer); // cut a linger short: someone is waiting
        synchronized (progress) {
            while (processed.get() < target && writer.isAlive()) {
                try {
                    progress.wait(IDLE_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Writes what is queued, stops the writer and closes the database. Idempotent. */
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
        // records offered while the writer was stopping: counted, not lost silently
        dropped.addAndGet(queue.size());
        queue.clear();
        closed = true;
    }

    private void runWriter() {
        List<RequestRecord> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
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
                beforeBatch.run();
                writeBatch(batch);
                processed.addAndGet(batch.size());
                batch.clear();
                synchronized (progress) {
                    progress.notifyAll();
                }
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

    private void writeBatch(List<RequestRecord> batch) {
        try {
            writerConnection().write(batch, previews);
            if (storeFailing) {
                storeFailing = false;
                LOG.info("metrics store writable again; {} records dropped since start", dropped.get());
            }
            if (queueFullLogged.get() && queue.size() < queueCapacity / 2) {
                queueFullLogged.set(false);
                LOG.info("metrics queue caught up; {} records dropped since start", dropped.get());
            }
        } catch (SQLException | RuntimeException e) {
            dropped.addAndGet(batch.size());
            if (!storeFailing) {
                storeFailing = true;
                LOG.warn("metrics store write failed, dropping records until it recovers: {}", e.toString());
            }
            if (batchWriter != null) {
                batchWriter.close();
                batchWriter = null;
            }
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
            LOG.warn("metrics retention purge failed, retrying in an hour: {}", e.toString());
            nextPurge = now.plus(Duration.ofHours(1));
            if (batchWriter != null) {
                batchWriter.close();
                batchWriter = null;
            }
        }
    }

    private BatchWriter writerConnection() throws SQLException {
        if (batchWriter == null) {
            Connection c = connections.open();
            try {
                batchWriter = new BatchWriter(c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return batchWriter;
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
        return reader.summary(from, to);
    }

    @Override
    public List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        checkOpen();
        return reader.timeline(from, to, bucket);
    }

    @Override
    public List<RequestRecord> requests(RequestQuery query) {
        checkOpen();
        return reader.requests(query);
    }

    @Override
    public Optional<RequestRecord> request(String queryId) {
        checkOpen();
        return reader.request(queryId);
    }

    @Override
    public List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        checkOpen();
        return reader.report(from, to, grouping);
    }

    /** What budgets count as already spent at start: see {@link dev.costgateway.core.budget.SpendSource}. */
    public List<dev.costgateway.core.budget.SpendSource.Row> spendSince(Instant monthStart, Instant dayStart) {
        checkOpen();
        return reader.spendSince(monthStart, dayStart);
    }

    @Override
    public List<CounterRow> counters(Instant from, Instant to) {
        checkOpen();
        return reader.counters(from, to);
    }

    @Override
    public LatencyHistogram latencyHistogram(Instant from, Instant to) {
        checkOpen();
        return reader.latencyHistogram(from, to);
    }
}
