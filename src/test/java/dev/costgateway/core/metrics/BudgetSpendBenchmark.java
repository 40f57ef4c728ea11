package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.budget.OthersSpend;
import dev.costgateway.testing.PostgresServer;

/**
 * What the shared budgets' read of the other instances' spend costs PostgreSQL (ADR 0065); run with
 * {@code mvn -B -o -Pbench test -Dtest=BudgetSpendBenchmark}. Fills a real PostgreSQL with a month of team traffic
 * ({@code -Dbench.rows}, default 2,000,000 requests; 40 caller keys on 3 gateways, each key on one gateway and in two
 * projects; {@code -Dbench.hours=office} puts them on weekdays 08:00-18:00, {@code allday} spreads them over every
 * quarter hour, the most rows {@code budget_spend} can get), derives {@code budget_spend} the way the writer keeps it,
 * and prints the median time of the two refresh reads (today's, every second; the month's earlier days', every minute)
 * and their plans, beside the month's grouped query over {@code requests}.
 */
@Tag("bench")
class BudgetSpendBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 2_000_000);
    private static final String HOURS = System.getProperty("bench.hours", "office");
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    @Test
    void theOthersSpendOfAMonthIsReadInMilliseconds() throws Exception {
        // the last day of a month, late: the read covers the whole month
        Instant now = ZonedDateTime.of(2026, 12, 31, 17, 0, 0, 0, ZONE).toInstant();
        Instant month = ZonedDateTime.of(2026, 12, 1, 0, 0, 0, 0, ZONE).toInstant();
        Instant day = ZonedDateTime.of(2026, 12, 31, 0, 0, 0, 0, ZONE).toInstant();
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.freshDatabase();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                MetricsSchema.migrate(c, Dialect.POSTGRESQL, () -> now);
                long monthMicros = RequestRows.toMicros(month);
                long t0 = System.nanoTime();
                // day d of the month (0-30), then a time of day; key k (0-39) on gateway k % 3, project by key
                String tod = HOURS.equals("allday") ? "(random() * 86400000000)::bigint"
                        : "(8 * 3600000000::bigint + (random() * 36000000000)::bigint)";
                String dayPick = HOURS.equals("allday") ? "floor(random() * 31)::bigint"
                        : "(ARRAY[0,1,2,3,6,7,8,9,10,13,14,15,16,17,20,21,22,23,24,27,28,29,30])"
                                + "[1 + floor(random() * 23)::int]::bigint";
                st.execute("INSERT INTO requests (id, query_id, ts_micros, caller_key_hash, project, instance, "
                        + "cost_usd, escalations, streamed, status, latency_ms, latency_bucket, ttfb_ms, upstream_ms) "
                        + "SELECT g, 'q' || g, " + monthMicros + " + d * 86400000000 + tod, 'key-' || k, "
                        + "'project-' || ((k * 7 + (g % 2)) % 25), 'host-' || (k % 3) || '/id', "
                        + "0.0001 + random() * 0.05, 0, false, 200, 900, 10, 300, 850 FROM ("
                        + "SELECT g, floor(random() * 40)::int AS k, " + dayPick + " AS d, " + tod + " AS tod "
                        + "FROM generate_series(1, " + ROWS + ") g) r");
                // the writer's rows: the same aggregation as migration V6's
                String v6 = MetricsSchema.script("V6__budget_spend.sql");
                String fill = MetricsSchema.statements(v6).get(1);
                st.execute("TRUNCATE budget_spend");
                st.execute(fill);
                st.execute("ANALYZE");
                System.out.printf(Locale.ROOT, "filled in %d s: %d requests, %d budget_spend rows (%s)%n",
                        (System.nanoTime() - t0) / 1_000_000_000, count(st, "SELECT COUNT(*) FROM requests"),
                        count(st, "SELECT COUNT(*) FROM budget_spend"), HOURS);
                System.out.printf(Locale.ROOT, "budget_spend rows of other instances this month: %d%n",
                        count(st, "SELECT COUNT(*) FROM budget_spend WHERE instance <> 'host-0/id' "
                                + "AND slot_epoch >= " + BudgetSpendTable.slotOf(month)));
                explain(st, "today's read (every second)", "SELECT caller_key_hash, project, SUM(cost_usd) FROM "
                        + "budget_spend WHERE slot_epoch >= " + BudgetSpendTable.slotOf(day)
                        + " AND instance <> 'host-0/id' GROUP BY caller_key_hash, project");
                explain(st, "the earlier days' read (every minute)", "SELECT caller_key_hash, project, "
                        + "SUM(cost_usd) FROM budget_spend WHERE slot_epoch >= " + BudgetSpendTable.slotOf(month)
                        + " AND slot_epoch < " + BudgetSpendTable.slotOf(day)
                        + " AND instance <> 'host-0/id' GROUP BY caller_key_hash, project");
            }
            ConnectionFactory connections = () -> DriverManager.getConnection(url);
            try (Connection keep = connections.open()) {
                ConnectionFactory one = () -> keepOpen(keep);
                long[] todayNanos = new long[31];
                List<OthersSpend.KeySpend> today = List.of();
                for (int i = 0; i < todayNanos.length; i++) {
                    long t = System.nanoTime();
                    today = BudgetSpendTable.othersBetween(one, day, null, "host-0/id");
                    todayNanos[i] = System.nanoTime() - t;
                }
                long[] earlierNanos = new long[11];
                List<OthersSpend.KeySpend> earlier = List.of();
                for (int i = 0; i < earlierNanos.length; i++) {
                    long t = System.nanoTime();
                    earlier = BudgetSpendTable.othersBetween(one, month, day, "host-0/id");
                    earlierNanos[i] = System.nanoTime() - t;
                }
                long[] requestNanos = new long[5];
                for (int i = 0; i < requestNanos.length; i++) {
                    long t = System.nanoTime();
                    try (Statement st = keep.createStatement(); ResultSet rs = st.executeQuery(
                            "SELECT caller_key_hash, project, SUM(cost_usd) FROM requests "
                                    + "WHERE ts_micros >= " + RequestRows.toMicros(month)
                                    + " AND instance <> 'host-0/id' AND cost_usd IS NOT NULL "
                                    + "GROUP BY caller_key_hash, project")) {
                        while (rs.next()) {
                            rs.getDouble(3);
                        }
                    }
                    requestNanos[i] = System.nanoTime() - t;
                }
                double todayMs = median(todayNanos) / 1e6;
                double earlierMs = median(earlierNanos) / 1e6;
                System.out.printf(Locale.ROOT, "today's read: median %.2f ms (min %.2f, %d runs), %d key/project "
                        + "rows%n", todayMs, Arrays.stream(todayNanos).min().orElseThrow() / 1e6, todayNanos.length,
                        today.size());
                System.out.printf(Locale.ROOT, "earlier days' read: median %.2f ms (min %.2f, %d runs), %d rows%n",
                        earlierMs, Arrays.stream(earlierNanos).min().orElseThrow() / 1e6, earlierNanos.length,
                        earlier.size());
                System.out.printf(Locale.ROOT, "per gateway and minute: %.0f ms of queries (60 x today + 1 x "
                        + "earlier)%n", 60 * todayMs + earlierMs);
                System.out.printf(Locale.ROOT, "the month's grouped query over requests instead: median %.1f ms "
                        + "(%d runs)%n", median(requestNanos) / 1e6, requestNanos.length);
                assertThat(today).as("keys of the two other gateways").isNotEmpty();
                assertThat(earlier).isNotEmpty();
            }
        }
    }

    private static void explain(Statement st, String what, String sql) throws Exception {
        System.out.println(what + ":");
        try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            while (rs.next()) {
                System.out.println("  " + rs.getString(1));
            }
        }
    }

    /** The benchmark's one connection, handed out again and again (closing it is the benchmark's business). */
    private static Connection keepOpen(Connection c) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, m, args) -> m.getName().equals("close") ? null
                        : m.invoke(c, args));
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
