package dev.costgateway.core.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link MetricsQueries} over one {@link MetricsReader}, each call run through its owner's guard (open check,
 * retry on a lost pooled connection, failure reporting). The instance views of {@link MetricsStore} and the
 * {@link TeamStore}'s queries are this class, so local and team views run the same SQL. Thread-safe.
 */
final class ReaderQueries implements MetricsQueries {

    /** How the owner runs a query: {@code MetricsStore.read}, {@code TeamStore.read}. */
    interface Guard {
        <T> T read(Supplier<T> query);
    }

    private final MetricsReader reader;
    private final Guard guard;

    ReaderQueries(MetricsReader reader, Guard guard) {
        this.reader = reader;
        this.guard = guard;
    }

    /** The instance this view is filtered by; null for every instance. */
    String instance() {
        return reader.instance();
    }

    @Override
    public MetricsQueries forInstance(String instance) {
        return new ReaderQueries(reader.forInstance(instance == null ? null : instance.strip()), guard);
    }

    @Override
    public Summary summary(Instant from, Instant to) {
        return guard.read(() -> reader.summary(from, to));
    }

    @Override
    public List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        return guard.read(() -> reader.timeline(from, to, bucket));
    }

    @Override
    public List<RequestRecord> requests(RequestQuery query) {
        return guard.read(() -> reader.requests(query));
    }

    @Override
    public Optional<RequestRecord> request(String queryId) {
        return guard.read(() -> reader.request(queryId));
    }

    @Override
    public List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        return guard.read(() -> reader.report(from, to, grouping));
    }

    @Override
    public List<CounterRow> counters(Instant from, Instant to) {
        return guard.read(() -> reader.counters(from, to));
    }

    @Override
    public List<InstanceRow> instances(Instant from, Instant to) {
        return guard.read(() -> reader.instances(from, to));
    }

    @Override
    public List<ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        return guard.read(() -> reader.scoredRequests(from, to, limit));
    }

    @Override
    public LatencyHistogram latencyHistogram(Instant from, Instant to) {
        return guard.read(() -> reader.latencyHistogram(from, to));
    }

    @Override
    public List<SessionRow> sessions(SessionQuery query) {
        return guard.read(() -> reader.sessions(query));
    }

    @Override
    public CacheHealthTotals cacheHealthTotals(Instant from, Instant to) {
        return guard.read(() -> reader.cacheHealthTotals(from, to));
    }

    @Override
    public long semanticRejections(Instant from, Instant to) {
        return guard.read(() -> reader.semanticRejections(from, to));
    }

    @Override
    public List<StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        return guard.read(() -> reader.escalationsByStartModel(from, to));
    }

    @Override
    public List<RequestRecord> sessionRequests(String sessionId, int limit) {
        return guard.read(() -> reader.sessionRequests(sessionId, limit));
    }
}
