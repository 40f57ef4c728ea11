package dev.costgateway.app.dashboard;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.chart.AreaChart;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.PieChart;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Money;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/** KPI cards and charts, bound to a {@link DashboardViewModel}; charts are rebuilt when the timeline changes. */
public final class DashboardView {

    private final DashboardViewModel vm;
    private final ScrollPane root;
    private final AreaChart<String, Number> money;
    private final PieChart byModel;
    private final BarChart<String, Number> byTier;
    private final StackedBarChart<String, Number> cacheHits;
    private final LineChart<String, Number> latency;
    // One series object per line for the life of the view: a redraw changes values in place, so a busy gateway
    // costs no new chart nodes (and no CSS pass over them) every second.
    private final XYChart.Series<String, Number> cost = series("Spend");
    private final XYChart.Series<String, Number> counterfactual = series("Would have cost");
    private final XYChart.Series<String, Number> exact = series("Exact");
    private final XYChart.Series<String, Number> semantic = series("Semantic");
    private final XYChart.Series<String, Number> p50 = series("p50");
    private final XYChart.Series<String, Number> p95 = series("p95");
    private final XYChart.Series<String, Number> tiers = series("Requests");

    public DashboardView(DashboardViewModel vm) {
        this(vm, new javafx.scene.layout.Region());
    }

    /** @param budgets the budgets card, shown above the charts (hidden by itself when there are no budgets) */
    public DashboardView(DashboardViewModel vm, Node budgets) {
        this.vm = vm;
        HBox header = new HBox(new VBox(label("Dashboard", "screen-title"),
                label("What the gateway spent, and what it saved you", "screen-subtitle")), hgrow(), rangePicker());
        header.getStyleClass().add("toolbar-row");

        GridPane kpis = new GridPane();
        kpis.setHgap(12);
        kpis.setVgap(12);
        for (int i = 0; i < 3; i++) {
            ColumnConstraints c = new ColumnConstraints();
            c.setPercentWidth(100.0 / 3);
            kpis.getColumnConstraints().add(c);
        }
        kpis.add(card("kpi-requests", "REQUESTS", vm.requestsProperty(), vm.latencyProperty(), ""), 0, 0);
        kpis.add(card("kpi-spend", "SPEND", vm.spendProperty(), null, "accent"), 1, 0);
        kpis.add(card("kpi-would-have-cost", "WOULD HAVE COST", vm.wouldHaveCostProperty(), null, ""), 2, 0);
        kpis.add(card("kpi-saved", "SAVED", vm.savedProperty(), vm.savingsPercentProperty().map(p -> p + " of list price"),
                "positive"), 0, 1);
        kpis.add(card("kpi-cache-hit-rate", "CACHE HIT RATE", vm.cacheHitRateProperty(), vm.cacheDetailProperty(), ""),
                1, 1);
        kpis.add(card("kpi-escalation-rate", "ESCALATION RATE", vm.escalationRateProperty(),
                vm.escalationDetailProperty(), ""), 2, 1);
        // burn rate and projection are always "now", whatever range the cards above show
        kpis.add(card("kpi-burn-rate", "BURN RATE (LAST HOUR)", vm.burnRateProperty(), vm.burnDetailProperty(), ""),
                0, 2);
        kpis.add(card("kpi-month-projected", "THIS MONTH, PROJECTED", vm.monthProjectedProperty(),
                vm.monthDetailProperty(), ""), 1, 2);
        VBox session = card("kpi-active-session", "LATEST SESSION", vm.sessionTitleProperty(),
                vm.sessionDetailProperty(), "");
        vm.activeSessionProperty().addListener((o, was, active) -> {
            if (active) {
                session.getStyleClass().add("active-session");
            } else {
                session.getStyleClass().remove("active-session");
            }
        });
        kpis.add(session, 2, 2);
        // prompt-cache findings of the range's sessions: one wide card, since it explains money rather than adds it
        kpis.add(card("kpi-cache-warnings", "PROMPT-CACHE WARNINGS", vm.cacheWarningsProperty(),
                vm.cacheWarningsDetailProperty(), ""), 0, 3, 3, 1);

        money = new AreaChart<>(new CategoryAxis(), usdAxis());
        byModel = new PieChart();
        byModel.setLabelsVisible(false);
        byModel.setLegendSide(javafx.geometry.Side.RIGHT);
        byTier = new BarChart<>(new CategoryAxis(), countAxis());
        byTier.setLegendVisible(false);
        cacheHits = new StackedBarChart<>(new CategoryAxis(), countAxis());
        latency = new LineChart<>(new CategoryAxis(), msAxis());
        latency.setCreateSymbols(false);
        money.setCreateSymbols(false);
        for (var chart : List.of(money, byModel, byTier, cacheHits, latency)) {
            chart.setAnimated(false);
            chart.setMinHeight(180);
            chart.setPrefHeight(230);
        }

        GridPane charts = new GridPane();
        charts.setHgap(12);
        charts.setVgap(12);
        for (int i = 0; i < 2; i++) {
            ColumnConstraints c = new ColumnConstraints();
            c.setPercentWidth(50);
            charts.getColumnConstraints().add(c);
        }
        charts.add(chartCard("Spend vs would-have-cost (USD)", money), 0, 0, 2, 1);
        charts.add(chartCard("Requests by final model", byModel), 0, 1);
        charts.add(chartCard("Requests by tier", byTier), 1, 1);
        charts.add(chartCard("Cache hits", cacheHits), 0, 2);
        charts.add(chartCard("Latency p50 / p95 (ms)", latency), 1, 2);

        Node error = dev.costgateway.app.fx.Nodes.collapsing(vm.errorProperty(), "banner", "danger");
        VBox content = new VBox(header, error, kpis, budgets, charts);
        content.getStyleClass().add("screen");
        root = new ScrollPane(content);
        root.setFitToWidth(true);
        root.setId("dashboard");
        money.getData().setAll(List.of(counterfactual, cost));
        cacheHits.getData().setAll(List.of(exact, semantic));
        latency.getData().setAll(List.of(p50, p95));
        byTier.getData().setAll(List.of(tiers));
        vm.chartRevisionProperty().addListener(o -> redraw());
        redraw();
    }

