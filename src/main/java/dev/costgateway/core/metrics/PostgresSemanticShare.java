package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.cache.SemanticShare;

/**
 * The semantic cache shared through the metrics PostgreSQL (ADR 0061): table {@code semantic_entries} plus
 * {@code LISTEN/NOTIFY} on {@value SemanticEntryTable#CHANNEL}.
 *
 * <p>Two daemon threads. {@value #WRITER_THREAD} takes writes from a queue of {@value #QUEUE} (beyond it they are
 * dropped and counted) and runs each in a short transaction on a pooled connection; while the database is away it
 * keeps the write and retries with pauses from 0.2 s doubling to 5 s, and once an hour it purges rows expired more
 * than an hour ago. {@value #LISTENER_THREAD} holds a connection of its own (not from the pool), migrates the
 * schema if nobody has, {@code LISTEN}s, reads what it missed, then waits for notifications and reads each
 * notified row by id; it checks the connection every {@value #HEARTBEAT_SECONDS} s and reconnects with the same
 * backoff when it breaks. After a reconnect it reads the rows written since the last one it saw (with an overlap
 * of {@value #CATCH_UP_OVERLAP} ids, since ids are taken before commit and may commit out of order) and the
 * evictions still in force, and delivers those it has not delivered.
 *
 * <p>Notifications of this gateway's own writes are ignored; the initial read includes this gateway's rows of
 * earlier runs (the same data folder, {@link GatewayInstance}). Thread-safe.
 */
final class PostgresSemanticShare implements SemanticShare {

