package dev.costgateway.app.requests;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.core.metrics.MetricsQueries.SortField;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;

/**
 * The request inspector: a searchable, sortable window over the whole metrics history (search and sort run in
 * the database), plus the detail of the selected request.
 */
public final class RequestsViewModel {

    /** Rows fetched per query; the table is a window over the history, not all of it. */
    public static final int LIMIT = 500;

    private final GatewayControl control;
    private final MetricsSource source;
    private final UiTasks tasks;
    private final Supplier<String> gatewayUrl;
    private final ZoneId zone;
    /** The source revision of the query in flight; -1 when none (see DashboardViewModel). */
    private int loading = -1;
    private boolean refreshAgain;

    private final StringProperty search = new SimpleStringProperty("");
    private final ObjectProperty<SortField> sort = new SimpleObjectProperty<>(SortField.TIME);
    private final BooleanProperty descending = new SimpleBooleanProperty(true);
    private final ObservableList<RequestRecord> rows = FXCollections.observableArrayList();
    private final ObjectProperty<RequestRecord> selected = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<RequestRecord> detail = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper decision = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper summaryLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper rejectable = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper rejectStatus = new ReadOnlyStringWrapper("");
    /** Semantic hits rejected from this screen (the button is not offered twice). */
    private final java.util.Set<String> rejected = new java.util.HashSet<>();
    private final ReadOnlyBooleanWrapper reaskable = new ReadOnlyBooleanWrapper(false);
    /** Rejected hits the gateway can still send upstream again (once each). */
    private final java.util.Set<String> canReask = new java.util.HashSet<>();

    public RequestsViewModel(GatewayControl control, UiTasks tasks, Supplier<String> gatewayUrl, ZoneId zone) {
        this(control, MetricsSource.local(control), tasks, gatewayUrl, zone);
    }

    /** @param source this gateway's store or the team's; rejecting a semantic hit is offered only for this one */
    public RequestsViewModel(GatewayControl control, MetricsSource source, UiTasks tasks, Supplier<String> gatewayUrl,
            ZoneId zone) {
        this.control = control;
        this.source = source;
        this.tasks = tasks;
        this.gatewayUrl = gatewayUrl;
        this.zone = zone;
        search.addListener((o, a, b) -> refresh());
        sort.addListener((o, a, b) -> refresh());
        descending.addListener((o, a, b) -> refresh());
        selected.addListener((o, a, b) -> loadDetail(b));
        // another source: the selected request was of the previous one
        source.revisionProperty().addListener((o, a, b) -> {
            selected.set(null);
            rows.clear();
        });
    }

    public void refresh() {
        int rev = source.revision();
        if (loading == rev) {
            refreshAgain = true;
            return;
        }
        loading = rev;
        String s = search.get() == null || search.get().isBlank() ? null : search.get().trim();
        RequestQuery q = new RequestQuery(null, null, s, sort.get(), descending.get(), LIMIT);
        MetricsQueries queries = source.queries();
        tasks.run(() -> queries.requests(q), result -> {
            finished(rev);
            if (rev == source.revision()) {
                applyRows(result);
            }
        }, e -> {
            finished(rev);
            if (rev == source.revision()) {
                error.set("Could not read requests: " + e.getMessage());
            }
        });
    }

    private void applyRows(List<RequestRecord> result) {
        error.set("");
        if (!rows.equals(result)) {
            RequestRecord keep = selected.get();
            rows.setAll(result);
            if (keep != null) {
                result.stream().filter(r -> r.queryId().equals(keep.queryId())).findFirst().ifPresent(selected::set);
            }
        }
        summaryLine.set(result.size() >= LIMIT ? "Showing the first " + LIMIT + " matches"
                : Formats.count(result.size()) + (result.size() == 1 ? " request" : " requests"));
    }

