package dev.costgateway.app.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.RequestRecord;

/** A metrics store in a list, answering the queries the way the H2 store is specified to. Thread-safe. */
public final class InMemoryMetrics implements MetricsQueries {
    private final List<RequestRecord> records = new CopyOnWriteArrayList<>();
    private final List<Instant> rejections = new CopyOnWriteArrayList<>();

    /** A semantic hit reported wrong at {@code at} (what the metrics store keeps as a local negative). */
    public void addRejection(Instant at) {
        rejections.add(at);
    }

    @Override
    public long semanticRejections(Instant from, Instant to) {
        return rejections.stream().filter(t -> (from == null || !t.isBefore(from)) && (to == null || t.isBefore(to)))
                .count();
    }

    public void add(RequestRecord r) {
        records.add(r);
    }

    public void addAll(List<RequestRecord> rs) {
        records.addAll(rs);
    }

    private Stream<RequestRecord> in(Instant from, Instant to) {
        return records.stream().filter(r -> (from == null || !r.timestamp().isBefore(from))
                && (to == null || r.timestamp().isBefore(to)));
    }

    @Override
    public Summary summary(Instant from, Instant to) {
        return summarize(in(from, to).toList());
    }

    private static Summary summarize(List<RequestRecord> rs) {
        double cost = rs.stream().map(RequestRecord::costUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum();
        double cf = rs.stream().map(RequestRecord::counterfactualUsd).filter(Objects::nonNull).mapToDouble(d -> d)
                .sum();
        double saved = rs.stream().map(RequestRecord::savedUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum();
        long[] lat = rs.stream().mapToLong(RequestRecord::latencyMillis).sorted().toArray();
        return new Summary(rs.size(), cost, cf, saved, cf == 0 ? 0 : saved / cf * 100,
                rs.stream().filter(r -> "exact".equals(r.cacheKind())).count(),
                rs.stream().filter(r -> "semantic".equals(r.cacheKind())).count(),
                rs.stream().filter(r -> r.escalations() > 0).count(),
                rs.stream().filter(r -> r.errorType() != null).count(),
                percentile(lat, 0.50), percentile(lat, 0.95),
                countBy(rs, RequestRecord::finalModel), countBy(rs, RequestRecord::tier),
                countBy(rs, RequestRecord::classifierLayer), costBy(rs));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    private static Map<String, Long> countBy(List<RequestRecord> rs, Function<RequestRecord, String> key) {
        Map<String, Long> m = new TreeMap<>();
        for (RequestRecord r : rs) {
            m.merge(key.apply(r) == null ? "unrouted" : key.apply(r), 1L, Long::sum);
        }
        return m;
    }

    private static Map<String, Double> costBy(List<RequestRecord> rs) {
        Map<String, Double> m = new TreeMap<>();
        for (RequestRecord r : rs) {
            if (r.costUsd() != null) {
                m.merge(r.finalModel(), r.costUsd(), Double::sum);
            }
        }
        return m;
    }

    @Override
    public List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        Map<Long, List<RequestRecord>> buckets = new TreeMap<>();
        long width = bucket.toMillis();
        in(from, to).forEach(r -> buckets.computeIfAbsent(Math.floorDiv(r.timestamp().toEpochMilli(), width) * width,
                k -> new ArrayList<>()).add(r));
        List<TimelinePoint> out = new ArrayList<>();
        buckets.forEach((start, rs) -> {
            Summary s = summarize(rs);
            out.add(new TimelinePoint(Instant.ofEpochMilli(start), s.requests(), s.costUsd(), s.counterfactualUsd(),
                    s.exactHits(), s.semanticHits(), s.latencyP50Millis(), s.latencyP95Millis(), s.requestsByModel(),
                    s.requestsByTier()));
        });
        return out;
    }

    @Override
    public List<RequestRecord> requests(RequestQuery q) {
        String needle = q.search() == null ? null : q.search().toLowerCase(Locale.ROOT);
        Comparator<RequestRecord> order = switch (q.sort()) {
            case TIME -> Comparator.comparing(RequestRecord::timestamp);
            case COST -> Comparator.comparing(r -> r.costUsd() == null ? 0 : r.costUsd());
            case SAVED -> Comparator.comparing(r -> r.savedUsd() == null ? 0 : r.savedUsd());
            case LATENCY -> Comparator.comparingLong(RequestRecord::latencyMillis);
            case TOKENS -> Comparator.comparingLong(r -> r.usage().inputTokens() + r.usage().outputTokens());
        };
        return in(q.from(), q.to())
                .filter(r -> needle == null || Stream.of(r.queryId(), r.requestedModel(), r.finalModel(), r.tier(),
                        r.classifierLayer(), r.cacheKind(), r.errorType(), r.promptPreview(), r.answerPreview())
                        .anyMatch(f -> f != null && f.toLowerCase(Locale.ROOT).contains(needle)))
                .sorted(q.descending() ? order.reversed() : order)
                .limit(Math.min(q.limit(), 10_000))
                .toList();
    }

    @Override
    public Optional<RequestRecord> request(String queryId) {
        return records.stream().filter(r -> r.queryId().equals(queryId)).findFirst();
    }

    @Override
    public List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        Map<String, List<RequestRecord>> groups = new LinkedHashMap<>();
        records.stream()
                .filter(r -> {
                    LocalDate d = LocalDate.ofInstant(r.timestamp(), ZoneOffset.UTC);
                    boolean bySession = grouping == ReportGrouping.SESSION || grouping == ReportGrouping.PROJECT;
                    return (!bySession || r.session().isPresent()) && (from == null || !d.isBefore(from)) && (to == null || !d.isAfter(to));
                })
                .sorted(Comparator.comparing(RequestRecord::timestamp))
                .forEach(r -> groups.computeIfAbsent(switch (grouping) {
                    case DAY -> LocalDate.ofInstant(r.timestamp(), ZoneOffset.UTC).toString();
                    case MODEL -> r.finalModel();
                    case TIER -> r.tier() == null ? "unrouted" : r.tier();
                    case REQUEST -> r.queryId();
                    case SESSION -> r.session().id();
                    case PROJECT -> r.session().project();
                }, k -> new ArrayList<>()).add(r));
        List<ReportRow> out = new ArrayList<>();
        groups.forEach((key, rs) -> out.add(new ReportRow(key, rs.size(),
                rs.stream().mapToLong(r -> r.usage().inputTokens()).sum(),
                rs.stream().mapToLong(r -> r.usage().outputTokens()).sum(),
                rs.stream().mapToLong(r -> r.usage().cacheCreationInputTokens()).sum(),
                rs.stream().mapToLong(r -> r.usage().cacheReadInputTokens()).sum(),
                rs.stream().map(RequestRecord::costUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().map(RequestRecord::counterfactualUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().map(RequestRecord::savedUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().filter(r -> !"none".equals(r.cacheKind())).count(),
                rs.stream().mapToLong(RequestRecord::escalations).sum())));
        if (grouping != ReportGrouping.DAY && grouping != ReportGrouping.REQUEST) {
            out.sort(Comparator.comparing(ReportRow::key));
        }
        return out;
    }

    @Override
    public List<StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        Map<String, long[]> byModel = new java.util.TreeMap<>();
        in(from, to).filter(r -> r.tier() != null && !r.tier().isEmpty()).forEach(r -> r.attempts().stream()
                .filter(a -> "answer".equals(a.purpose()) && "initial".equals(a.trigger())).findFirst()
                .ifPresent(a -> {
                    long[] n = byModel.computeIfAbsent(a.model(), k -> new long[2]);
                    n[0]++;
                    n[1] += r.escalations() > 0 ? 1 : 0;
                }));
        List<StartEscalations> out = new ArrayList<>();
        byModel.forEach((m, n) -> out.add(new StartEscalations(m, n[0], n[1])));
        return out;
    }

    @Override
    public List<SessionRow> sessions(SessionQuery q) {
        Map<String, List<RequestRecord>> bySession = new LinkedHashMap<>();
        in(q.from(), q.to()).filter(r -> r.session().isPresent())
                .filter(r -> q.project() == null || q.project().equals(r.session().project()))
                .sorted(Comparator.comparing(RequestRecord::timestamp))
                .forEach(r -> bySession.computeIfAbsent(r.session().id(), k -> new ArrayList<>()).add(r));
        List<SessionRow> out = new ArrayList<>();
        bySession.forEach((id, rs) -> out.add(new SessionRow(id, rs.get(0).session().source().wire(),
                rs.stream().map(r -> r.session().project()).filter(p -> !p.isEmpty()).findFirst().orElse(""),
                rs.get(0).timestamp(),
                rs.stream().map(r -> r.timestamp().plusMillis(r.latencyMillis())).max(Comparator.naturalOrder())
                        .orElseThrow(),
                rs.size(),
                rs.stream().map(RequestRecord::finalModel).filter(Objects::nonNull).distinct().sorted().toList(),
                rs.stream().map(RequestRecord::costUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().map(RequestRecord::counterfactualUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().map(RequestRecord::savedUsd).filter(Objects::nonNull).mapToDouble(d -> d).sum(),
                rs.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().inputTokens()).sum(),
                rs.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().outputTokens()).sum(),
                rs.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().cacheCreationInputTokens()).sum(),
                rs.stream().filter(r -> r.usage() != null).mapToLong(r -> r.usage().cacheReadInputTokens()).sum(),
                rs.stream().filter(r -> "exact".equals(r.cacheKind()) || "semantic".equals(r.cacheKind())).count(),
                rs.stream().mapToLong(RequestRecord::escalations).sum(),
                rs.stream().filter(r -> r.errorType() != null).count(),
                cacheWarnings(id).size(), dev.costgateway.core.session.CacheHealth.totalUsd(cacheWarnings(id)))));
        out.sort(Comparator.comparing(SessionRow::lastActivity).reversed());
        return out.stream().limit(Math.max(1, q.limit())).toList();
    }

    /** The whole session's findings, as the store keeps them, priced at {@link #CACHE_HEALTH_PRICES}. */
    private List<dev.costgateway.core.session.CacheHealth.Warning> cacheWarnings(String sessionId) {
        return dev.costgateway.core.session.CacheHealth.check(records.stream()
                .filter(r -> r.session().id().equals(sessionId)).sorted(Comparator.comparing(RequestRecord::timestamp))
                .map(RequestRecord::cacheTurn).toList(), CACHE_HEALTH_PRICES);
    }

    /** The default configuration's prices, as the gateway prices the store's findings and the session detail. */
    public static final dev.costgateway.core.session.CacheHealth.Prices CACHE_HEALTH_PRICES =
            dev.costgateway.core.session.CacheHealth.Prices.of(dev.costgateway.core.config.ConfigLoader.defaults());

    @Override
    public List<RequestRecord> sessionRequests(String sessionId, int limit) {
        return records.stream().filter(r -> r.session().id().equals(sessionId))
                .sorted(Comparator.comparing(RequestRecord::timestamp)).limit(limit).toList();
    }

    @Override
    public List<ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        return in(from, to).filter(r -> r.routerScores() != null && r.status() == 200 && r.usage() != null)
                .sorted(Comparator.comparing(RequestRecord::timestamp).reversed())
                .limit(Math.min(limit, MAX_SCORED))
                .map(r -> new ScoredRequest(r.queryId(), r.timestamp(), r.requestedModel(), r.tier(),
                        r.classifierLayer(), r.usage(), r.costUsd(), r.escalations(), r.routerScores()))
                .toList();
    }
}
