package dev.costgateway.app.dashboard;

import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/**
 * KPIs and chart data for one range. {@link #refresh()} is called by the window's 1 s timer; it queries the
 * metrics store off the UI thread and skips a tick while the previous query is still running.
 */
public final class DashboardViewModel {

    private final GatewayControl control;
    private final MetricsSource source;
    private final UiTasks tasks;
    private final InstantSource clock;
    private final ZoneId zone;
    /** The source revision of the load in flight; -1 when none. A load for an older source does not hold back one
     * for the current source (a dead team database must not keep the local view from loading). */
    private int loading = -1;
    private boolean refreshAgain;
    /** The source revision the cached burn rate, latest session and escalations were read from. */
    private volatile int cachedRevision = -1;

    private final ObjectProperty<DashboardRange> range = new SimpleObjectProperty<>(DashboardRange.TODAY);
    private final ReadOnlyObjectWrapper<Summary> summary = new ReadOnlyObjectWrapper<>();
    private final ObservableList<TimelinePoint> timeline = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper requests = new ReadOnlyStringWrapper("0");
    private final ReadOnlyStringWrapper spend = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper wouldHaveCost = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper saved = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper savingsPercent = new ReadOnlyStringWrapper("0.0%");
    private final ReadOnlyStringWrapper cacheHitRate = new ReadOnlyStringWrapper("0.0%");
    private final ReadOnlyStringWrapper cacheDetail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper escalationRate = new ReadOnlyStringWrapper("0.0%");
    private final ReadOnlyStringWrapper latency = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyIntegerWrapper chartRevision = new ReadOnlyIntegerWrapper();
    private final ReadOnlyObjectWrapper<java.time.Duration> chartBucket =
            new ReadOnlyObjectWrapper<>(DashboardRange.TODAY.bucket());

    public DashboardViewModel(GatewayControl control, UiTasks tasks, InstantSource clock, ZoneId zone) {
        this(control, MetricsSource.local(control), tasks, clock, zone);
    }

    /** @param source this gateway's store or the team's (the team view) */
    public DashboardViewModel(GatewayControl control, MetricsSource source, UiTasks tasks, InstantSource clock,
            ZoneId zone) {
        this.control = control;
        this.source = source;
        this.tasks = tasks;
        this.clock = clock;
        this.zone = zone;
        range.addListener((obs, was, now) -> refresh());
    }

    private record Data(Summary summary, List<TimelinePoint> timeline, java.time.Duration bucket, BurnRate burn,
            dev.costgateway.core.metrics.MetricsQueries.SessionRow latestSession,
            dev.costgateway.core.metrics.MetricsQueries.CacheHealthTotals cacheHealth,
            List<dev.costgateway.core.metrics.MetricsQueries.StartEscalations> escalations,
            long semanticRejections) {
    }

    /** A session counts as active while its last request ended less than this long ago. */
    static final java.time.Duration ACTIVE_SESSION = java.time.Duration.ofMinutes(5);

    public void refresh() {
        int rev = source.revision();
        if (loading == rev) {
            refreshAgain = true;
            return;
        }
        loading = rev;
        MetricsQueries q = source.queries();
        DashboardRange r = range.get();
        Instant now = clock.instant();
        Instant from = r.from(now, zone);
        tasks.run(() -> load(q, rev, r, from, now), data -> {
                    finished(rev);
                    if (r == range.get() && rev == source.revision()) {
                        apply(data);
                    }
                }, e -> {
                    finished(rev);
                    if (rev == source.revision()) {
                        error.set("Could not read metrics: " + e.getMessage());
                    }
                });
    }

