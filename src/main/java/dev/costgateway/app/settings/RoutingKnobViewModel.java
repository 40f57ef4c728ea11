package dev.costgateway.app.settings;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;

import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.config.ConfigKey;
import dev.costgateway.core.config.ConfigSchema;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.WhatIf;

/**
 * The routing knob in Settings: two sliders over the form's {@code routing.premium_share} / {@code fast_share}
 * fields (moving one edits the field, so Save writes {@code config.yaml} like any other edit, and typing in the
 * field moves the slider) and a live preview of what the form's routing setting would have done to the user's own
 * recorded traffic of the last {@link #daysProperty() 7 or 30 days} ({@link RecordedTraffic}). The recorded rows
 * are read once per range, off the FX thread; each move of a slider re-evaluates them on the background executor,
 * and only the newest answer is shown.
 */
public final class RoutingKnobViewModel {

    private final GatewayControl control;
    private final UiTasks tasks;
    private final SettingField premiumField;
    private final SettingField fastField;
    private final SettingField premiumThresholdField;
    private final SettingField fastThresholdField;
    private final DoubleProperty premiumShare = new SimpleDoubleProperty(GatewayConfig.Routing.DEFAULT_PREMIUM_SHARE);
    private final DoubleProperty fastShare = new SimpleDoubleProperty(GatewayConfig.Routing.DEFAULT_FAST_SHARE);
    private final IntegerProperty days = new SimpleIntegerProperty(7);
    private final ReadOnlyStringWrapper preview = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper overrides = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper examples = new ReadOnlyStringWrapper("");
    private RecordedTraffic traffic;
    private long loadGeneration;
    private long evalGeneration;
    private boolean syncing;

    RoutingKnobViewModel(GatewayControl control, UiTasks tasks, SettingsViewModel settings) {
        this.control = control;
        this.tasks = tasks;
        this.premiumField = settings.field(ConfigSchema.ROUTING_PREMIUM_SHARE.path());
        this.fastField = settings.field(ConfigSchema.ROUTING_FAST_SHARE.path());
        this.premiumThresholdField = settings.field(ConfigSchema.ROUTING_THRESHOLD_PREMIUM.path());
        this.fastThresholdField = settings.field(ConfigSchema.ROUTING_THRESHOLD_FAST.path());
        link(premiumShare, premiumField);
        link(fastShare, fastField);
        premiumThresholdField.textProperty().addListener(o -> evaluate());
        fastThresholdField.textProperty().addListener(o -> evaluate());
        days.addListener(o -> load());
    }

    /** Slider and field follow each other; the slider moves in steps of 0.01. */
    private void link(DoubleProperty share, SettingField field) {
        share.addListener((o, a, v) -> {
            if (syncing) {
                return;
            }
            syncing = true;
            try {
                double rounded = Double.parseDouble(write(v.doubleValue()));
                if (rounded != v.doubleValue()) {
                    share.set(rounded);
                }
                field.textProperty().set(write(rounded));
            } finally {
                syncing = false;
            }
            evaluate();
        });
        field.textProperty().addListener((o, a, text) -> {
            if (syncing) {
                return;
            }
            syncing = true;
            try {
                parseShare(text).ifPresent(share::set);
            } finally {
                syncing = false;
            }
            evaluate();
        });
    }

