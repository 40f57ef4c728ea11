package dev.costgateway.app.team;

import java.util.ArrayList;
import java.util.List;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.TeamStore;
import dev.costgateway.core.observe.Observable;

/**
 * The team view switch: "This gateway" or "Team" (the shared store named by {@code metrics.team_view_jdbc_url},
 * read-only), and which instance of the team to show. Switching to Team opens the store off the FX thread; while
 * it connects, or when it cannot be used, the screens keep showing this gateway, and {@link #statusProperty()} says
 * why. A team query that fails later (the database went away) switches back the same way. This gateway's own
 * proxy and store are never touched. FX thread only.
 */
public final class TeamViewModel {

    public enum Mode { LOCAL, TEAM }

    public enum State { OFF, CONNECTING, CONNECTED, FAILED }

    /** One entry of the instance choice; {@code instance} null = every instance. */
    public record Choice(String instance, String label) {
        public static final Choice ALL = new Choice(null, "All instances");

        static Choice of(String instance) {
            return new Choice(instance, instance.isEmpty() ? "(rows without an instance)" : instance);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final GatewayControl control;
    private final MetricsSource source;
    private final UiTasks tasks;

    private final ReadOnlyBooleanWrapper available = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyObjectWrapper<Mode> mode = new ReadOnlyObjectWrapper<>(Mode.LOCAL);
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.OFF);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ObservableList<Choice> choices = FXCollections.observableArrayList(Choice.ALL);
    private final ObservableList<Choice> choicesView = FXCollections.unmodifiableObservableList(choices);
    private final ObjectProperty<Choice> choice = new SimpleObjectProperty<>(Choice.ALL);

    private TeamStore store;
    private String storeUrl;
    private Observable.Subscription health;
    private Observable.Subscription config;
    /** Bumped at every switch, so a connection that finishes after the user switched back is not shown. */
    private int attempt;

    public TeamViewModel(GatewayControl control, MetricsSource source, UiTasks tasks) {
        this.control = control;
        this.source = source;
        this.tasks = tasks;
        choice.addListener((o, was, now) -> {
            if (now == null) {
                choice.set(Choice.ALL);
            } else if (state.get() == State.CONNECTED) {
                showStore();
            }
        });
        available.set(!teamUrl().isBlank());
    }

    /** Follows the configuration (the team URL may be set, changed or cleared in Settings); call once shown. */
    public void activate() {
        if (config == null) {
            config = control.configState().subscribe(s -> tasks.onUi(this::configChanged));
        }
    }

    /** Stops following the configuration and closes the team store (off the FX thread). */
    public void deactivate() {
        if (config != null) {
            config.close();
            config = null;
        }
        showLocal();
        closeStore();
    }

    private String teamUrl() {
        String url = control.config().metrics().teamViewJdbcUrl();
        return url == null ? "" : url.strip();
    }

    private void configChanged() {
        String url = teamUrl();
        available.set(!url.isBlank());
        if (store != null && !url.equals(storeUrl)) {
            boolean wasTeam = mode.get() == Mode.TEAM;
            showLocal();
            closeStore();
            if (wasTeam && !url.isBlank()) {
                showTeam(); // the new database
            }
        } else if (url.isBlank()) {
            showLocal();
        }
    }

    /** "Team": connects (off the FX thread) and shows the team's data once the store answers. */
    public void showTeam() {
        if (!available.get()) {
            return;
        }
        int mine = ++attempt;
        mode.set(Mode.TEAM);
        state.set(State.CONNECTING);
        status.set("Connecting to the team's database…");
        detail.set("");
        TeamStore existing = store;
        String url = teamUrl();
        tasks.run(() -> connect(existing), connected -> {
            if (connected.store() != existing) {
                adopt(connected.store(), url);
            }
            if (mine != attempt) {
                return; // switched back meanwhile; the store stays open for the next time
            }
            setChoices(connected.instances());
            state.set(State.CONNECTED);
            int n = connected.instances().size();
            status.set("Team · " + shortName(connected.store().description()) + " · read-only · " + n
                    + (n == 1 ? " gateway" : " gateways"));
            detail.set("The team's shared database " + connected.store().description() + ", read-only. This "
                    + "gateway keeps serving and recording to its own store.");
            showStore();
        }, e -> {
            if (mine == attempt) {
                fail(e.getMessage());
            }
        });
    }

    private record Connected(TeamStore store, List<MetricsQueries.InstanceRow> instances) {
    }

    /** Off the FX thread: opens the store (or reuses the open one) and lists the team's instances. */
    private Connected connect(TeamStore existing) {
        TeamStore s = existing != null ? existing : control.openTeamStore();
        try {
            return new Connected(s, s.instances(null, null));
        } catch (RuntimeException e) {
            if (s != existing) {
                s.close();
            }
            throw e;
        }
    }

    private void adopt(TeamStore opened, String url) {
        closeStore();
        store = opened;
        storeUrl = url;
        health = opened.health().subscribe(h -> tasks.onUi(() -> healthChanged(opened, h)));
    }

    private void healthChanged(TeamStore from, TeamStore.Health h) {
        if (from == store && !h.up() && state.get() == State.CONNECTED) {
            fail(h.problem());
        }
    }

    /** "This gateway": the screens read this gateway's store again. */
    public void showLocal() {
        attempt++;
        mode.set(Mode.LOCAL);
        state.set(State.OFF);
        status.set("");
        detail.set("");
        source.showLocal();
    }

    private void fail(String why) {
        attempt++;
        mode.set(Mode.LOCAL);
        state.set(State.FAILED);
        status.set("Team view unavailable: " + (why == null || why.isBlank() ? "the team's database did not answer"
                : why.replaceAll("[.\\s]+$", "")) + ". Showing this gateway.");
        detail.set(status.get());
        source.showLocal();
    }

    private void showStore() {
        Choice c = choice.get();
        source.showReadOnly(c == null || c.instance() == null ? store : store.forInstance(c.instance()));
    }

    private void setChoices(List<MetricsQueries.InstanceRow> rows) {
        List<Choice> next = new ArrayList<>();
        next.add(Choice.ALL);
        rows.stream().map(MetricsQueries.InstanceRow::instance).sorted().map(Choice::of).forEach(next::add);
        Choice keep = choice.get();
        if (!choices.equals(next)) {
            choices.setAll(next);
        }
        choice.set(next.contains(keep) ? keep : Choice.ALL);
    }

    private void closeStore() {
        if (health != null) {
            health.close();
            health = null;
        }
        TeamStore s = store;
        store = null;
        storeUrl = null;
        if (s != null) {
            tasks.run(s::close);
        }
    }

    /** True when a team database is configured: the bar is shown. */
    public ReadOnlyBooleanProperty availableProperty() {
        return available.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Mode> modeProperty() {
        return mode.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** What the bar says: the database shown (password masked), connecting, or why the team view is unavailable. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The longer story behind {@link #statusProperty()}: the whole database URL (password masked), or the error. */
    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    /** {@code host:port/db} of a masked JDBC URL: enough to recognise the database in the bar. */
    static String shortName(String maskedUrl) {
        String s = maskedUrl.replaceFirst("^jdbc:postgresql://", "");
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    /** "All instances", then each instance of the team, by name. */
    public ObservableList<Choice> choices() {
        return choicesView;
    }

    /** The instance shown; set it to pick another. */
    public ObjectProperty<Choice> choiceProperty() {
        return choice;
    }
}
