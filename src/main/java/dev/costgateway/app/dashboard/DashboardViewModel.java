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
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/**
 * KPIs and chart data for one range. {@link #refresh()} is called by the window's 1 s timer; it queries the
 * metrics store off the UI thread and skips a tick while the previous query is still running.
 */
public final class DashboardViewModel {

    private final GatewayControl control;
    private final UiTasks tasks;
    private final InstantSource clock;
    private final ZoneId zone;
    private boolean refreshing;
    private boolean refreshAgain;

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
        this.control = control;
        this.tasks = tasks;
        this.clock = clock;
        this.zone = zone;
        range.addListener((obs, was, now) -> refresh());
    }

    private record Data(Summary summary, List<TimelinePoint> timeline, java.time.Duration bucket) {
    }

    public void refresh() {
        if (refreshing) {
            refreshAgain = true;
            return;
        }
        refreshing = true;
        DashboardRange r = range.get();
        Instant now = clock.instant();
        Instant from = r.from(now, zone);
        tasks.run(() -> load(r, from, now), data -> {
                    finished();
                    if (r == range.get()) {
                        apply(data);
                    }
                }, e -> {
                    finished();
                    error.set("Could not read metrics: " + e.getMessage());
                });
    }

    /** Off the FX thread: the summary and the timeline, in finer buckets when the range holds little activity. */
    private Data load(DashboardRange r, Instant from, Instant now) {
        Summary s = control.metrics().summary(from, null);
        java.time.Duration bucket = r.bucket();
        List<TimelinePoint> points = control.metrics().timeline(from, null, bucket);
        if (!points.isEmpty()) {
            java.time.Duration finer = ChartBuckets.choose(bucket, points.get(0).bucketStart(), now);
            if (finer.compareTo(bucket) < 0) {
                Instant start = points.get(0).bucketStart();
                bucket = finer;
                points = control.metrics().timeline(from != null && from.isAfter(start) ? from : start, null, bucket);
            }
        }
        return new Data(s, ChartBuckets.fill(points, bucket, now), bucket);
    }

    private void finished() {
        refreshing = false;
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
        cacheDetail.set(Formats.count(s.exactHits()) + " exact · " + Formats.count(s.semanticHits()) + " semantic");
        escalationRate.set(Formats.percentOfOne(s.escalationRate()));
        latency.set("p50 " + Formats.millis(s.latencyP50Millis()) + " · p95 " + Formats.millis(s.latencyP95Millis()));
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