    static String write(double share) {
        return BigDecimal.valueOf(share).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static Optional<Double> parseShare(String text) {
        var p = ConfigSchema.ROUTING_PREMIUM_SHARE.type().parse(text == null ? "" : text.trim());
        return p.isOk() ? Optional.of(p.value()) : Optional.empty();
    }

    /** Reads the recorded traffic of the chosen range (again), then shows the preview. */
    public void load() {
        long generation = ++loadGeneration;
        int d = days.get();
        Instant now = control.clock().instant();
        showOnly("Reading the last " + d + " days of traffic…");
        tasks.run(() -> control.routingTraffic(now.minus(Duration.ofDays(d)), null), t -> {
            if (generation == loadGeneration) {
                traffic = t;
                evaluate();
            }
        }, e -> {
            if (generation == loadGeneration) {
                traffic = null;
                showOnly("No preview: the recorded traffic could not be read (" + e.getMessage() + ")");
            }
        });
    }

    /** The form's routing setting: the configuration in force with the form's shares and raw thresholds. */
    private Optional<GatewayConfig.Routing> formRouting(GatewayConfig.Routing r) {
        Optional<Double> p = parseShare(premiumField.textProperty().get());
        Optional<Double> f = parseShare(fastField.textProperty().get());
        Optional<Optional<Double>> pt = threshold(ConfigSchema.ROUTING_THRESHOLD_PREMIUM, premiumThresholdField);
        Optional<Optional<Double>> ft = threshold(ConfigSchema.ROUTING_THRESHOLD_FAST, fastThresholdField);
        if (p.isEmpty() || f.isEmpty() || pt.isEmpty() || ft.isEmpty()) {
            return Optional.empty();
        }
        overrides.set(pt.get().isPresent() || ft.get().isPresent()
                ? "A raw score threshold is set below; it overrides its share, so that slider does nothing until "
                        + "you clear it." : "");
        return Optional.of(new GatewayConfig.Routing(r.mode(), r.allowUpgrade(), r.longContextTokens(),
                r.manyTurns(), r.conservativeTools(), r.conservativeThinking(), r.conservativeMedia(),
                r.conservativeLongContext(), r.conservativeManyTurns(), p.get(), f.get(), pt.get().orElse(null),
                ft.get().orElse(null)));
    }

    private static Optional<Optional<Double>> threshold(ConfigKey<Optional<Double>> key, SettingField field) {
        String text = field.textProperty().get();
        var parsed = key.type().parse(text == null ? "" : text.trim());
        return parsed.isOk() ? Optional.of(parsed.value()) : Optional.empty();
    }

    private void evaluate() {
        RecordedTraffic t = traffic;
        if (t == null) {
            return;
        }
        GatewayConfig cfg = control.config();
        Optional<GatewayConfig.Routing> proposed = formRouting(cfg.routing());
        if (proposed.isEmpty()) {
            showOnly("No preview while a routing value above is invalid.");
            return;
        }
        if (t.size() == 0) {
            showOnly("No scored requests in the last " + days.get() + " days yet: the preview uses your own "
                    + "traffic once the gateway has routed some.");
            return;
        }
        long generation = ++evalGeneration;
        int d = days.get();
        tasks.run(() -> {
            RecordedTraffic.Report report = t.evaluate(proposed.get(), cfg);
            return new Preview(describe(report, t.size(), d), describeExamples(report, this::promptOf));
        }, shown -> {
            if (generation == evalGeneration) {
                preview.set(shown.summary());
                examples.set(shown.examples());
            }
        }, e -> {
            if (generation == evalGeneration) {
                showOnly("No preview: " + e.getMessage());
            }
        });
    }

    /** A message in place of the preview: no evaluation, so no examples either. */
    private void showOnly(String message) {
        preview.set(message);
        examples.set("");
    }

    /** What one evaluation shows: the summary line and the example requests that would change tier. */
    private record Preview(String summary, String examples) {
    }

    /** The stored prompt preview of a request (only with {@code metrics.store_text}); empty otherwise. */
    private Optional<String> promptOf(String queryId) {
        try {
            return control.metrics().request(queryId).map(RequestRecord::promptPreview)
                    .filter(p -> p != null && !p.isBlank());
        } catch (RuntimeException e) { // a database hiccup costs the example's text, not the preview
            return Optional.empty();
        }
    }

    /**
     * One line per example request the proposal moves, newest first: its tiers now and under the proposal, and
     * its prompt when previews are stored (else its query id, which the Requests search finds). At most
     * {@value RecordedTraffic#MAX_EXAMPLES} lines, so at most that many reads by query id.
     */
    static String describeExamples(RecordedTraffic.Report r, java.util.function.Function<String, Optional<String>> prompt) {
        if (r.examples().isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(r.changedTier() > r.examples().size()
                ? "For example (newest first):" : "They are:");
        for (RecordedTraffic.Change c : r.examples()) {
            String text = prompt.apply(c.queryId()).map(RoutingKnobViewModel::oneLine)
                    .map(p -> "\u201c" + p + "\u201d").orElse("request " + c.queryId());
            out.append("\n").append(c.now().id()).append(" \u2192 ").append(c.proposed().id()).append("   ")
                    .append(text);
        }
        return out.toString();
    }

    private static String oneLine(String prompt) {
        String flat = prompt.strip().replaceAll("\\s+", " ");
        return flat.length() <= 90 ? flat : flat.substring(0, 89) + "\u2026";
    }

    static String describe(RecordedTraffic.Report r, int requests, int days) {
        WhatIf.Result p = r.proposed();
        return String.format(Locale.ROOT, "Last %d days, %s scored requests: fast %s · balanced %s · premium %s. "
                        + "Estimated spend %s (now %s; actually spent %s), saving %s against the requested models. "
                        + "%s change tier.",
                days, Formats.count(requests), Formats.percentOfOne(p.share().get(Tier.FAST)),
                Formats.percentOfOne(p.share().get(Tier.BALANCED)), Formats.percentOfOne(p.share().get(Tier.PREMIUM)),
                Money.usd(p.spendUsd()), Money.usd(r.now().spendUsd()), Money.usd(r.actual().costUsd()),
                Money.usd(p.savedUsd()), r.changedTier() == 1 ? "1 request would"
                        : Formats.count(r.changedTier()) + " requests would");
    }

    /** 0 to 1, the premium slider's value; kept equal to the {@code routing.premium_share} field. */
    public DoubleProperty premiumShareProperty() {
        return premiumShare;
    }

    /** 0 to 1, the fast slider's value; kept equal to the {@code routing.fast_share} field. */
    public DoubleProperty fastShareProperty() {
        return fastShare;
    }

    /** The preview's range in days (7 or 30). */
    public IntegerProperty daysProperty() {
        return days;
    }

    public ReadOnlyStringProperty previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** Up to five requests that the form's setting would move to another tier, one per line; empty when none. */
    public ReadOnlyStringProperty examplesProperty() {
        return examples.getReadOnlyProperty();
    }

    /** Non-empty when a raw threshold in the form overrides a share. */
    public ReadOnlyStringProperty overridesProperty() {
        return overrides.getReadOnlyProperty();
    }
}