    static final String WRITER_THREAD = "semantic-share-writer";
    static final String LISTENER_THREAD = "semantic-share-listener";
    static final int QUEUE = 1024;
    static final int HEARTBEAT_SECONDS = 5;
    static final long CATCH_UP_OVERLAP = 1000;
    /** Evictions remembered as delivered (they are few: one per rejected hit). */
    private static final int REMEMBERED_EVICTIONS = 100_000;
    private static final int REMEMBERED_ENTRIES = 10_000;
    private static final Duration RETRY_FIRST = Duration.ofMillis(200);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    /** Rows are kept this long past their expiry, for gateways whose TTL or clock is a little behind. */
    private static final Duration PURGE_GRACE = Duration.ofHours(1);
    private static final long WAIT_MILLIS = 250;
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSemanticShare.class);

    private sealed interface Write permits Publish, Evict {
    }

    private record Publish(Entry entry) implements Write {
    }

    private record Evict(String model, Eviction eviction) implements Write {
    }

    private final MetricsDatabase database;
    private final String instance;
    private final InstantSource clock;
    private final BlockingQueue<Write> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object pause = new Object();
    private final Thread writer;
    private volatile Thread listenerThread;
    private volatile boolean closed;
    /** Why the listener is not listening, or null while it is. */
    private volatile String listenProblem = "connecting";
    /** Why the last write failed on an unreachable database, or null. */
    private volatile String writeProblem;

    // listener thread only
    private String model;
    private int limit;
    private Listener listener;
    private long lastSeenId;
    private boolean initialRead = true;
    private final Map<Long, Boolean> deliveredEvictions = bounded(REMEMBERED_EVICTIONS);
    /** Entries delivered lately: a row written between LISTEN and the catch-up read is both read and notified. */
    private final Map<Long, Boolean> deliveredEntries = bounded(REMEMBERED_ENTRIES);

    PostgresSemanticShare(MetricsDatabase database, String instance, InstantSource clock) {
        if (database.dialect() != Dialect.POSTGRESQL) {
            throw new IllegalArgumentException("the semantic share needs PostgreSQL, not " + database.dialect().label());
        }
        this.database = database;
        this.instance = Objects.requireNonNull(instance);
        this.clock = Objects.requireNonNull(clock);
        writer = new Thread(this::runWriter, WRITER_THREAD);
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public synchronized void start(String model, int limit, Listener listener) {
        if (listenerThread != null || closed) {
            return;
        }
        this.model = Objects.requireNonNull(model);
        this.limit = limit;
        this.listener = Objects.requireNonNull(listener);
        Thread t = new Thread(this::runListener, LISTENER_THREAD);
        t.setDaemon(true);
        listenerThread = t;
        t.start();
    }

    @Override
    public void publish(Entry entry) {
        offer(new Publish(entry));
    }

    @Override
    public void evict(String model, Eviction eviction) {
        offer(new Evict(model, eviction));
    }

    private void offer(Write w) {
        if (closed || !queue.offer(w)) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public Status status() {
        String p = listenProblem != null ? listenProblem : writeProblem;
        return new Status(p == null, p, received.get(), published.get(), dropped.get());
    }

    /** This gateway's id, as written in {@code semantic_entries.instance}. */
    String instance() {
        return instance;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        writer.interrupt();
        join(writer);
        Thread t = listenerThread;
        if (t != null) {
            join(t); // wakes from its notification wait within WAIT_MILLIS
        }
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- writer thread ----

    private void runWriter() {
        Write pending = null;
        Duration backoff = RETRY_FIRST;
        long nextPurge = clock.millis() + Duration.ofMinutes(1).toMillis(); // after the schema is migrated
        int attempts = 0;
        while (!closed) {
            try {
                if (pending == null) {
                    pending = queue.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (pending == null && clock.millis() < nextPurge) {
                continue;
            }
            try (Connection c = database.open()) {
                if (pending != null) {
                    write(c, pending);
                    pending = null;
                } else {
                    int purged = SemanticEntryTable.purge(c, clock.millis() - PURGE_GRACE.toMillis());
                    LOG.debug("purged {} expired shared semantic entries", purged);
                    nextPurge = clock.millis() + PURGE_EVERY.toMillis();
                }
                attempts = 0;
                backoff = RETRY_FIRST;
                if (writeProblem != null) {
                    writeProblem = null;
                    LOG.info("shared semantic cache: writes reach the database again");
                }
            } catch (SQLException | RuntimeException e) {
                if (SqlFailures.connectionLost(e)) {
                    if (writeProblem == null) {
                        LOG.warn("shared semantic cache: database unreachable ({}); keeping writes queued",
                                MetricsStore.safeMessage(e));
                    }
                    writeProblem = "unreachable: " + MetricsStore.safeMessage(e);
                    pause(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
                } else if (pending == null || ++attempts >= 3) {
                    // a purge that failed, or a write the database refuses three times (a missing table): give up
                    LOG.warn("shared semantic cache: {} failed: {}", pending == null ? "purge" : "write",
                            MetricsStore.safeMessage(e));
                    if (pending != null) {
                        dropped.incrementAndGet();
                    } else {
                        nextPurge = clock.millis() + PURGE_EVERY.toMillis();
                    }
                    pending = null;
                    attempts = 0;
                } else {
                    pause(backoff); // e.g. the schema is being migrated by the listener
                }
            }
        }
    }

    private void write(Connection c, Write w) throws SQLException {
        if (w instanceof Publish p) {
            SemanticEntryTable.insert(c, instance, p.entry());
            published.incrementAndGet();
        } else if (w instanceof Evict ev) {
            SemanticEntryTable.evict(c, instance, ev.model(), ev.eviction(), clock.millis());
        }
    }

    // ---- listener thread ----

    private void runListener() {
        Duration backoff = RETRY_FIRST;
        while (!closed) {
            try (Connection c = database.openDedicated()) {
                MetricsSchema.migrate(c, Dialect.POSTGRESQL, clock);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + SemanticEntryTable.CHANNEL);
                }
                catchUp(c);
                if (listenProblem != null && !"connecting".equals(listenProblem)) {
                    LOG.info("shared semantic cache: listening again");
                }
                listenProblem = null;
                backoff = RETRY_FIRST;
                PGConnection pg = c.unwrap(PGConnection.class);
                long nextBeat = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS);
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications((int) WAIT_MILLIS);
                    if (notes != null) {
                        for (PGNotification n : notes) {
                            onNotification(c, n.getParameter());
                        }
                    }
                    if (System.nanoTime() > nextBeat) {
                        if (!c.isValid(HEARTBEAT_SECONDS)) {
                            throw new SQLException("connection no longer valid", "08006");
                        }
                        nextBeat = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (listenProblem == null || "connecting".equals(listenProblem)) {
                    LOG.warn("shared semantic cache: not listening ({}); retrying", MetricsStore.safeMessage(e));
                }
                listenProblem = "unreachable: " + MetricsStore.safeMessage(e);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * What was written while not listening: at the first connection every live entry (this gateway's earlier
     * runs included) and the evictions in force; after a reconnect the others' entries since the last seen id and
     * the evictions not yet delivered. The listener drops negatives it knows already.
     */
    private void catchUp(Connection c) throws SQLException {
        long now = clock.millis();
        boolean first = initialRead;
        for (Entry e : SemanticEntryTable.live(c, model, first ? 0 : Math.max(0, lastSeenId - CATCH_UP_OVERLAP),
                now, first ? null : instance, limit)) {
            deliver(e);
        }
        for (Eviction e : SemanticEntryTable.evictions(c, model, now)) {
            if (deliveredEvictions.put(e.id(), Boolean.TRUE) == null) {
                deliver(e);
            }
        }
        initialRead = false;
    }

    private void onNotification(Connection c, String payload) throws SQLException {
        String[] parts = payload.split(" ", 3);
        if (parts.length < 3) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        boolean own = instance.equals(parts[2]);
        if ("i".equals(parts[0])) {
            lastSeenId = Math.max(lastSeenId, id);
            if (!own) {
                SemanticEntryTable.liveById(c, model, id, clock.millis()).ifPresent(this::deliver);
            }
        } else if ("e".equals(parts[0]) && deliveredEvictions.put(id, Boolean.TRUE) == null && !own) {
            SemanticEntryTable.evictionById(c, model, id).ifPresent(this::deliver);
        }
    }

    private void deliver(Entry e) {
        lastSeenId = Math.max(lastSeenId, e.id());
        if (deliveredEntries.put(e.id(), Boolean.TRUE) != null) {
            return;
        }
        received.incrementAndGet();
        try {
            listener.added(e);
        } catch (RuntimeException ex) {
            // one row the cache cannot take must not make the listener reconnect and read it again forever
            LOG.warn("shared semantic cache: entry {} not applied: {}", e.id(), ex.toString());
        }
    }

    private void deliver(Eviction e) {
        try {
            listener.evicted(e);
        } catch (RuntimeException ex) {
            LOG.warn("shared semantic cache: eviction {} not applied: {}", e.id(), ex.toString());
        }
    }

    private static Map<Long, Boolean> bounded(int max) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > max;
            }
        };
    }

    private void pause(Duration d) {
        synchronized (pause) {
            if (closed) {
                return;
            }
            try {
                pause.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                // close() interrupts the writer: the loop sees closed
            }
        }
    }
}
