package dev.costgateway.app.sessions;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import java.util.TreeSet;
import java.util.function.Consumer;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
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
import dev.costgateway.core.metrics.MetricsQueries.SessionQuery;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/**
 * The sessions screen: the latest sessions with their figures (searched here, sorted by the table), the same
 * figures grouped by project, and the selected session's requests in order with its prompt-cache findings. Every
 * {@link #refresh} re-reads the list and the selected session, so a running session's figures grow as it goes.
 */
public final class SessionsViewModel {

    /** Sessions read per refresh (the most recently active). */
    public static final int LIMIT = 500;
    /** Requests of one session read at most. */
    public static final int TURNS = 2000;

    public enum Grouping { SESSION, PROJECT }

    /** One project's figures, summed over its sessions in the list. */
    public record ProjectRow(String project, long sessions, long requests, double costUsd, double counterfactualUsd,
            double savedUsd, long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens,
            long escalations, Instant lastActivity) {

        public double promptCacheHitRatio() {
            long prompt = inputTokens + cacheCreationTokens + cacheReadTokens;
            return prompt == 0 ? 0 : (double) cacheReadTokens / prompt;
        }
    }

    private final GatewayControl control;
    private final MetricsSource source;
    private final UiTasks tasks;
    private final ZoneId zone;
    /** The source revision of the query in flight; -1 when none (see DashboardViewModel). */
    private int loading = -1;
    private boolean refreshAgain;
    private List<SessionRow> all = List.of();
    private Consumer<RequestRecord> openRequest = r -> { };

    private final StringProperty search = new SimpleStringProperty("");
    private final ObjectProperty<Grouping> grouping = new SimpleObjectProperty<>(Grouping.SESSION);
    private final ObservableList<SessionRow> sessions = FXCollections.observableArrayList();
    private final ObservableList<ProjectRow> projects = FXCollections.observableArrayList();
    private final ObjectProperty<SessionRow> selected = new SimpleObjectProperty<>();
    private final ObservableList<RequestRecord> turns = FXCollections.observableArrayList();
    private final ObservableList<CacheHealth.Warning> warnings = FXCollections.observableArrayList();
    // one read-only view each, kept: a view listens to its list weakly, so a view made per call could be collected
    // together with the listeners added to it
    private final ObservableList<SessionRow> sessionsView = FXCollections.unmodifiableObservableList(sessions);
    private final ObservableList<ProjectRow> projectsView = FXCollections.unmodifiableObservableList(projects);
    private final ObservableList<RequestRecord> turnsView = FXCollections.unmodifiableObservableList(turns);
    private final ObservableList<CacheHealth.Warning> warningsView = FXCollections.unmodifiableObservableList(warnings);
    private final ReadOnlyStringWrapper summaryLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper detailTitle = new ReadOnlyStringWrapper("Select a session");
    private final ReadOnlyStringWrapper detailLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper healthLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");

    public SessionsViewModel(GatewayControl control, UiTasks tasks, ZoneId zone) {
        this(control, MetricsSource.local(control), tasks, zone);
    }

    /** @param source this gateway's store or the team's (the team view) */
    public SessionsViewModel(GatewayControl control, MetricsSource source, UiTasks tasks, ZoneId zone) {
        this.control = control;
        this.source = source;
        source.revisionProperty().addListener((o, a, b) -> {
            selected.set(null);
            all = List.of();
            applyFilter();
        });
        this.tasks = tasks;
        this.zone = zone;
        search.addListener((o, a, b) -> applyFilter());
        selected.addListener((o, a, b) -> {
            if (b == null || a == null || !a.sessionId().equals(b.sessionId())) {
                turns.clear();
                warnings.clear();
            }
            describe(b);
            loadTurns();
        });
    }

    /** Called with a request of the selected session to show it in the request inspector. */
    public void setOnOpenRequest(Consumer<RequestRecord> action) {
        openRequest = action == null ? r -> { } : action;
    }

    public void openRequest(RequestRecord r) {
        if (r != null) {
            openRequest.accept(r);
        }
    }

