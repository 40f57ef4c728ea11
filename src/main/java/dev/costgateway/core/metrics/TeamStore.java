package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.costgateway.core.observe.Observable;

/**
 * A read-only view of a team's shared metrics database ({@code metrics.team_view_jdbc_url}): the same queries as
 * the local store ({@link MetricsReader}), over a PostgreSQL that other gateways write. It never migrates and never
 * writes: its pool of {@value #POOL_SIZE} connections sets every session read-only, and {@link #open} refuses a
 * database that lacks a migration this build reads (the team's gateways apply them when they start).
 *
 * <p>Every query blocks on the database (call it off the FX thread) and borrows a connection for at most
 * {@value MetricsDatabase#BORROW_TIMEOUT_MILLIS} ms. {@link #health()} says whether the latest query reached the
 * database, with the reason (no password) when it did not. Thread-safe.
 */
public final class TeamStore implements MetricsQueries, AutoCloseable {

    /** Connections to the shared database: the visible screen's query and one more (a detail, the instances). */
    static final int POOL_SIZE = 2;

    /** Seconds a team query may wait on the socket: a screen's query, which the screen otherwise waits for. */
    static final int SOCKET_TIMEOUT_SECONDS = 15;

    /**
     * @param database the URL with any password masked
     * @param problem  why the latest query failed (masked), or null while the database answers
     */
    public record Health(String database, boolean up, String problem) {
    }

    private final HikariDataSource pool;
    private final String description;
    private final ReaderQueries queries;
    private final Observable<Health> health;
    private volatile boolean closed;

    private TeamStore(HikariDataSource pool, String description) {
        this.pool = pool;
        this.description = description;
        this.health = new Observable<>(new Health(description, true, null));
        this.queries = new ReaderQueries(new MetricsReader(pool::getConnection), this::read);
    }

    /**
     * Connects to the shared database read-only and checks its schema; blocks for at most a few seconds.
     *
     * @param jdbcUrl {@code jdbc:postgresql://HOST:PORT/DB?user=U&password=P} (without credentials: env
     *                {@code PGUSER}/{@code PGPASSWORD})
     * @param env     reads the environment
     * @throws MetricsStoreException with a message fit for the UI (no password) when the URL is not PostgreSQL, the
     *                database cannot be reached, or it lacks migrations this build needs
     */
    public static TeamStore open(String jdbcUrl, UnaryOperator<String> env) {
        String url = jdbcUrl == null ? "" : jdbcUrl.strip();
        String masked = JdbcUrls.masked(url);
        if (!url.toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:postgresql:")) {
            throw new MetricsStoreException("metrics.team_view_jdbc_url must be a jdbc:postgresql:// URL of the "
                    + "team's shared metrics database" + (url.isEmpty() ? " (it is empty)" : ", got " + masked), null);
        }
        if (!url.contains("socketTimeout=")) {
            // a query of the team view waits at most this long on a silent network, not the writer's minute
            url += (url.indexOf('?') < 0 ? "?" : "&") + "socketTimeout=" + SOCKET_TIMEOUT_SECONDS;
        }
        JdbcUrls.Postgres pg = JdbcUrls.postgres(url, env);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("team-view-pool");
        hc.setDriverClassName("org.postgresql.Driver");
        hc.setJdbcUrl(pg.url());
        hc.setUsername(pg.user());
        hc.setPassword(pg.password());
        hc.setMaximumPoolSize(POOL_SIZE);
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(MetricsDatabase.BORROW_TIMEOUT_MILLIS);
        hc.setValidationTimeout(1000);
        hc.setInitializationFailTimeout(-1); // the check below reports an unreachable database in its own words
        hc.setReadOnly(true);
        // JDBC read-only is only a hint to pgjdbc under auto-commit; the session setting makes the server refuse
        // every write
        hc.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            checkSchema(pool, masked);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new TeamStore(pool, masked);
    }

    /** The schema versions this build's queries read: every migration it ships. */
    static Set<Integer> requiredVersions() {
        return MetricsSchema.shippedVersions().keySet();
    }

