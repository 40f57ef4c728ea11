package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.costgateway.core.config.GatewayConfig;

/** The store on each database it supports, with the same migrations: H2 (the default) and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class MetricsStoreTest {

    @Parameter
    StoreBackend backend;

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Records.T0.plus(Duration.ofMinutes(5)));
    private MetricsStore store;
    private String jdbcUrl;

    @BeforeEach
    void freshDatabase() {
        jdbcUrl = backend.prepare(dataDir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private MetricsStore open(GatewayConfig.Metrics cfg) {
        store = MetricsStore.open(StoreBackend.on(jdbcUrl, cfg), dataDir, clock);
        return store;
    }

    /** A store over the given connections (to hold or break them), on this backend's database. */
    private MetricsStore openWith(GatewayConfig.Metrics cfg, ConnectionFactory connections, Runnable beforeBatch) {
        Dialect dialect = Dialect.of(jdbcUrl.isEmpty() ? MetricsStore.defaultUrl(dataDir) : jdbcUrl);
        store = new MetricsStore(StoreBackend.on(jdbcUrl, cfg), MetricsDatabase.of(dialect, connections),
                "test-instance", clock, beforeBatch);
        return store;
    }

    static Stream<Arguments> everyKind() {
        return Stream.of(
                Arguments.of("plain", (BiFunction<String, Instant, RequestRecord>) Records::plain),
                Arguments.of("streamed", (BiFunction<String, Instant, RequestRecord>) Records::streamed),
                Arguments.of("exact hit", (BiFunction<String, Instant, RequestRecord>) Records::exactHit),
                Arguments.of("semantic hit", (BiFunction<String, Instant, RequestRecord>) Records::semanticHit),
                Arguments.of("escalated", (BiFunction<String, Instant, RequestRecord>) Records::escalated),
                Arguments.of("classifier called", (BiFunction<String, Instant, RequestRecord>) Records::classified),
                Arguments.of("upstream error", (BiFunction<String, Instant, RequestRecord>) Records::upstreamError),
                Arguments.of("gateway error", (BiFunction<String, Instant, RequestRecord>) Records::gatewayError),
                Arguments.of("client hang-up", (BiFunction<String, Instant, RequestRecord>) Records::clientHangUp),
                Arguments.of("scored", (BiFunction<String, Instant, RequestRecord>) Records::scored));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKind")
    void storesEveryFieldOfEachRequestKind(String kind, BiFunction<String, Instant, RequestRecord> make) {
        open(Records.config(true, 100));
        RequestRecord r = make.apply("q-" + kind.replace(' ', '-'), Records.T0);
        store.record(r);
        store.flush();

        assertThat(store.request(r.queryId())).contains(r);
        assertThat(store.requests(MetricsQueries.RequestQuery.latest(10))).containsExactly(r);
        assertThat(store.droppedRecords()).isZero();
    }

    @Test
    void countsEscalationsByTheModelTheRouterStartedAt() {
        open(Records.config(false, 100));
        // two started on Haiku and escalated; one started on Sonnet after a classifier call; one kept on Haiku
        store.record(Records.escalated("q-esc-1", Records.T0));
        store.record(Records.escalated("q-esc-2", Records.T0.plusSeconds(1)));
        store.record(Records.classified("q-cls", Records.T0.plusSeconds(2)));
        store.record(Records.plain("q-plain", Records.T0.plusSeconds(3)));
        store.record(Records.exactHit("q-hit", Records.T0.plusSeconds(4))); // a cache hit started nowhere
        store.flush();

        List<MetricsQueries.StartEscalations> all = store.escalationsByStartModel(null, null);
        assertThat(all).filteredOn(e -> e.startModel().equals("claude-haiku-4-5-20251001")).singleElement()
                .satisfies(e -> {
                    assertThat(e.requests()).isEqualTo(3);
                    assertThat(e.escalated()).isEqualTo(2);
                    assertThat(e.rate()).isEqualTo(2.0 / 3);
                });
        assertThat(all).filteredOn(e -> e.startModel().equals("claude-sonnet-4-6")).singleElement()
                .satisfies(e -> {
                    assertThat(e.requests()).isEqualTo(1);
                    assertThat(e.escalated()).isZero();
                });
        assertThat(all).as("the cache hit had no first attempt").hasSize(2);
        assertThat(store.escalationsByStartModel(Records.T0.plusSeconds(1), null))
                .filteredOn(e -> e.startModel().startsWith("claude-haiku")).singleElement()
                .satisfies(e -> assertThat(e.requests()).as("the range starts after the first").isEqualTo(2));
    }

    @Test
    void keepsHistoryAcrossRestartOnTheSameDataDir() {
        open(Records.config(true, 100));
        RequestRecord first = Records.escalated("q-before", Records.T0);
        store.record(first);
        store.close();

        open(Records.config(true, 100));
        RequestRecord second = Records.plain("q-after", Records.T0.plusSeconds(1));
        store.record(second);
        store.flush();

        assertThat(store.requests(MetricsQueries.RequestQuery.latest(10))).containsExactly(second, first);
        assertThat(store.summary(null, null).requests()).isEqualTo(2);
    }

    @Test
    void neverWritesPreviewsWhenStoreTextIsOff() {
        open(Records.config(false, 100));
        store.record(Records.plain("q-1", Records.T0));
        store.flush();

        RequestRecord stored = store.request("q-1").orElseThrow();
        assertThat(stored.promptPreview()).isNull();
        assertThat(stored.answerPreview()).isNull();
        assertThat(store.requests(new MetricsQueries.RequestQuery(null, null, "hello", null, true, 10))).isEmpty();
    }

    @Test
    void cutsPreviewsToTheConfiguredLengthAndMasksApiKeys() {
        open(new GatewayConfig.Metrics("", true, 20, 90, 100));
        String prompt = "my key is sk-ant-api03-SECRETSECRET and more text after it";
        store.record(Records.withText(Records.plain("q-1", Records.T0), "m", prompt, "ok"));
        store.flush();

        RequestRecord stored = store.request("q-1").orElseThrow();
        assertThat(stored.promptPreview()).isEqualTo("my key is sk-ant-***");
        assertThat(stored.answerPreview()).isEqualTo("ok");
    }

    @Test
    void storesAwkwardTextExactlyExceptNul() {
        open(Records.config(true, 100));
        String prompt = "a \"quoted\", comma,\nnew line\r\n\\N back\\slash \uD83D\uDE00 tab\t end";
        RequestRecord r = Records.withText(Records.plain("q-text", Records.T0), "model,\"odd\"", prompt, "");
        store.record(r);
        store.record(Records.withText(Records.plain("q-nul", Records.T0), "m\u0000x", "nul\u0000here", null));
        store.flush();

        assertThat(store.request("q-text")).contains(r);
        RequestRecord nul = store.request("q-nul").orElseThrow();
        assertThat(nul.promptPreview()).isEqualTo("nul\uFFFDhere");
        assertThat(nul.finalModel()).isEqualTo("m\uFFFDx");
        assertThat(store.summary(null, null).requestsByModel()).containsOnlyKeys("model,\"odd\"", "m\uFFFDx");
        assertThat(store.droppedRecords()).isZero();
    }

    @Test
    void countsRecordsDroppedWhileTheQueueIsFull() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        openWith(Records.config(false, 2), urlConnections(), () -> {
            writerHeld.countDown();
            await(release);
        });
        store.record(Records.plain("q-0", Records.T0));
        assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 5; i++) {
            store.record(Records.plain("q-" + i, Records.T0));
        }
        assertThat(store.droppedRecords()).isEqualTo(3);

        release.countDown();
        store.flush();
        assertThat(store.summary(null, null).requests()).isEqualTo(3);
        store.record(Records.plain("q-6", Records.T0));
        store.flush();
        assertThat(store.summary(null, null).requests()).isEqualTo(4);
        assertThat(store.droppedRecords()).isEqualTo(3);
    }

    @Test
    void keepsABatchWhoseConnectionBrokeAndWritesItOnANewOne() throws Exception {
        AtomicReference<Connection> last = new AtomicReference<>();
        ConnectionFactory urls = urlConnections();
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> hold = new AtomicReference<>(true);
        openWith(Records.config(false, 100), () -> {
            Connection c = urls.open();
            last.set(c);
            return c;
        }, () -> {
            if (hold.get()) {
                writerHeld.countDown();
                await(release);
            }
        });
        Connection writerConnection = last.get();
        store.record(Records.plain("q-first", Records.T0));
        assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
        writerConnection.close();
        hold.set(false);
        release.countDown();
        store.flush();
        store.flush(); // the first may return on the failed try; this one sees the retry on a new connection

        store.record(Records.plain("q-kept", Records.T0.plusSeconds(1)));
        store.flush();
        assertThat(store.droppedRecords()).isZero();
        assertThat(last.get()).isNotSameAs(writerConnection);
        assertThat(store.requests(MetricsQueries.RequestQuery.latest(10)))
                .extracting(RequestRecord::queryId).containsExactly("q-kept", "q-first");
        assertThat(store.health().up()).isTrue();
    }

    @Test
    void countsRecordsLostWhileATableIsMissing() throws Exception {
        open(Records.config(false, 100));
        try (Connection c = backend.connect(jdbcUrl, dataDir); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE latency_hourly RENAME TO latency_hourly_away");
            store.record(Records.plain("q-lost", Records.T0));
            store.flush();
            assertThat(store.droppedRecords()).isEqualTo(1);
            st.execute("ALTER TABLE latency_hourly_away RENAME TO latency_hourly");
        }
        store.record(Records.plain("q-kept", Records.T0));
        store.flush();

        assertThat(store.droppedRecords()).isEqualTo(1);
        assertThat(store.requests(MetricsQueries.RequestQuery.latest(10)))
                .extracting(RequestRecord::queryId).containsExactly("q-kept");
        assertThat(store.summary(null, null).requests()).isEqualTo(1);
    }

    @Test
    void countsRecordsArrivingAfterClose() {
        open(Records.config(false, 100));
        store.record(Records.plain("q-1", Records.T0));
        store.close();
        store.record(Records.plain("q-2", Records.T0));
        store.record(null);

        assertThat(store.droppedRecords()).isEqualTo(2);
    }

    @Test
    void purgesRequestsOlderThanRetentionOncePerDay() throws SQLException {
        open(Records.config(false, 100));
        Instant now = clock.instant();
        store.record(Records.escalated("q-old", now.minus(Duration.ofDays(95))));
        store.record(Records.plain("q-edge", now.minus(Duration.ofDays(89))));
        store.flush();
        assertThat(store.summary(null, null).requests()).isEqualTo(2);

        clock.advance(Duration.ofHours(23));
        store.record(Records.plain("q-new", clock.instant()));
        store.flush();
        assertThat(store.summary(null, null).requests()).as("purge waits a day").isEqualTo(3);

        clock.advance(Duration.ofHours(1));
        store.record(Records.plain("q-newer", clock.instant()));
        store.flush();

        assertThat(store.request("q-old")).isEmpty();
        assertThat(store.summary(null, null).requests()).isEqualTo(3);
        assertThat(store.report(null, null, MetricsQueries.ReportGrouping.DAY))
                .extracting(MetricsQueries.ReportRow::requests).containsExactly(1L, 2L);
        assertThat(count("SELECT COUNT(*) FROM request_attempts")).isEqualTo(3);
    }

    @Test
    void budgetSpendIsKeptPerCallerKeyBesideTheRequestsAndRebuiltFromThemByItsMigration() throws SQLException {
        open(Records.config(false, 100));
        Instant day2 = Records.T0.plus(Duration.ofDays(1));
        store.record(Records.plain("q1", Records.T0)); // hash-abc, $0.0003
        store.record(Records.streamed("q2", day2)); // hash-abc, $0.0132
        store.record(Records.semanticHit("q3", day2)); // hash-def, a hit: $0, counts nothing
        store.record(Records.at(Records.plain("q0", Records.T0), "q0", Records.T0.minus(Duration.ofDays(40))));
        store.flush();
        Instant month = Records.T0.minus(Duration.ofDays(5));
        Instant today = day2.minus(Duration.ofHours(1));

        List<dev.costgateway.core.budget.SpendSource.Row> rows = store.spendSince(month, today);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).callerKeyHash()).isEqualTo("hash-abc");
        assertThat(rows.get(0).project()).isEmpty();
        assertThat(rows.get(0).sinceMonthStartUsd()).isCloseTo(0.0135, within(1e-12));
        assertThat(rows.get(0).sinceDayStartUsd()).isCloseTo(0.0132, within(1e-12));
        assertThat(store.othersSpendBetween(month, null)).as("no other instance wrote here").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM budget_spend")).as("one row per quarter hour, key and project")
                .isEqualTo(3);

        store.close();
        try (Connection c = backend.connect(jdbcUrl, dataDir); Statement st = c.createStatement()) {
            st.execute("DROP TABLE budget_spend");
            st.execute("DELETE FROM schema_version WHERE version = 6");
        }
        open(Records.config(false, 100));
        List<dev.costgateway.core.budget.SpendSource.Row> rebuilt = store.spendSince(month, today);
        assertThat(rebuilt).extracting(dev.costgateway.core.budget.SpendSource.Row::sinceMonthStartUsd)
                .singleElement().satisfies(usd -> assertThat(usd).isCloseTo(0.0135, within(1e-12)));
        assertThat(rebuilt.get(0).sinceDayStartUsd()).isCloseTo(0.0132, within(1e-12));
        assertThat(count("SELECT COUNT(*) FROM budget_spend")).isEqualTo(3);
    }

    @Test
    void recordsTheSchemaVersion() throws SQLException {
        open(Records.config(false, 100));
        String last = MetricsSchema.MIGRATIONS.get(MetricsSchema.MIGRATIONS.size() - 1);
        long lastVersion = Long.parseLong(last.substring(1, last.indexOf("__")));
        assertThat(count("SELECT MAX(version) FROM schema_version")).isEqualTo(lastVersion);
        store.close();
        open(Records.config(false, 100));
        assertThat(count("SELECT COUNT(*) FROM schema_version")).isEqualTo(MetricsSchema.MIGRATIONS.size());
    }

    @Test
    void upgradesADatabaseMadeBeforeInstancesAndKeepsItsIds() throws SQLException {
        try (Connection c = backend.connect(jdbcUrl, dataDir); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, applied_at_millis BIGINT NOT NULL)");
            for (String sql : MetricsSchema.statements(MetricsSchema.script("V1__init.sql"))) {
                st.execute(sql);
            }
            st.execute("INSERT INTO schema_version VALUES (1, 'init', 0)");
            st.execute("INSERT INTO requests (id, query_id, ts_micros, escalations, streamed, status, latency_ms, "
                    + "latency_bucket, ttfb_ms, upstream_ms) VALUES (41, 'q-old', "
                    + RequestRows.toMicros(Records.T0) + ", 0, FALSE, 200, 5, 0, 1, 1)");
        }
        open(Records.config(false, 100));
        store.record(Records.plain("q-new", Records.T0));
        store.flush();

        assertThat(count("SELECT COUNT(*) FROM requests WHERE query_id = 'q-old' AND id = 41 "
                + "AND instance IS NULL")).isEqualTo(1);
        assertThat(count("SELECT id FROM requests WHERE query_id = 'q-new'")).isGreaterThan(41);
        assertThat(store.request("q-new")).isPresent();
    }

    @Test
    void stampsEveryRowWithThisGatewaysInstance() throws SQLException {
        open(Records.config(false, 100));
        store.record(Records.plain("q-1", Records.T0));
        store.record(Records.exactHit("q-2", Records.T0));
        store.flush();

        assertThat(store.instance()).isEqualTo(GatewayInstance.of(dataDir)).contains("/");
        try (Connection c = backend.connect(jdbcUrl, dataDir);
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM requests WHERE instance = ?")) {
            ps.setString(1, store.instance());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        }
        assertThat(store.health()).extracting(MetricsStore.Health::backend, MetricsStore.Health::up,
                MetricsStore.Health::pendingRecords).containsExactly(backend.name().toLowerCase(), true, 0L);
    }

    @Test
    void countsRequestsPerInstance() throws SQLException {
        open(Records.config(false, 100));
        store.record(Records.plain("q-1", Records.T0));
        store.record(Records.escalated("q-2", Records.T0.plusSeconds(5)));
        store.flush();
        try (Connection c = backend.connect(jdbcUrl, dataDir); Statement st = c.createStatement()) {
            st.execute("UPDATE requests SET instance = 'other-host/0000abcd' WHERE query_id = 'q-2'");
        }

        assertThat(store.instances(null, null)).containsExactly(
                new MetricsQueries.InstanceRow("other-host/0000abcd", 1, 0.09, 0.0475, Records.T0.plusSeconds(5),
                        Records.T0.plusSeconds(5)),
                new MetricsQueries.InstanceRow(store.instance(), 1, 0.0003, 0.0009, Records.T0, Records.T0));
        assertThat(store.instances(Records.T0.plusSeconds(1), null)).extracting(MetricsQueries.InstanceRow::instance)
                .containsExactly("other-host/0000abcd");
    }

    private long count(String sql) throws SQLException {
        try (Connection c = backend.connect(jdbcUrl, dataDir);
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private ConnectionFactory urlConnections() {
        return () -> backend.connect(jdbcUrl, dataDir);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<RequestRecord> everyKindAt(Instant t) {
        return List.of(Records.plain("a", t), Records.streamed("b", t), Records.exactHit("c", t),
                Records.semanticHit("d", t), Records.escalated("e", t), Records.classified("f", t),
                Records.upstreamError("g", t), Records.gatewayError("h", t), Records.clientHangUp("i", t));
    }
}
