package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.core.metrics.MetricsQueries.SessionQuery;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;
import dev.costgateway.core.session.SessionTag;

/**
 * {@link MetricsQueries#forInstance}: two gateways wrote one database (three days, rows of both in the same hours,
 * one session that moved between them, a few old rows without an instance); every filtered query must count
 * exactly that gateway's rows, checked record by record, on H2 and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class InstanceFilterQueriesTest {

    static final String A = "host-a/0000aaaa";
    static final String B = "host-b/0000bbbb";
    private static final Instant START = Instant.parse("2025-03-10T00:00:00Z");

    @Parameter
    StoreBackend backend;

    @TempDir
    static Path dataDir;

    private MetricsStore store;
    /** Every record, by the instance that wrote it ("" = a row from before instances were recorded). */
    private final Map<String, List<RequestRecord>> byInstance = new LinkedHashMap<>();

    @BeforeParameterizedClassInvocation
    void seed() throws Exception {
        byInstance.clear();
        Path dir = dataDir.resolve(backend.name());
        String url = backend.prepare(dir);
        var cfg = StoreBackend.on(url, Records.config(true, 10_000));
        Random random = new Random(7);
        List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(START);
        List<RequestRecord> forA = new ArrayList<>();
        List<RequestRecord> forB = new ArrayList<>();
        List<RequestRecord> old = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            // A serves more and cheaper kinds than B, so a filter that leaked would change every figure
            boolean a = random.nextDouble() < 0.6;
            RequestRecord kind = kinds.get(a ? random.nextInt(4) : random.nextInt(kinds.size()));
            Instant t = START.plusMillis((long) (random.nextDouble() * Duration.ofDays(3).toMillis()));
            String session = i % 50 == 0 ? "s-moved" : (a ? "s-a-" : "s-b-") + (i % 13);
            RequestRecord r = Records.withLatency(Records.at(kind, "q" + i, t), random.nextInt(20_000))
                    .withSession(new SessionTag(session, SessionTag.Source.HEADER, a ? "/p/a" : "/p/b", 1));
            (i % 100 == 99 ? old : a ? forA : forB).add(r);
        }
        write(cfg, dir, url, A, forA);
        write(cfg, dir, url, B, forB);
        write(cfg, dir, url, "old", old);
        try (Connection c = backend.connect(url, dir); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE requests SET instance = NULL WHERE instance = 'old'");
        }
        byInstance.put(A, forA);
        byInstance.put(B, forB);
        byInstance.put("", old);
        store = MetricsStore.open(cfg, dir,
                new MutableClock(START.plus(Duration.ofDays(3))));
    }

    private static void write(dev.costgateway.core.config.GatewayConfig.Metrics cfg, Path dir, String url,
            String instance, List<RequestRecord> records) {
        MetricsDatabase db = MetricsDatabase.forUrl(url, dir, name -> null);
        MetricsStore writer = new MetricsStore(cfg, db, instance, new MutableClock(START.plus(Duration.ofDays(3))),
                () -> { });
        try {
            records.forEach(writer::record);
            writer.flush();
        } finally {
            writer.close();
        }
    }

    @AfterParameterizedClassInvocation
    void close() {
        store.close();
    }

    @Test
    void summaryOfEachInstanceCountsExactlyItsRows() {
        long total = 0;
        for (Map.Entry<String, List<RequestRecord>> e : byInstance.entrySet()) {
            Summary s = store.forInstance(e.getKey()).summary(null, null);
            assertSummary(s, e.getValue());
            total += s.requests();
        }
        assertThat(total).isEqualTo(store.summary(null, null).requests());
        assertThat(byInstance.get(A).size()).isNotEqualTo(byInstance.get(B).size());
    }

    @Test
    void summaryOfARangeThatCutsHoursCountsOnlyThatInstance() {
        Instant from = START.plusSeconds(3600 * 5 + 1234);
        Instant to = START.plusSeconds(3600 * 50 + 17);
        for (String instance : List.of(A, B)) {
            List<RequestRecord> inRange = byInstance.get(instance).stream()
                    .filter(r -> !r.timestamp().isBefore(from) && r.timestamp().isBefore(to)).toList();
            assertSummary(store.forInstance(instance).summary(from, to), inRange);
        }
    }

    @Test
    void timelineBucketsHoldOnlyThatInstance() {
        Duration bucket = Duration.ofHours(6);
        for (String instance : List.of(A, B)) {
            Map<Instant, Long> expected = new TreeMap<>();
            for (RequestRecord r : byInstance.get(instance)) {
                long b = r.timestamp().toEpochMilli() / bucket.toMillis() * bucket.toMillis();
                expected.merge(Instant.ofEpochMilli(b), 1L, Long::sum);
            }
            Map<Instant, Long> actual = store.forInstance(instance).timeline(START, null, bucket).stream()
                    .collect(Collectors.toMap(TimelinePoint::bucketStart, TimelinePoint::requests, (x, y) -> x,
                            TreeMap::new));
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void requestListAndLookupSeeOnlyThatInstance() {
        for (String instance : List.of(A, B)) {
            MetricsQueries q = store.forInstance(instance);
            Set<String> ids = q.requests(RequestQuery.latest(1000)).stream().map(RequestRecord::queryId)
                    .collect(Collectors.toSet());
            assertThat(ids).isEqualTo(byInstance.get(instance).stream().map(RequestRecord::queryId)
                    .collect(Collectors.toSet()));
        }
        String ofB = byInstance.get(B).get(0).queryId();
        assertThat(store.forInstance(B).request(ofB)).isPresent();
        assertThat(store.forInstance(A).request(ofB)).isEmpty();
        assertThat(store.request(ofB)).isPresent();
    }

    @Test
    void searchAndSortStayWithinTheInstance() {
        List<RequestRecord> rows = store.forInstance(A).requests(new RequestQuery(null, null, "claude-sonnet",
                MetricsQueries.SortField.COST, true, 1000));
        long expected = byInstance.get(A).stream().filter(r -> contains(r.requestedModel(), "claude-sonnet")
                || contains(r.finalModel(), "claude-sonnet")).count();
        assertThat(rows).hasSize((int) expected);
    }

    @Test
    void sessionsOfAnInstanceSumOnlyItsRequests() {
        for (String instance : List.of(A, B)) {
            Map<String, Long> expected = byInstance.get(instance).stream()
                    .collect(Collectors.groupingBy(r -> r.session().id(), TreeMap::new, Collectors.counting()));
            Map<String, Long> actual = store.forInstance(instance).sessions(SessionQuery.latest(1000)).stream()
                    .collect(Collectors.toMap(SessionRow::sessionId, SessionRow::requests, (x, y) -> x,
                            TreeMap::new));
            assertThat(actual).isEqualTo(expected);
        }
        // the moved session is in both, each with its own share; unfiltered it has all of them
        long moved = byInstance.values().stream().flatMap(List::stream)
                .filter(r -> r.session().id().equals("s-moved")).count();
        assertThat(store.sessions(SessionQuery.latest(1000)).stream()
                .filter(s -> s.sessionId().equals("s-moved")).findFirst().orElseThrow().requests()).isEqualTo(moved);
        List<SessionRow> latest = store.forInstance(A).sessions(SessionQuery.latest(3));
        assertThat(latest).hasSize(3);
        assertThat(latest.get(0).lastActivity()).isAfterOrEqualTo(latest.get(1).lastActivity());
        assertThat(store.forInstance(A).sessionRequests("s-moved", 1000)).extracting(RequestRecord::queryId)
                .containsExactlyElementsOf(byInstance.get(A).stream()
                        .filter(r -> r.session().id().equals("s-moved"))
                        .sorted(java.util.Comparator.comparing(RequestRecord::timestamp))
                        .map(RequestRecord::queryId).toList());
    }

    @Test
    void reportsOfAnInstanceAddUpItsRowsAndBothAddUpToTheWhole() {
        LocalDate from = LocalDate.of(2025, 3, 10);
        LocalDate to = LocalDate.of(2025, 3, 11);
        for (ReportGrouping g : List.of(ReportGrouping.DAY, ReportGrouping.MODEL, ReportGrouping.TIER,
                ReportGrouping.REQUEST, ReportGrouping.SESSION, ReportGrouping.PROJECT)) {
            Map<String, Long> all = requestsByKey(store.report(from, to, g));
            Map<String, Long> summed = new TreeMap<>();
            for (String instance : byInstance.keySet()) {
                Map<String, Long> rows = requestsByKey(store.forInstance(instance).report(from, to, g));
                rows.forEach((k, v) -> summed.merge(k, v, Long::sum));
                if (g == ReportGrouping.DAY || g == ReportGrouping.MODEL || g == ReportGrouping.TIER) {
                    Function<RequestRecord, String> key = switch (g) {
                        case DAY -> r -> r.timestamp().atZone(ZoneOffset.UTC).toLocalDate().toString();
                        case MODEL -> r -> r.finalModel() == null ? "" : r.finalModel();
                        default -> r -> r.tier() == null ? "" : r.tier();
                    };
                    Map<String, Long> expected = byInstance.get(instance).stream()
                            .filter(r -> !r.timestamp().isBefore(START) && r.timestamp().isBefore(
                                    START.plus(Duration.ofDays(2))))
                            .collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
                    assertThat(rows).as(g + " of " + instance).isEqualTo(expected);
                }
            }
            if (g == ReportGrouping.PROJECT) { // a moved session has each gateway's own project
                assertThat(summed.values().stream().mapToLong(Long::longValue).sum()).as(g.name())
                        .isEqualTo(all.values().stream().mapToLong(Long::longValue).sum());
            } else {
                assertThat(summed).as(g.name()).isEqualTo(all);
            }
        }
        double costA = store.forInstance(A).report(from, to, ReportGrouping.DAY).stream()
                .mapToDouble(ReportRow::costUsd).sum();
        double expectedA = byInstance.get(A).stream().filter(r -> r.timestamp().isBefore(START.plus(Duration.ofDays(2))))
                .mapToDouble(r -> r.costUsd() == null ? 0 : r.costUsd()).sum();
        assertThat(costA).isCloseTo(expectedA, within(1e-9));
    }

    @Test
    void instancesListsBothGatewaysAndTheRowsWithoutOne() {
        Map<String, Long> listed = new HashMap<>();
        store.instances(null, null).forEach(r -> listed.put(r.instance(), r.requests()));
        assertThat(listed).containsOnly(Map.entry(A, (long) byInstance.get(A).size()),
                Map.entry(B, (long) byInstance.get(B).size()), Map.entry("", (long) byInstance.get("").size()));
        assertThat(store.forInstance(A).instances(null, null)).extracting(MetricsQueries.InstanceRow::instance)
                .containsExactly(A);
    }

    @Test
    void escalationRatesOfBothInstancesAddUpToTheWhole() {
        Map<String, Long> all = new TreeMap<>();
        store.escalationsByStartModel(null, null).forEach(r -> all.put(r.startModel(), r.requests()));
        Map<String, Long> summed = new TreeMap<>();
        for (String instance : byInstance.keySet()) {
            store.forInstance(instance).escalationsByStartModel(null, null)
                    .forEach(r -> summed.merge(r.startModel(), r.requests(), Long::sum));
        }
        assertThat(summed).isEqualTo(all).isNotEmpty();
        long escalatedOfA = byInstance.get(A).stream().filter(r -> r.escalations() > 0).count();
        assertThat(store.forInstance(A).escalationsByStartModel(null, null).stream()
                .mapToLong(MetricsQueries.StartEscalations::escalated).sum()).isEqualTo(escalatedOfA);
    }

    @Test
    void anUnknownInstanceHasNothingAndNullMeansEveryInstance() {
        MetricsQueries none = store.forInstance("host-z/ffffffff");
        assertThat(none.summary(null, null).requests()).isZero();
        assertThat(none.requests(RequestQuery.latest(10))).isEmpty();
        assertThat(none.sessions(SessionQuery.latest(10))).isEmpty();
        assertThat(none.report(null, null, ReportGrouping.DAY)).isEmpty();
        assertThat(store.forInstance(" ").summary(null, null).requests()).isEqualTo(byInstance.get("").size());
        assertThat(store.forInstance(null)).isSameAs(store);
    }

    private static boolean contains(String s, String part) {
        return s != null && s.toLowerCase().contains(part);
    }

    private static Map<String, Long> requestsByKey(List<ReportRow> rows) {
        Map<String, Long> out = new TreeMap<>();
        rows.forEach(r -> out.merge(r.key(), r.requests(), Long::sum));
        return out;
    }

    private static void assertSummary(Summary s, List<RequestRecord> records) {
        assertThat(s.requests()).isEqualTo(records.size());
        assertThat(s.costUsd()).isCloseTo(records.stream().mapToDouble(r -> r.costUsd() == null ? 0 : r.costUsd())
                .sum(), within(1e-9));
        assertThat(s.savedUsd()).isCloseTo(records.stream().mapToDouble(r -> r.savedUsd() == null ? 0
                : r.savedUsd()).sum(), within(1e-9));
        assertThat(s.exactHits()).isEqualTo(records.stream().filter(r -> "exact".equals(r.cacheKind())).count());
        assertThat(s.semanticHits()).isEqualTo(records.stream().filter(r -> "semantic".equals(r.cacheKind()))
                .count());
        assertThat(s.errors()).isEqualTo(records.stream().filter(r -> r.errorType() != null).count());
        assertThat(s.escalatedRequests()).isEqualTo(records.stream().filter(r -> r.escalations() > 0).count());
    }
}