    private static void checkSchema(HikariDataSource pool, String masked) {
        Set<Integer> applied;
        try (Connection c = pool.getConnection()) {
            if (!tableExists(c, "schema_version")) {
                throw new MetricsStoreException(masked + " holds no gateway metrics (no "
                        + "schema_version table); point metrics.team_view_jdbc_url at the database the team's "
                        + "gateways write (their metrics.jdbc_url)", null);
            }
            applied = MetricsSchema.appliedVersions(c);
        } catch (SQLException e) {
            // the reason first: a bar that cuts the message keeps what went wrong
            throw new MetricsStoreException("cannot reach the team's database: " + MetricsStore.safeMessage(e)
                    + " (" + masked + ")", e);
        }
        Set<Integer> missing = new TreeSet<>(requiredVersions());
        missing.removeAll(applied);
        if (!missing.isEmpty()) {
            StringBuilder names = new StringBuilder();
            for (var v : MetricsSchema.shippedVersions().entrySet()) {
                if (missing.contains(v.getKey())) {
                    names.append(names.length() == 0 ? "" : ", ").append("V").append(v.getKey()).append(" (")
                            .append(v.getValue()).append(")");
                }
            }
            throw new MetricsStoreException("the shared database lacks migration" + (missing.size() == 1
                    ? " " : "s ") + names + "; start one of the team's gateways on this version to apply "
                    + (missing.size() == 1 ? "it" : "them") + " (the team view never migrates)", null);
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    /** The pool's connections, for tests that try to write through them. */
    ConnectionFactory connections() {
        return pool::getConnection;
    }

    /** The shared database's URL with any password masked, for the UI. */
    public String description() {
        return description;
    }

    /** Whether the latest query reached the database; listeners run on the querying thread (hop to the UI). */
    public Observable<Health> health() {
        return health;
    }

    /**
     * Runs a query, once more when its pooled connection had died (the database restarted); any failure is kept in
     * {@link #health()} and rethrown.
     */
    private <T> T read(Supplier<T> query) {
        if (closed) {
            throw new IllegalStateException("team store is closed");
        }
        try {
            T result;
            try {
                result = query.get();
            } catch (MetricsStoreException e) {
                if (!SqlFailures.connectionLost(e)) {
                    throw e;
                }
                result = query.get();
            }
            if (!health.get().up()) {
                health.set(new Health(description, true, null));
            }
            return result;
        } catch (RuntimeException e) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            health.set(new Health(description, false, (SqlFailures.connectionLost(e) ? "unreachable: " : "")
                    + MetricsStore.safeMessage(why)));
            throw e;
        }
    }

    @Override
    public MetricsQueries forInstance(String instance) {
        return queries.forInstance(instance);
    }

    @Override
    public Summary summary(Instant from, Instant to) {
        return queries.summary(from, to);
    }

    @Override
    public List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        return queries.timeline(from, to, bucket);
    }

    @Override
    public List<RequestRecord> requests(RequestQuery query) {
        return queries.requests(query);
    }

    @Override
    public Optional<RequestRecord> request(String queryId) {
        return queries.request(queryId);
    }

    @Override
    public List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        return queries.report(from, to, grouping);
    }

    @Override
    public List<CounterRow> counters(Instant from, Instant to) {
        return queries.counters(from, to);
    }

    @Override
    public List<InstanceRow> instances(Instant from, Instant to) {
        return queries.instances(from, to);
    }

    @Override
    public List<ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        return queries.scoredRequests(from, to, limit);
    }

    @Override
    public LatencyHistogram latencyHistogram(Instant from, Instant to) {
        return queries.latencyHistogram(from, to);
    }

    @Override
    public List<SessionRow> sessions(SessionQuery query) {
        return queries.sessions(query);
    }

    @Override
    public CacheHealthTotals cacheHealthTotals(Instant from, Instant to) {
        return queries.cacheHealthTotals(from, to);
    }

    @Override
    public long semanticRejections(Instant from, Instant to) {
        return queries.semanticRejections(from, to);
    }

    @Override
    public List<StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        return queries.escalationsByStartModel(from, to);
    }

    @Override
    public List<RequestRecord> sessionRequests(String sessionId, int limit) {
        return queries.sessionRequests(sessionId, limit);
    }

    /** Closes the pool; idempotent. Queries after this fail. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }
}