    private Node rangePicker() {
        ToggleGroup group = new ToggleGroup();
        HBox box = new HBox();
        DashboardRange[] ranges = DashboardRange.values();
        for (int i = 0; i < ranges.length; i++) {
            DashboardRange r = ranges[i];
            ToggleButton b = new ToggleButton(r.label());
            b.setId("range-" + r.name().toLowerCase(Locale.ROOT));
            b.setToggleGroup(group);
            b.getStyleClass().add(i == 0 ? AppTheme.LEFT_PILL : i == ranges.length - 1 ? AppTheme.RIGHT_PILL
                    : AppTheme.CENTER_PILL);
            b.setSelected(vm.rangeProperty().get() == r);
            b.setOnAction(e -> {
                b.setSelected(true);
                vm.rangeProperty().set(r);
            });
            box.getChildren().add(b);
        }
        return box;
    }

    private static VBox card(String id, String title, ObservableValue<String> value, ObservableValue<String> sub,
            String accent) {
        VBox card = new VBox(label(title, "kpi-label"), bound(value, "kpi-value"));
        card.setId(id);
        card.getChildren().get(1).setId(id + "-value");
        if (sub != null) {
            card.getChildren().add(bound(sub, "kpi-sub"));
        }
        card.getStyleClass().add("kpi-card");
        if (!accent.isEmpty()) {
            card.getStyleClass().add(accent);
        }
        return card;
    }

    private static VBox chartCard(String title, Node chart) {
        VBox box = new VBox(label(title, "chart-title"), chart);
        VBox.setVgrow(chart, Priority.ALWAYS);
        box.getStyleClass().add("chart-card");
        box.setPadding(new Insets(10, 12, 6, 12));
        return box;
    }

    private static NumberAxis usdAxis() {
        NumberAxis a = new NumberAxis();
        a.setForceZeroInRange(true);
        a.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                return Money.tick(n.doubleValue(), a.getTickUnit());
            }