    /** Off the FX thread: the summary and the timeline, in finer buckets when the range holds little activity. */
    private Data load(MetricsQueries q, int rev, DashboardRange r, Instant from, Instant now) {
        if (rev != cachedRevision) { // another source: nothing cached from the previous one is shown
            burnReadAt = null;
            escalationsReadAt = null;
            cachedRevision = rev;
        }
        Summary s = q.summary(from, null);
        java.time.Duration bucket = r.bucket();
        List<TimelinePoint> points = q.timeline(from, null, bucket);
        if (!points.isEmpty()) {
            java.time.Duration finer = ChartBuckets.choose(bucket, points.get(0).bucketStart(), now);
            if (finer.compareTo(bucket) < 0) {
                Instant start = points.get(0).bucketStart();
                bucket = finer;
                points = q.timeline(from != null && from.isAfter(start) ? from : start, null, bucket);
            }
        }
        BurnRate burnNow = burn;
        var sessionNow = latestSession;
        if (burnReadAt == null || !now.isBefore(burnReadAt.plus(BURN_EVERY))) {
            burnNow = BurnRate.read(q, now, zone);
            sessionNow = q.sessions(
                    dev.costgateway.core.metrics.MetricsQueries.SessionQuery.latest(1)).stream().findFirst()
                    .orElse(null);
            if (rev == cachedRevision) { // a load for a source no longer shown must not fill the cache
                burn = burnNow;
                latestSession = sessionNow;
                burnReadAt = now;
            }
        }
        // one indexed read of the sessions table: the writer keeps each session's findings
        var cacheHealth = q.cacheHealthTotals(from, null);
        // a join over the range's requests: read with the burn rate's cadence, or at once for a new range
        var escalationsNow = escalations;
        if (escalationsReadAt == null || r != escalationsRange || !now.isBefore(escalationsReadAt.plus(BURN_EVERY))) {
            // at most the last day: it reads request rows (a week of a million-row history took 275 ms, the
            // day 23 ms), and the rate that tells whether the knob is too aggressive is the recent one
            Instant week = now.minus(ESCALATIONS_SPAN);
            boolean capped = from == null || from.isBefore(week);
            escalationsNow = q.escalationsByStartModel(capped ? week : from, null);
            if (rev == cachedRevision) {
                escalationsCapped = capped;
                escalations = escalationsNow;
                escalationsReadAt = now;
                escalationsRange = r;
            }
        }
        // semantic hits reported wrong in the range: a handful of rows, one per report
        long rejections = q.semanticRejections(from, null);
        return new Data(s, ChartBuckets.fill(points, bucket, now), bucket, burnNow, sessionNow, cacheHealth,
                escalationsNow, rejections);
    }

    /**
     * The burn rate, projection and latest session cost six queries: read every {@link #BURN_EVERY}, not every
     * tick, so the dashboard stays at a few queries a second. Written only by the load of the source shown.
     */
    static final java.time.Duration BURN_EVERY = java.time.Duration.ofSeconds(10);
    private volatile Instant burnReadAt;
    private volatile BurnRate burn = BurnRate.ZERO;
    private volatile dev.costgateway.core.metrics.MetricsQueries.SessionRow latestSession;