    private void finished(int rev) {
        if (loading != rev) {
            return;
        }
        loading = -1;
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    /**
     * Shows one request in the inspector (from another screen): the table is searched for its id, and the request
     * is selected at once, without waiting for the table.
     */
    public void open(RequestRecord r) {
        search.set(r.queryId());
        selected.set(r);
    }

    /** Sets sort column and direction together (one query). */
    public void sortBy(SortField field, boolean desc) {
        descending.set(desc);
        sort.set(field);
    }

    private void loadDetail(RequestRecord row) {
        if (row == null) {
            detail.set(null);
            decision.set("");
            rejectable.set(false);
            reaskable.set(false);
            rejectStatus.set("");
            return;
        }
        if (detail.get() != null && detail.get().queryId().equals(row.queryId())) {
            return;
        }
        showDetail(row);
        MetricsQueries queries = source.queries();
        int rev = source.revision();
        tasks.run(() -> queries.request(row.queryId()), (Optional<RequestRecord> full) -> {
            if (rev == source.revision() && selected.get() != null
                    && selected.get().queryId().equals(row.queryId())) {
                full.ifPresent(this::showDetail);
            }
        }, e -> error.set("Could not load request " + row.queryId() + ": " + e.getMessage()));
    }

    private void showDetail(RequestRecord r) {
        boolean same = detail.get() != null && detail.get().queryId().equals(r.queryId());
        detail.set(r);
        decision.set(explain(r));
        // the team's requests are read-only: a hit another gateway served is not in this gateway's cache
        rejectable.set("semantic".equals(r.cacheKind()) && !rejected.contains(r.queryId()) && !source.isReadOnly());
        reaskable.set(canReask.contains(r.queryId()) && !source.isReadOnly());
        if (!same) {
            rejectStatus.set("");
        }
    }

    /**
     * "Wrong answer for this prompt" on the selected semantic hit: the gateway evicts the entry and remembers the
     * pair, so neither it nor a paraphrase answers this prompt again. Runs off the UI thread.
     */
    public void rejectSemanticHit() {
        RequestRecord r = detail.get();
        if (r == null || !rejectable.get()) {
            return;
        }
        String id = r.queryId();
        rejectable.set(false);
        tasks.run(() -> {
            boolean known = control.rejectSemanticHit(id);
            return known ? (control.canReaskSemanticHit(id) ? 2 : 1) : 0;
        }, outcome -> {
            rejected.add(id);
            if (outcome == 2) {
                canReask.add(id);
            }
            if (isShown(id)) {
                reaskable.set(outcome == 2);
            }
            rejectStatus.set(outcome > 0 ? "Removed from the semantic cache: this prompt and its paraphrases will be "
                    + "answered upstream next time."
                    : "The gateway no longer holds this hit (restarted, expired or already rejected).");
        }, e -> {
            rejectable.set(true);
            rejectStatus.set("Could not reject the hit: " + e.getMessage());
        });
    }

    private boolean isShown(String queryId) {
        return detail.get() != null && detail.get().queryId().equals(queryId);
    }

    /**
     * "Ask upstream again" after a rejection: the gateway sends the request that got the wrong answer again,
     * past the caches, and keeps the new answer for this prompt. Runs off the UI thread; the new request appears in
     * the table.
     */
    public void reaskSemanticHit() {
        RequestRecord r = detail.get();
        if (r == null || !reaskable.get()) {
            return;
        }
        String id = r.queryId();
        canReask.remove(id);
        reaskable.set(false);
        rejectStatus.set("Asking upstream again…");
        tasks.run(() -> control.reaskSemanticHit(id), replay -> {
            if (isShown(id)) {
                rejectStatus.set(describe(replay));
            }
            refresh();
        }, e -> {
            if (isShown(id)) {
                rejectStatus.set("Could not ask again: " + e.getMessage());
            }
        });
    }

    static String describe(dev.costgateway.core.proxy.SemanticReplays.Replay replay) {
        return switch (replay.outcome()) {
            case ASKED -> {
                String model = replay.headers().get("X-Gateway-Model");
                String by = model == null ? "" : " by " + model;
                yield replay.status() == 200
                        ? "Asked upstream again: answered" + by + " in request " + replay.queryId()
                                + "; that answer now serves this prompt."
                        : "Asked upstream again: the gateway answered " + replay.status() + " (request "
                                + replay.queryId() + ").";
            }
            case UNKNOWN, FORBIDDEN, FAILED -> "Could not ask again: " + replay.detail();
        };
    }

    /** Whether the selected request is a rejected semantic hit that can be sent upstream again. */
    public ReadOnlyBooleanProperty reaskableProperty() {
        return reaskable.getReadOnlyProperty();
    }

    /** Whether the selected request is a semantic hit that can still be rejected. */
    public ReadOnlyBooleanProperty rejectableProperty() {
        return rejectable.getReadOnlyProperty();
    }

    /** What became of the last rejection; empty before one. */
    public ReadOnlyStringProperty rejectStatusProperty() {
        return rejectStatus.getReadOnlyProperty();
    }

    /** The routing decision in one or two sentences, for a person. */
    static String explain(RequestRecord r) {
        StringBuilder sb = new StringBuilder();
        String requested = r.requestedModel() == null ? "?" : r.requestedModel();
        if ("exact".equals(r.cacheKind()) || "semantic".equals(r.cacheKind())) {
            sb.append("Answered from the ").append(r.cacheKind()).append(" cache (no upstream call). ");
        }
        String routed = r.attempts().stream().filter(a -> "answer".equals(a.purpose())).map(AttemptRecord::model)
                .findFirst().orElse(r.finalModel());
        String tier = r.escalations() > 0 ? "" : " (" + r.tier() + " tier)";
        if (r.tier() == null) {
            sb.append("Not routed: ").append(requested).append(" was forwarded unchanged");
        } else if (requested.equals(routed)) {
            sb.append("Kept ").append(requested).append(tier);
        } else {
            sb.append("Routed ").append(requested).append(" → ").append(routed).append(tier);
        }
        if (r.classifierLayer() != null && !"n/a".equals(r.classifierLayer())) {
            sb.append(", decided by the ").append(r.classifierLayer()).append(" layer");
        }
        if (r.classifierReason() != null && !r.classifierReason().isBlank()) {
            sb.append(": ").append(r.classifierReason());
        }
        sb.append('.');
        if (r.escalations() > 0) {
            sb.append(" Escalated ").append(r.escalations()).append(r.escalations() == 1 ? " time" : " times")
                    .append("; the final answer came from ").append(r.finalModel()).append(" (").append(r.tier())
                    .append(" tier).");
        }
        if (r.errorType() != null) {
            sb.append(" Failed with ").append(r.errorType()).append(" (HTTP ").append(r.status()).append(").");
        }
        return sb.toString();
    }

    /**
     * The two scores and the model that produced them: {@code P(premium) 0.080 · P(≥ balanced) 0.210 ·
     * embedding+features}, the probabilities that the request needs premium and at least balanced.
     */
    public static String scores(RouterScores s) {
        return String.format(Locale.ROOT, "P(premium) %.3f · P(≥ balanced) %.3f · %s", s.premium(), s.balanced(),
                "features".equals(s.model()) ? "features only" : s.model());
    }

    /** The thresholds the scores were judged by and where they came from. */
    public static String thresholds(RouterScores s) {
        String source = switch (s.thresholdSource() == null ? "" : s.thresholdSource()) {
            case "share" -> "from the shares";
            case "raw" -> "raw thresholds";
            case "raw/share" -> "premium raw, fast from its share";
            case "share/raw" -> "premium from its share, fast raw";
            default -> String.valueOf(s.thresholdSource());
        };
        return "premium ≥ " + threshold(s.premiumThreshold()) + " · fast < " + threshold(s.fastThreshold()) + " · "
                + source;
    }

    /**
     * Which comparison decided, for a person: {@code 0.080 < 0.550 and 0.210 < 0.300 → fast} (premium score against
     * its threshold, then the balanced one), then what the ceiling and the deciding layer made of it.
     */
    public static String scoreVerdict(RequestRecord r) {
        RouterScores s = r.routerScores();
        String p = String.format(Locale.ROOT, "%.3f", s.premium());
        String b = String.format(Locale.ROOT, "%.3f", s.balanced());
        String tier;
        String why;
        if (s.premium() >= s.premiumThreshold()) {
            tier = "premium";
            why = p + " ≥ " + threshold(s.premiumThreshold());
        } else if (s.balanced() < s.fastThreshold()) {
            tier = "fast";
            why = p + " < " + threshold(s.premiumThreshold()) + " and " + b + " < " + threshold(s.fastThreshold());
        } else {
            tier = "balanced";
            why = p + " < " + threshold(s.premiumThreshold()) + " and " + b + " ≥ " + threshold(s.fastThreshold());
        }
        StringBuilder sb = new StringBuilder(why).append(" → ").append(tier);
        if ("rule".equals(r.classifierLayer())) {
            sb.append("; not used: a rule kept the ceiling (").append(s.ceiling()).append(')');
        } else if ("n/a".equals(r.classifierLayer())) {
            sb.append("; not used: the ceiling (").append(s.ceiling()).append(") decided");
        } else {
            if (rank(tier) > rank(s.ceiling())) {
                sb.append(", capped at the ceiling (").append(s.ceiling()).append(')');
            }
            if ("haiku".equals(r.classifierLayer())) {
                sb.append("; near a threshold: haiku broke the tie");
            }
        }
        return sb.toString();
    }

    private static int rank(String tier) {
        return switch (tier == null ? "" : tier) {
            case "fast" -> 0;
            case "balanced" -> 1;
            default -> 2;
        };
    }

    private static String threshold(double t) {
        if (Double.isNaN(t)) {
            return "?";
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? "∞ (never)" : "−∞ (never)";
        }
        return String.format(Locale.ROOT, "%.3f", t);
    }

    /** Two lines per upstream attempt: {@code #1 answer · claude-haiku-4-5} / {@code first answer · HTTP 200 · …}. */
    public static String describe(AttemptRecord a) {
        return "#" + (a.index() + 1) + " " + a.purpose() + " · " + a.model() + "\n" + trigger(a.trigger())
                + " · HTTP " + a.status() + " · " + Formats.millis(a.latencyMillis())
                + " · " + Money.usd(a.costUsd());
    }

    static String trigger(String t) {
        if (t == null) {
            return "";
        }
        if (t.startsWith("phrase:")) {
            return "answer contained \"" + t.substring("phrase:".length()) + "\"";
        }
        return switch (t) {
            case "initial" -> "first answer";
            case "max_tokens" -> "previous answer was truncated";
            case "hedging" -> "previous answer hedged too much";
            case "classifier" -> "classifier call";
            default -> t;
        };
    }

    /** A curl command that replays the request through the gateway; the key stays an environment variable. */
    public String curl(RequestRecord r) {
        String model = r.requestedModel() == null ? "claude-sonnet-4-6" : r.requestedModel();
        String prompt = r.promptPreview() == null ? "<prompt not stored: enable metrics.store_text>"
                : r.promptPreview();
        String body = "{\"model\": " + json(model) + ", \"max_tokens\": " + Math.max(1024, r.usage() == null ? 0
                : r.usage().outputTokens()) + ", \"messages\": [{\"role\": \"user\", \"content\": " + json(prompt)
                + "}]}";
        return "curl " + gatewayUrl.get() + "/v1/messages \\\n"
                + "  -H \"x-api-key: $ANTHROPIC_API_KEY\" \\\n"
                + "  -H \"anthropic-version: 2023-06-01\" \\\n"
                + "  -H \"content-type: application/json\" \\\n"
                + "  -d " + shellQuote(body);
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public ZoneId zone() {
        return zone;
    }

    public StringProperty searchProperty() {
        return search;
    }

    public ObjectProperty<SortField> sortProperty() {
        return sort;
    }

    public BooleanProperty descendingProperty() {
        return descending;
    }

    public ObservableList<RequestRecord> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ObjectProperty<RequestRecord> selectedProperty() {
        return selected;
    }

    public ReadOnlyObjectProperty<RequestRecord> detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty decisionProperty() {
        return decision.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryLineProperty() {
        return summaryLine.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }
}