            @Override
            public Number fromString(String s) {
                return Double.parseDouble(s.replace("$", ""));
            }
        });
        return a;
    }

    /** Request counts: whole numbers only (auto-ranging would label 0.5 requests on a quiet day). */
    private static NumberAxis countAxis() {
        NumberAxis a = new NumberAxis();
        a.setMinorTickVisible(false);
        a.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                double v = n.doubleValue();
                return v == Math.rint(v) ? Long.toString((long) v) : "";
            }

            @Override
            public Number fromString(String s) {
                return s.isEmpty() ? 0 : Long.parseLong(s);
            }
        });
        return a;
    }

    private static NumberAxis msAxis() {
        return new NumberAxis();
    }

    private String bucketLabel(TimelinePoint p) {
        ZoneId zone = vm.zone();
        Duration bucket = vm.chartBucketProperty().get();
        boolean sameDay = vm.rangeProperty().get() == DashboardRange.TODAY || bucket.toHours() < 1;
        String pattern = bucket.toHours() < 24 ? (sameDay ? "HH:mm" : "MMM d HH:mm") : "MMM d";
        return DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(p.bucketStart().atZone(zone));
    }

    private static XYChart.Series<String, Number> series(String name) {
        XYChart.Series<String, Number> s = new XYChart.Series<>();
        s.setName(name);
        return s;
    }

    private void redraw() {
        List<TimelinePoint> points = vm.timeline();
        List<String> x = points.stream().map(this::bucketLabel).toList();
        update(counterfactual, x, points.stream().map(p -> (Number) p.counterfactualUsd()).toList());
        update(cost, x, points.stream().map(p -> (Number) p.costUsd()).toList());
        update(exact, x, points.stream().map(p -> (Number) p.exactHits()).toList());
        update(semantic, x, points.stream().map(p -> (Number) p.semanticHits()).toList());
        // latency of a bucket without requests is unknown, not zero: those buckets are left out of its chart
        List<TimelinePoint> busy = points.stream().filter(p -> p.requests() > 0).toList();
        List<String> xBusy = busy.stream().map(this::bucketLabel).toList();
        update(p50, xBusy, busy.stream().map(p -> (Number) p.latencyP50Millis()).toList());
        update(p95, xBusy, busy.stream().map(p -> (Number) p.latencyP95Millis()).toList());
        // one or two points draw no line: show them as dots
        latency.setCreateSymbols(busy.size() < 3);

        List<Map.Entry<String, Long>> models = vm.requestsByModel().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).toList();
        javafx.collections.ObservableList<PieChart.Data> slices = byModel.getData();
        boolean sameModels = slices.size() == models.size();
        for (int i = 0; sameModels && i < models.size(); i++) {
            sameModels = slices.get(i).getName().startsWith(shortModel(models.get(i).getKey()) + "  ");
        }
        if (sameModels) {
            for (int i = 0; i < models.size(); i++) {
                slices.get(i).setName(sliceName(models.get(i)));
                slices.get(i).setPieValue(models.get(i).getValue());
            }
        } else {
            slices.setAll(models.stream().map(e -> new PieChart.Data(sliceName(e), e.getValue())).toList());
        }
        // a lone slice is the whole disc: without this its border draws a seam from the centre to the edge
        for (PieChart.Data slice : slices) {
            if (slice.getNode() != null) {
                slice.getNode().setStyle(slices.size() == 1 ? "-fx-border-color: transparent;" : "");
            }
        }
        List<String> tierNames = List.of("fast", "balanced", "premium", "unrouted").stream()
                .filter(vm.requestsByTier()::containsKey).toList();
        update(tiers, tierNames, tierNames.stream().map(t -> (Number) vm.requestsByTier().get(t)).toList());
    }

    private static String sliceName(Map.Entry<String, Long> e) {
        return shortModel(e.getKey()) + "  " + e.getValue();
    }

    /** Same categories: new values in place; otherwise the series' points are replaced. */
    private static void update(XYChart.Series<String, Number> series, List<String> x, List<Number> y) {
        javafx.collections.ObservableList<XYChart.Data<String, Number>> data = series.getData();
        boolean sameX = data.size() == x.size();
        for (int i = 0; sameX && i < x.size(); i++) {
            sameX = data.get(i).getXValue().equals(x.get(i));
        }
        if (sameX) {
            for (int i = 0; i < x.size(); i++) {
                if (!data.get(i).getYValue().equals(y.get(i))) {
                    data.get(i).setYValue(y.get(i));
                }
            }
        } else {
            List<XYChart.Data<String, Number>> points = new java.util.ArrayList<>(x.size());
            for (int i = 0; i < x.size(); i++) {
                points.add(new XYChart.Data<>(x.get(i), y.get(i)));
            }
            data.setAll(points);
        }
    }

    /** {@code claude-haiku-4-5-20251001} reads better as {@code haiku-4-5}. */
    static String shortModel(String model) {
        String m = model.startsWith("claude-") ? model.substring("claude-".length()) : model;
        return m.replaceAll("-\\d{8}$", "");
    }

    public ScrollPane root() {
        return root;
    }
}