    private void finished(int rev) {
        if (loading != rev) {
            return; // a load for a source no longer shown; the current one finishes on its own
        }
        loading = -1;
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    private void apply(Data data) {
        Summary s = data.summary();
        error.set("");
        boolean changed = !s.equals(summary.get()) || !timeline.equals(data.timeline());
        if (!data.bucket().equals(chartBucket.get())) {
            chartBucket.set(data.bucket());
            changed = true;
        }
        if (!timeline.equals(data.timeline())) {
            timeline.setAll(data.timeline());
        }
        summary.set(s);
        if (changed) {
            chartRevision.set(chartRevision.get() + 1);
        }
        requests.set(Formats.count(s.requests()));
        spend.set(Money.usd(s.costUsd()));
        wouldHaveCost.set(Money.usd(s.counterfactualUsd()));
        saved.set(Money.usd(s.savedUsd()));
        savingsPercent.set(Formats.percent(s.savingsPercent()));
        cacheHitRate.set(Formats.percentOfOne(s.cacheHitRate()));
        cacheDetail.set(Formats.count(s.exactHits()) + " exact · " + Formats.count(s.semanticHits()) + " semantic"
                + (data.semanticRejections() == 0 ? "" : " · " + Formats.count(data.semanticRejections())
                        + " reported wrong"));
        escalationRate.set(Formats.percentOfOne(s.escalationRate()));
        escalationDetail.set(byStartTier(data.escalations()));
        latency.set("p50 " + Formats.millis(s.latencyP50Millis()) + " · p95 " + Formats.millis(s.latencyP95Millis()));
        BurnRate b = data.burn();
        burnRate.set(Money.usd(b.perHour60m()) + "/h");
        burnDetail.set("last 5 min " + Money.usd(b.perHour5m()) + "/h · today " + Money.usd(b.today()));
        monthProjected.set(Money.usd(b.monthProjected()));
        monthDetail.set("so far " + Money.usd(b.monthSoFar()) + " · " + Money.usd(b.dailyAverage())
                + "/day over 7 days");
        var health = data.cacheHealth();
        cacheWarnings.set(health.warnings() == 0 ? "none" : Formats.count(health.warnings()) + " costing "
                + Money.usd(health.wastedUsd()));
        cacheWarningsDetail.set(health.warnings() == 0
                ? "no prompt-cache problems in the sessions of this range"
                : "in " + Formats.count(health.sessions()) + (health.sessions() == 1 ? " session" : " sessions")
                        + " of this range: prefixes re-written, below the minimum, or model switches (see Sessions)");
        var session = data.latestSession();
        boolean active = session != null
                && session.lastActivity().isAfter(clock.instant().minus(ACTIVE_SESSION));
        activeSession.set(active);
        if (session == null) {
            sessionTitle.set("none yet");
            sessionDetail.set("");
        } else {
            String name = session.project().isEmpty() ? (session.sessionId().length() > 12
                    ? session.sessionId().substring(0, 8) + "…" : session.sessionId()) : dev.costgateway.core.session.SessionTag.shortProject(session.project());
            sessionTitle.set(name);
            sessionDetail.set((active ? "active · " : "last active " + Formats.time(session.lastActivity(), zone)
                    + " · ") + Money.usd(session.costUsd()) + " · " + Formats.count(session.requests())
                    + " requests");
        }
    }

    /** The widest range of the per-tier escalation rates. */
    static final java.time.Duration ESCALATIONS_SPAN = java.time.Duration.ofHours(24);
    private volatile Instant escalationsReadAt;
    private volatile boolean escalationsCapped;
    private volatile DashboardRange escalationsRange;
    private volatile List<dev.costgateway.core.metrics.MetricsQueries.StartEscalations> escalations = List.of();
    private final ReadOnlyStringWrapper escalationDetail = new ReadOnlyStringWrapper(NO_ESCALATION_DETAIL);
    static final String NO_ESCALATION_DETAIL = "answers retried on a stronger tier";

    /**
     * The escalation rate of each tier the router started at, cheapest first ("from fast 12.0% · balanced
     * 3.1%"; "24 h, from …" when the range is wider than what is read), over at most {@link #ESCALATIONS_SPAN}: a rising rate on fast says the routing knob sends too much down. Models the config does not place
     * in a tier are left out; nothing routed in the range keeps the plain caption.
     */
    private String byStartTier(List<dev.costgateway.core.metrics.MetricsQueries.StartEscalations> rows) {
        var cfg = control.config();
        java.util.Map<dev.costgateway.core.config.Tier, long[]> byTier =
                new java.util.EnumMap<>(dev.costgateway.core.config.Tier.class);
        for (var row : rows) {
            cfg.tierOf(row.startModel()).ifPresent(t -> {
                long[] n = byTier.computeIfAbsent(t, k -> new long[2]);
                n[0] += row.requests();
                n[1] += row.escalated();
            });
        }
        if (byTier.isEmpty()) {
            return NO_ESCALATION_DETAIL;
        }
        List<String> parts = new java.util.ArrayList<>();
        byTier.forEach((t, n) -> parts.add(t.id() + " " + Formats.percentOfOne((double) n[1] / n[0])));
        return (escalationsCapped ? "24 h, from " : "from ") + String.join(" · ", parts);
    }

    /** Under the escalation rate: the rate of each starting tier, or a caption when nothing was routed. */
    public ReadOnlyStringProperty escalationDetailProperty() {
        return escalationDetail.getReadOnlyProperty();
    }

    private final ReadOnlyStringWrapper cacheWarnings = new ReadOnlyStringWrapper("none");
    private final ReadOnlyStringWrapper cacheWarningsDetail = new ReadOnlyStringWrapper("");

    /** Prompt-cache findings of the range's sessions: their number and money, or "none". */
    public ReadOnlyStringProperty cacheWarningsProperty() {
        return cacheWarnings.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cacheWarningsDetailProperty() {
        return cacheWarningsDetail.getReadOnlyProperty();
    }

    private final ReadOnlyStringWrapper burnRate = new ReadOnlyStringWrapper("$0.00/h");
    private final ReadOnlyStringWrapper burnDetail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper monthProjected = new ReadOnlyStringWrapper("$0.00");
    private final ReadOnlyStringWrapper monthDetail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper sessionTitle = new ReadOnlyStringWrapper("none yet");
    private final ReadOnlyStringWrapper sessionDetail = new ReadOnlyStringWrapper("");
    private final javafx.beans.property.ReadOnlyBooleanWrapper activeSession =
            new javafx.beans.property.ReadOnlyBooleanWrapper(false);

    /** Spend per hour over the last 60 minutes. */
    public ReadOnlyStringProperty burnRateProperty() {
        return burnRate.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty burnDetailProperty() {
        return burnDetail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty monthProjectedProperty() {
        return monthProjected.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty monthDetailProperty() {
        return monthDetail.getReadOnlyProperty();
    }

    /** The most recent session: its project (or id). */
    public ReadOnlyStringProperty sessionTitleProperty() {
        return sessionTitle.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sessionDetailProperty() {
        return sessionDetail.getReadOnlyProperty();
    }

    /** True while the most recent session had a request in the last {@link #ACTIVE_SESSION}. */
    public javafx.beans.property.ReadOnlyBooleanProperty activeSessionProperty() {
        return activeSession.getReadOnlyProperty();
    }

    /** Requests per final model in the current range, most used first. */
    public Map<String, Long> requestsByModel() {
        return summary.get() == null ? Map.of() : summary.get().requestsByModel();
    }

    public Map<String, Long> requestsByTier() {
        return summary.get() == null ? Map.of() : summary.get().requestsByTier();
    }

    public ZoneId zone() {
        return zone;
    }

    public ObjectProperty<DashboardRange> rangeProperty() {
        return range;
    }

    /** Goes up by one each time the summary or the timeline changed: the charts redraw once per change. */
    public ReadOnlyIntegerProperty chartRevisionProperty() {
        return chartRevision.getReadOnlyProperty();
    }

    /** The width of one point of the timeline charts: the range's own, or finer while it holds little activity. */
    public ReadOnlyObjectProperty<java.time.Duration> chartBucketProperty() {
        return chartBucket.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Summary> summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ObservableList<TimelinePoint> timeline() {
        return FXCollections.unmodifiableObservableList(timeline);
    }

    public ReadOnlyStringProperty requestsProperty() {
        return requests.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty spendProperty() {
        return spend.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty wouldHaveCostProperty() {
        return wouldHaveCost.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty savedProperty() {
        return saved.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty savingsPercentProperty() {
        return savingsPercent.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cacheHitRateProperty() {
        return cacheHitRate.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cacheDetailProperty() {
        return cacheDetail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty escalationRateProperty() {
        return escalationRate.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty latencyProperty() {
        return latency.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }
}