    public void refresh() {
        int rev = source.revision();
        if (loading == rev) {
            refreshAgain = true;
            return;
        }
        loading = rev;
        MetricsQueries queries = source.queries();
        tasks.run(() -> queries.sessions(SessionQuery.latest(LIMIT)), result -> {
            finished(rev);
            if (rev != source.revision()) {
                return;
            }
            error.set("");
            all = result;
            applyFilter();
            loadTurns();
        }, e -> {
            finished(rev);
            if (rev == source.revision()) {
                error.set("Could not read sessions: " + e.getMessage());
            }
        });
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

    /** Shows the sessions of one project (from the project grouping). */
    public void showProject(String project) {
        search.set(project == null ? "" : project);
        grouping.set(Grouping.SESSION);
    }

    private void applyFilter() {
        String needle = search.get() == null ? "" : search.get().strip().toLowerCase(Locale.ROOT);
        List<SessionRow> shown = all.stream().filter(s -> needle.isEmpty() || matches(s, needle)).toList();
        if (!sessions.equals(shown)) {
            SessionRow keep = selected.get();
            sessions.setAll(shown);
            if (keep != null) {
                shown.stream().filter(s -> s.sessionId().equals(keep.sessionId())).findFirst()
                        .ifPresent(selected::set);
            }
        }
        List<ProjectRow> byProject = projects(shown);
        if (!projects.equals(byProject)) {
            projects.setAll(byProject);
        }
        long requests = shown.stream().mapToLong(SessionRow::requests).sum();
        double cost = shown.stream().mapToDouble(SessionRow::costUsd).sum();
        summaryLine.set(Formats.count(shown.size()) + (shown.size() == 1 ? " session" : " sessions") + " · "
                + Formats.count(requests) + " requests · " + Money.usd(cost)
                + (all.size() >= LIMIT ? " · the " + LIMIT + " most recent" : ""));
    }

    private static boolean matches(SessionRow s, String needle) {
        return s.sessionId().toLowerCase(Locale.ROOT).contains(needle)
                || s.project().toLowerCase(Locale.ROOT).contains(needle)
                || s.models().stream().anyMatch(m -> m.toLowerCase(Locale.ROOT).contains(needle));
    }

    static List<ProjectRow> projects(List<SessionRow> rows) {
        Map<String, List<SessionRow>> by = new LinkedHashMap<>();
        for (SessionRow s : rows) {
            by.computeIfAbsent(s.project(), k -> new ArrayList<>()).add(s);
        }
        List<ProjectRow> out = new ArrayList<>();
        by.forEach((p, list) -> out.add(new ProjectRow(p, list.size(),
                list.stream().mapToLong(SessionRow::requests).sum(),
                list.stream().mapToDouble(SessionRow::costUsd).sum(),
                list.stream().mapToDouble(SessionRow::counterfactualUsd).sum(),
                list.stream().mapToDouble(SessionRow::savedUsd).sum(),
                list.stream().mapToLong(SessionRow::inputTokens).sum(),
                list.stream().mapToLong(SessionRow::outputTokens).sum(),
                list.stream().mapToLong(SessionRow::cacheCreationTokens).sum(),
                list.stream().mapToLong(SessionRow::cacheReadTokens).sum(),
                list.stream().mapToLong(SessionRow::escalations).sum(),
                list.stream().map(SessionRow::lastActivity).max(Instant::compareTo).orElse(Instant.EPOCH))));
        out.sort((a, b) -> b.lastActivity().compareTo(a.lastActivity()));
        return out;
    }

    private void loadTurns() {
        SessionRow s = selected.get();
        if (s == null) {
            return;
        }
        String id = s.sessionId();
        MetricsQueries queries = source.queries();
        int rev = source.revision();
        tasks.run(() -> queries.sessionRequests(id, TURNS), list -> {
            if (rev != source.revision() || selected.get() == null || !selected.get().sessionId().equals(id)) {
                return;
            }
            if (!turns.equals(list)) {
                turns.setAll(list);
                List<CacheHealth.Warning> found = CacheHealth.check(
                        list.stream().map(RequestRecord::cacheTurn).toList(), CacheHealth.Prices.of(control.config()));
                warnings.setAll(found);
                healthLine.set(found.isEmpty() ? "Prompt cache: no problems found"
                        : "Prompt cache: " + found.size() + (found.size() == 1 ? " problem" : " problems")
                        + " costing " + Money.usd(CacheHealth.totalUsd(found)));
            }
        }, e -> error.set("Could not read session " + id + ": " + e.getMessage()));
    }

    private void describe(SessionRow s) {
        if (s == null) {
            detailTitle.set("Select a session");
            detailLine.set("");
            healthLine.set("");
            return;
        }
        detailTitle.set((s.project().isEmpty() ? "Session" : SessionTag.shortProject(s.project())) + " · "
                + shortId(s.sessionId()));
        detailLine.set(Formats.dateTime(s.started(), zone) + " · " + duration(s.duration()) + " · "
                + Formats.count(s.requests()) + " requests · " + Money.usd(s.costUsd()) + " (would have cost "
                + Money.usd(s.counterfactualUsd()) + ") · prompt cache hit " + Formats.percentOfOne(
                s.promptCacheHitRatio()));
    }

    /** Cost of each request in order, for the cost-per-turn chart (unknown costs as 0). */
    public List<Double> costPerTurn() {
        return turns.stream().map(r -> r.costUsd() == null ? 0.0 : r.costUsd()).toList();
    }

    /** {@code 5f0c3a1e} for a uuid, the id as is when short. */
    public static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 8) + "…" : id;
    }

    /** {@code 42s}, {@code 12m 05s}, {@code 3h 20m}. */
    public static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
    }

    /** Models without the {@code claude-} prefix and date suffix, joined. */
    public static String models(List<String> models) {
        TreeSet<String> shortNames = new TreeSet<>();
        for (String m : models) {
            String x = m.startsWith("claude-") ? m.substring("claude-".length()) : m;
            shortNames.add(x.replaceAll("-\\d{8}$", ""));
        }
        return String.join(", ", shortNames);
    }

    public ZoneId zone() {
        return zone;
    }

    public StringProperty searchProperty() {
        return search;
    }

    public ObjectProperty<Grouping> groupingProperty() {
        return grouping;
    }

    public ObservableList<SessionRow> sessions() {
        return sessionsView;
    }

    public ObservableList<ProjectRow> projects() {
        return projectsView;
    }

    public ObjectProperty<SessionRow> selectedProperty() {
        return selected;
    }

    public ObservableList<RequestRecord> turns() {
        return turnsView;
    }

    public ObservableList<CacheHealth.Warning> warnings() {
        return warningsView;
    }

    public ReadOnlyStringProperty summaryLineProperty() {
        return summaryLine.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailTitleProperty() {
        return detailTitle.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailLineProperty() {
        return detailLine.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty healthLineProperty() {
        return healthLine.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

}
