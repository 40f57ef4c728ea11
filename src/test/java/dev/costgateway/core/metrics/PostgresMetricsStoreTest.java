package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.testing.Closer;
import dev.costgateway.testing.PostgresServer;

/**
 * What only a shared PostgreSQL asks of the store: several gateways writing and migrating one database at once,
 * and a database that goes away and comes back (a real server stopped and restarted during the test).
 */
class PostgresMetricsStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Records.T0.plus(Duration.ofMinutes(5)));
    private final Closer open = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    private MetricsStore store(String url, String instanceDir, int queue) {
        MetricsStore s = MetricsStore.open(StoreBackend.on(url, Records.config(false, queue)),
                dir.resolve(instanceDir), clock);
        open.add(s);
        return s;
    }

    @Test
    void eachGatewayReadsItsOwnSpendAndTheOthersApart() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        MetricsStore a = store(url, "a", 100);
        MetricsStore b = store(url, "b", 100);
        assertThat(a.sharedWithOtherInstances()).isTrue();
        a.record(Records.plain("qa1", Records.T0)); // hash-abc $0.0003
        a.record(Records.plain("qa2", Records.T0.plusSeconds(60)));
        b.record(Records.streamed("qb1", Records.T0)); // hash-abc $0.0132
        b.record(Records.at(Records.escalated("qb2", Records.T0), "qb2", Records.T0.minus(Duration.ofDays(2))));
        a.flush();
        b.flush();
        Instant month = Records.T0.minus(Duration.ofDays(9));
        Instant today = Records.T0.minus(Duration.ofHours(12));

        List<dev.costgateway.core.budget.SpendSource.Row> mineA = a.spendSince(month, today);
        assertThat(mineA).singleElement().satisfies(r -> {
            assertThat(r.sinceMonthStartUsd()).isCloseTo(0.0006, within(1e-12));
            assertThat(r.sinceDayStartUsd()).isCloseTo(0.0006, within(1e-12));
        });
        assertThat(a.othersSpendBetween(month, null)).singleElement().satisfies(r -> {
            assertThat(r.callerKeyHash()).isEqualTo("hash-abc");
            assertThat(r.usd()).as("B's two requests").isCloseTo(0.0132 + 0.09, within(1e-12));
        });
        assertThat(a.othersSpendBetween(today, null)).as("only B's request of today")
                .singleElement().satisfies(r -> assertThat(r.usd()).isCloseTo(0.0132, within(1e-12)));
        assertThat(a.othersSpendBetween(month, today)).as("only B's request before today")
                .singleElement().satisfies(r -> assertThat(r.usd()).isCloseTo(0.09, within(1e-12)));
        assertThat(b.othersSpendBetween(month, null)).singleElement()
                .satisfies(r -> assertThat(r.usd()).isCloseTo(0.0006, within(1e-12)));
    }

    @Test
    void twoGatewaysWritingOneDatabaseAtOnceCountEveryRecordExactlyOnce() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        // both open (and migrate) at the same moment: the migration lock makes them take turns
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<MetricsStore>> opening = pool.invokeAll(List.<Callable<MetricsStore>>of(
                    () -> store(url, "a", 10_000), () -> store(url, "b", 10_000)));
            MetricsStore a = opening.get(0).get();
            MetricsStore b = opening.get(1).get();
            assertThat(a.instance()).isNotEqualTo(b.instance());

            List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(Records.T0);
            double expectedCost = 0;
            List<Future<?>> writing = new ArrayList<>();
            List<RequestRecord> forA = new ArrayList<>();
            List<RequestRecord> forB = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                RequestRecord r = Records.at(kinds.get(i % kinds.size()), "q" + i,
                        Records.T0.plusSeconds(i % 7200)); // the same two hours: both write the same rollup rows
                (i % 2 == 0 ? forA : forB).add(r);
                expectedCost += r.costUsd() == null ? 0 : r.costUsd();
            }
            writing.add(pool.submit(() -> forA.forEach(a::record)));
            writing.add(pool.submit(() -> forB.forEach(b::record)));
            for (Future<?> f : writing) {
                f.get();
            }
            a.flush();
            b.flush();

            Instant from = Records.T0.plusSeconds(1800);
            Instant to = Records.T0.plusSeconds(5400);
            long inRange = Stream.concat(forA.stream(), forB.stream())
                    .filter(r -> !r.timestamp().isBefore(from) && r.timestamp().isBefore(to)).count();
            for (MetricsStore s : List.of(a, b)) {
                MetricsQueries.Summary sum = s.summary(null, null);
                assertThat(sum.requests()).isEqualTo(4000);
                assertThat(sum.costUsd()).isCloseTo(expectedCost, within(1e-9));
                assertThat(s.summary(from, to).requests()).as("a range cut inside hours reads the rows of both")
                        .isEqualTo(inRange);
                assertThat(s.report(null, null, MetricsQueries.ReportGrouping.REQUEST)).hasSize(4000);
            }
            assertThat(a.droppedRecords() + b.droppedRecords()).isZero();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                assertThat(count(st, "SELECT COUNT(DISTINCT id) FROM requests")).isEqualTo(4000);
                assertThat(count(st, "SELECT COUNT(*) FROM request_attempts")).isEqualTo(
                        forA.stream().mapToLong(r -> r.attempts().size()).sum()
                                + forB.stream().mapToLong(r -> r.attempts().size()).sum());
                assertThat(count(st, "SELECT COUNT(DISTINCT instance) FROM requests")).isEqualTo(2);
                assertThat(count(st, "SELECT COUNT(*) FROM schema_version"))
                        .isEqualTo(MetricsSchema.MIGRATIONS.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keepsRecordsQueuedWhilePostgresIsDownAndWritesThemWhenItReturns() throws Exception {
        PostgresServer server = PostgresServer.start();
        open.add(server);
        MetricsStore store = store(server.freshDatabase(), "a", 50);
        for (int i = 0; i < 10; i++) {
            store.record(Records.plain("before-" + i, Records.T0.plusSeconds(i)));
        }
        store.flush();
        assertThat(store.summary(null, null).requests()).isEqualTo(10);

        server.stop();
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            store.record(Records.plain("during-" + i, Records.T0.plusSeconds(100 + i)));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("record() never waits on the database")
                .isLessThan(Duration.ofSeconds(1));
        store.flush(); // returns once a try has found the database away; the 20 are the writer's held batch
        MetricsStore.Health down = store.health();
        assertThat(down.up()).isFalse();
        assertThat(down.problem()).startsWith("unreachable");
        assertThat(down.pendingRecords()).isEqualTo(20);
        assertThat(down.droppedRecords()).isZero();

        for (int i = 0; i < 60; i++) { // the queue holds 50 more; 10 overflow, and are counted
            store.record(Records.plain("queued-" + i, Records.T0.plusSeconds(200 + i)));
        }
        assertThat(store.droppedRecords()).isEqualTo(10);
        assertThat(store.health().pendingRecords()).isEqualTo(70);

        server.restart();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (store.pendingRecords() > 0 && System.nanoTime() < deadline) {
            store.flush();
        }
        assertThat(store.health().up()).isTrue();
        assertThat(store.summary(null, null).requests()).isEqualTo(80);
        assertThat(store.request("during-19")).isPresent();
        assertThat(store.request("queued-49")).isPresent();
        assertThat(store.droppedRecords()).isEqualTo(10);
    }

    @Test
    void startsWhilePostgresIsDownAndMigratesWhenItComesUp() throws Exception {
        PostgresServer server = PostgresServer.start();
        open.add(server);
        String url = server.freshDatabase();
        server.stop();

        MetricsStore store = store(url, "a", 100);
        assertThat(store.health().up()).isFalse();
        store.record(Records.escalated("q-1", Records.T0));
        store.flush();
        assertThat(store.pendingRecords()).isEqualTo(1);

        server.restart();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (store.pendingRecords() > 0 && System.nanoTime() < deadline) {
            store.flush();
        }
        RequestRecord r = Records.escalated("q-1", Records.T0);
        assertThat(store.request("q-1")).contains(Records.withText(r, r.finalModel(), null, null));
        assertThat(store.health().up()).isTrue();
    }

    @Test
    void neverShowsThePasswordEvenWhenItIsWrong() {
        PostgresServer server = PostgresServer.shared();
        String url = server.freshDatabase();
        String wrong = url.replace("password=" + server.password(), "password=Wr0ngSecret");
        MetricsStore bad = store(wrong, "a", 10);
        assertThat(bad.health().up()).isFalse();
        assertThat(bad.health().toString()).doesNotContain("Wr0ngSecret").contains("password=***");
        assertThat(bad.health().problem()).contains("password authentication failed");

        MetricsStore good = store(url, "b", 10);
        assertThat(good.health().up()).isTrue();
        assertThat(good.health().database()).doesNotContain(server.password());
    }

    @Test
    void takesCredentialsFromTheEnvironmentWhenTheUrlHasNone() {
        PostgresServer server = PostgresServer.shared();
        String url = server.freshDatabase();
        String bare = url.substring(0, url.indexOf('?'));
        MetricsStore s = MetricsStore.open(StoreBackend.on(bare, Records.config(false, 10)), dir.resolve("e"), clock,
                name -> switch (name) {
                    case "PGUSER" -> PostgresServer.USER;
                    case "PGPASSWORD" -> server.password();
                    default -> null;
                });
        open.add(s);
        s.record(Records.plain("q-env", Records.T0));
        s.flush();
        assertThat(s.request("q-env")).isPresent();
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
