package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;
import dev.costgateway.core.metrics.MetricsQueries.SessionQuery;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/** Session figures checked against sums computed record by record, for whole and cut ranges. */
class SessionQueriesTest {

    private static final Instant START = Instant.parse("2025-03-10T00:00:00Z");

    @TempDir
    Path dataDir;

    /** 40 sessions over two days, of every record kind, some without a session, some with projects. */
    private static List<RequestRecord> history() {
        Random random = new Random(11);
        List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(START);
        List<RequestRecord> out = new ArrayList<>();
        int n = 0;
        for (int s = 0; s < 40; s++) {
            Instant t = START.plusSeconds(random.nextInt(2 * 86_400));
            String project = s % 3 == 0 ? "" : "/home/ana/src/p" + (s % 4);
            SessionTag.Source source = s % 5 == 0 ? SessionTag.Source.DERIVED : SessionTag.Source.HEADER;
            int turns = 1 + random.nextInt(30);
            for (int i = 0; i < turns; i++) {
                t = t.plusSeconds(5 + random.nextInt(900));
                RequestRecord kind = kinds.get(random.nextInt(kinds.size()));
                RequestRecord r = Records.withLatency(Records.at(kind, "s" + s + "-" + i, t), random.nextInt(9000));
                // the project shows up from the second turn on for some, as when a reminder is added later
                String p = i == 0 && s % 2 == 0 ? "" : project;
                out.add(r.withSession(new SessionTag("sess-" + s, source, p, 2)));
                n++;
            }
        }
        for (int i = 0; i < 25; i++) {
            out.add(Records.at(kinds.get(i % kinds.size()), "none-" + i,
                    START.plusSeconds(random.nextInt(2 * 86_400))));
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    private static final CacheHealth.Prices NO_PRICES =
            new CacheHealth.Prices(m -> java.util.OptionalDouble.empty(), 0, 0, 0);

    private static Map<String, SessionRow> expected(List<RequestRecord> rs, Instant from, Instant to) {
        Map<String, List<RequestRecord>> by = new LinkedHashMap<>();
        rs.stream().filter(r -> r.session().isPresent())
                .filter(r -> (from == null || !r.timestamp().isBefore(from)) && (to == null || r.timestamp().isBefore(to)))
                .sorted(Comparator.comparing(RequestRecord::timestamp))
                .forEach(r -> by.computeIfAbsent(r.session().id(), k -> new ArrayList<>()).add(r));
        Map<String, SessionRow> out = new LinkedHashMap<>();
        by.forEach((id, list) -> out.put(id, new SessionRow(id, list.get(0).session().source().wire(),
                list.stream().map(r -> r.session().project()).filter(p -> !p.isEmpty()).findFirst().orElse(""),
                list.get(0).timestamp(),
                list.stream().map(r -> r.timestamp().plusMillis(r.latencyMillis())).max(Comparator.naturalOrder())
                        .orElseThrow(),
                list.size(),
                new ArrayList<>(new TreeSet<>(list.stream().map(RequestRecord::finalModel).filter(Objects::nonNull)
                        .toList())),
                list.stream().map(RequestRecord::costUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                list.stream().map(RequestRecord::counterfactualUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                list.stream().map(RequestRecord::savedUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                list.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().inputTokens()).sum(),
                list.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().outputTokens()).sum(),
                list.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().cacheCreationInputTokens()).sum(),
                list.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().cacheReadInputTokens()).sum(),
                list.stream().filter(r -> "exact".equals(r.cacheKind()) || "semantic".equals(r.cacheKind())).count(),
                list.stream().mapToLong(RequestRecord::escalations).sum(),
                list.stream().filter(r -> r.errorType() != null).count(),
                // the findings are the whole session's, whatever the range (priced at $0: the store has no prices)
                CacheHealth.check(rs.stream().filter(r -> r.session().isPresent() && r.session().id().equals(id))
                        .sorted(Comparator.comparing(RequestRecord::timestamp)).map(RequestRecord::cacheTurn).toList(),
                        NO_PRICES).size(), 0.0)));
        return out;
    }

    private static void assertSame(List<SessionRow> actual, Map<String, SessionRow> expected) {
        assertThat(actual).extracting(SessionRow::sessionId).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (SessionRow a : actual) {
            SessionRow e = expected.get(a.sessionId());
            assertThat(a.costUsd()).isCloseTo(e.costUsd(), within(1e-9));
            assertThat(a.counterfactualUsd()).isCloseTo(e.counterfactualUsd(), within(1e-9));
            assertThat(a.savedUsd()).isCloseTo(e.savedUsd(), within(1e-9));
            SessionRow normalised = new SessionRow(a.sessionId(), a.source(), a.project(), a.started(),
                    a.lastActivity(), a.requests(), a.models(), e.costUsd(), e.counterfactualUsd(), e.savedUsd(),
                    a.inputTokens(), a.outputTokens(), a.cacheCreationTokens(), a.cacheReadTokens(), a.cacheHits(),
                    a.escalations(), a.errors(), a.cacheWarnings(), a.cacheWastedUsd());
            assertThat(normalised).as(a.sessionId()).isEqualTo(e);
        }
        // newest activity first
        List<Instant> lasts = actual.stream().map(SessionRow::lastActivity).toList();
        assertThat(lasts).isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void sessionFiguresAddUpRecordByRecordForWholeAndCutRanges() {
        List<RequestRecord> history = history();
        try (MetricsStore store = MetricsStore.open(Records.config(false, 10_000), dataDir,
                new MutableClock(START.plus(Duration.ofDays(2))))) {
            // in several batches, so sessions are updated as well as inserted
            for (int i = 0; i < history.size(); i++) {
                store.record(history.get(i));
                if (i % 97 == 0) {
                    store.flush();
                }
            }
            store.flush();
            assertSame(store.sessions(SessionQuery.latest(1000)), expected(history, null, null));
            Instant from = START.plusSeconds(3600 * 9 + 17);
            Instant to = START.plusSeconds(3600 * 30 + 5);
            assertSame(store.sessions(new SessionQuery(from, to, null, 1000)), expected(history, from, to));
            assertSame(store.sessions(new SessionQuery(from, null, null, 1000)), expected(history, from, null));
            assertSame(store.sessions(new SessionQuery(null, to, null, 1000)), expected(history, null, to));

            // totals over the range equal the summary over the requests that carry a session
            List<SessionRow> ranged = store.sessions(new SessionQuery(from, to, null, 1000));
            MetricsQueries.Summary summary = store.summary(from, to);
            long noSession = history.stream().filter(r -> !r.session().isPresent())
                    .filter(r -> !r.timestamp().isBefore(from) && r.timestamp().isBefore(to)).count();
            assertThat(ranged.stream().mapToLong(SessionRow::requests).sum() + noSession)
                    .isEqualTo(summary.requests());
        }
    }

    @Test
    void limitKeepsTheMostRecentAndProjectFilters() {
        List<RequestRecord> history = history();
        try (MetricsStore store = MetricsStore.open(Records.config(false, 10_000), dataDir,
                new MutableClock(START.plus(Duration.ofDays(2))))) {
            history.forEach(store::record);
            store.flush();
            List<SessionRow> all = store.sessions(SessionQuery.latest(1000));
            assertThat(store.sessions(SessionQuery.latest(5))).isEqualTo(all.subList(0, 5));
            List<SessionRow> p1 = store.sessions(new SessionQuery(null, null, "/home/ana/src/p1", 1000));
            assertThat(p1).isNotEmpty().allMatch(s -> s.project().equals("/home/ana/src/p1"));
            assertThat(p1).extracting(SessionRow::sessionId).containsExactlyElementsOf(all.stream()
                    .filter(s -> s.project().equals("/home/ana/src/p1")).map(SessionRow::sessionId).toList());
            assertThat(store.sessions(new SessionQuery(null, null, "", 1000))).isNotEmpty()
                    .allMatch(s -> s.project().isEmpty());
        }
    }

    @Test
    void sessionRequestsInOrderWithTheirSession() {
        List<RequestRecord> history = history();
        try (MetricsStore store = MetricsStore.open(Records.config(false, 10_000), dataDir,
                new MutableClock(START.plus(Duration.ofDays(2))))) {
            history.forEach(store::record);
            store.flush();
            List<RequestRecord> expected = history.stream().filter(r -> r.session().id().equals("sess-7"))
                    .sorted(Comparator.comparing(RequestRecord::timestamp)).toList();
            List<RequestRecord> actual = store.sessionRequests("sess-7", 10_000);
            assertThat(actual).extracting(RequestRecord::queryId)
                    .containsExactlyElementsOf(expected.stream().map(RequestRecord::queryId).toList());
            assertThat(actual).extracting(RequestRecord::session)
                    .containsExactlyElementsOf(expected.stream().map(RequestRecord::session).toList());
            assertThat(actual.get(0).attempts()).isEqualTo(expected.get(0).attempts());
            assertThat(store.sessionRequests("sess-7", 2)).hasSize(Math.min(2, expected.size()));
            assertThat(store.sessionRequests("no-such-session", 10)).isEmpty();
        }
    }

    @Test
    void reportBySessionAndProjectSumsToTheDayReport() {
        List<RequestRecord> history = history();
        try (MetricsStore store = MetricsStore.open(Records.config(false, 10_000), dataDir,
                new MutableClock(START.plus(Duration.ofDays(2))))) {
            history.stream().filter(r -> r.session().isPresent()).forEach(store::record);
            store.flush();
            LocalDate day = LocalDate.ofInstant(START, ZoneOffset.UTC);
            for (LocalDate[] range : new LocalDate[][] {{null, null}, {day, day}, {day.plusDays(1), null}}) {
                List<ReportRow> days = store.report(range[0], range[1], ReportGrouping.DAY);
                for (ReportGrouping g : List.of(ReportGrouping.SESSION, ReportGrouping.PROJECT)) {
                    List<ReportRow> rows = store.report(range[0], range[1], g);
                    assertThat(rows.stream().mapToLong(ReportRow::requests).sum())
                            .isEqualTo(days.stream().mapToLong(ReportRow::requests).sum());
                    assertThat(rows.stream().mapToDouble(ReportRow::costUsd).sum())
                            .isCloseTo(days.stream().mapToDouble(ReportRow::costUsd).sum(), within(1e-9));
                    assertThat(rows.stream().mapToLong(ReportRow::cacheReadTokens).sum())
                            .isEqualTo(days.stream().mapToLong(ReportRow::cacheReadTokens).sum());
                }
            }
            assertThat(store.report(null, null, ReportGrouping.PROJECT)).extracting(ReportRow::key)
                    .contains("", "/home/ana/src/p1").doesNotHaveDuplicates();
        }
    }

    @Test
    void retentionPurgeSubtractsPurgedRequestsFromSessions() {
        MutableClock clock = new MutableClock(START.plus(Duration.ofDays(1)));
        dev.costgateway.core.config.GatewayConfig.Metrics cfg =
                new dev.costgateway.core.config.GatewayConfig.Metrics("", false, 500, 1, 1000);
        List<RequestRecord> rs = new ArrayList<>();
        SessionTag tag = new SessionTag("long", SessionTag.Source.HEADER, "/p", 1);
        for (int day = 0; day < 3; day++) {
            rs.add(Records.at(Records.plain("x", START), "d" + day, START.plus(Duration.ofDays(day)).plusSeconds(60))
                    .withSession(tag));
        }
        try (MetricsStore store = MetricsStore.open(cfg, dataDir, clock)) {
            rs.forEach(store::record);
            store.flush();
            assertThat(store.sessions(SessionQuery.latest(10))).singleElement()
                    .extracting(SessionRow::requests).isEqualTo(3L);
        }
        // two days later with one day of retention: the first request is purged at start
        clock.advance(Duration.ofDays(1).plusSeconds(3600));
        try (MetricsStore store = MetricsStore.open(cfg, dataDir, clock)) {
            // the writer purges before it writes its first batch, so once this one is written the purge is done
            store.record(Records.plain("later", clock.instant()));
            store.flush();
            SessionRow s = store.sessions(SessionQuery.latest(10)).get(0);
            assertThat(s.requests()).isEqualTo(2);
            assertThat(s.started()).isEqualTo(rs.get(1).timestamp());
            assertThat(s.costUsd()).isCloseTo(2 * rs.get(0).costUsd(), within(1e-12));
        }
    }

    @Test
    void aVersionOneDatabaseMigratesAndItsRowsBelongToNoSession() throws Exception {
        String url = MetricsStore.defaultUrl(dataDir);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, applied_at_millis BIGINT NOT NULL)");
            String v1 = new String(MetricsSchema.class.getResourceAsStream("migrations/V1__init.sql").readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            for (String sql : MetricsSchema.statements(v1)) {
                st.execute(sql);
            }
            st.execute("INSERT INTO schema_version VALUES (1, 'init', 0)");
            st.execute("INSERT INTO requests (id, query_id, ts_micros, escalations, streamed, status, latency_ms, "
                    + "latency_bucket, ttfb_ms, upstream_ms) VALUES (1, 'old', 1741600000000000, 0, FALSE, 200, 5, 0, "
                    + "5, 5)");
        }
        try (MetricsStore store = MetricsStore.open(Records.config(false, 100), dataDir,
                new MutableClock(START))) {
            assertThat(store.request("old")).get().extracting(RequestRecord::session).isEqualTo(SessionTag.NONE);
            assertThat(store.sessions(SessionQuery.latest(10))).isEmpty();
            store.record(Records.plain("new", START).withSession(new SessionTag("s1", SessionTag.Source.HEADER,
                    "", 0)));
            store.flush();
            assertThat(store.sessions(SessionQuery.latest(10))).extracting(SessionRow::sessionId)
                    .containsExactly("s1");
        }
    }
}
