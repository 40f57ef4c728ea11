package dev.costgateway.app.budgets;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.budget.Budget;
import dev.costgateway.core.budget.BudgetAlert;
import dev.costgateway.core.budget.BudgetState;
import dev.costgateway.core.observe.Observable;

/**
 * Budgets as the window shows them: one row per budget (and per key or project for scoped ones) for the
 * dashboard, the most pressing one for the status bar, a banner while one refuses requests with its "allow for
 * the next hour" action, and a desktop notification when one crosses its warning threshold or its limit.
 * FX thread only; the gateway is asked off it.
 */
public final class BudgetsViewModel {

    /** One budget (for one scope value) as text. @param fraction spent / limit, may exceed 1 */
    public record Row(String name, String scope, String amounts, String detail, double fraction,
                      BudgetState.Level level, boolean blocking, boolean overridden) {
    }

    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ENGLISH);

    private final GatewayControl control;
    private final UiTasks tasks;
    private DesktopNotifier notifier = DesktopNotifier.NONE;
    private Observable.Subscription alerts;
    private boolean refreshing;
    private boolean refreshAgain;

    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    // one wrapper, kept: a wrapper listens to its list weakly, so a fresh one per call could lose its listeners
    private final ObservableList<Row> readOnlyRows = FXCollections.unmodifiableObservableList(rows);
    private final ReadOnlyStringWrapper headline = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<BudgetState.Level> headlineLevel =
            new ReadOnlyObjectWrapper<>(BudgetState.Level.OK);
    private final ReadOnlyStringWrapper blockedBanner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper blockedBudget = new ReadOnlyStringWrapper("");

    public BudgetsViewModel(GatewayControl control, UiTasks tasks) {
        this.control = control;
        this.tasks = tasks;
    }

    public void setNotifier(DesktopNotifier notifier) {
        this.notifier = notifier;
    }

    /** Starts listening for alerts; {@link #deactivate()} stops. */
    public void activate() {
        if (alerts == null) {
            alerts = control.onBudgetAlert(a -> tasks.onUi(() -> alert(a)));
        }
        refresh();
    }

    public void deactivate() {
        if (alerts != null) {
            alerts.close();
            alerts = null;
        }
    }

    /** Re-reads the budgets (the window's 1 s timer calls it). */
    public void refresh() {
        if (refreshing) {
            refreshAgain = true; // the snapshot in flight may predate what the caller wants to see
            return;
        }
        refreshing = true;
        tasks.run(() -> new Snapshot(control.budgets(), control.budgetZone()), s -> {
            finished();
            apply(s);
        }, e -> finished());
    }

    private void finished() {
        refreshing = false;
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    private record Snapshot(List<BudgetState> states, ZoneId zone) {
    }

    private void apply(Snapshot s) {
        List<Row> next = s.states().stream().map(st -> row(st, s.zone())).toList();
        if (!next.equals(rows)) {
            rows.setAll(next);
        }
        Optional<BudgetState> blocking = s.states().stream().filter(BudgetState::blocking).findFirst();
        Optional<BudgetState> top = s.states().stream().max(java.util.Comparator.comparingDouble(BudgetState::percent));
        if (blocking.isPresent()) {
            BudgetState b = blocking.get();
            headline.set("Budget " + b.budget().name() + ": limit reached");
            headlineLevel.set(BudgetState.Level.EXCEEDED);
            blockedBudget.set(b.budget().name());
            blockedBanner.set("Budget \"" + b.budget().name() + "\" reached (" + BudgetState.usd(b.spentUsd())
                    + " of " + BudgetState.usd(b.budget().limitUsd()) + " " + per(b.budget()) + ", " + b.scopeLabel()
                    + "). New requests are refused until " + RESET.format(b.resetsAt().atZone(s.zone()))
                    + "; cached answers are still served.");
        } else {
            blockedBudget.set("");
            blockedBanner.set("");
            if (top.isPresent()) {
                BudgetState t = top.get();
                headline.set("Budget " + t.budget().name() + " " + String.format(Locale.ROOT, "%.0f%%", t.percent())
                        + (t.overriddenUntil() != null ? " · allowed" : ""));
                headlineLevel.set(t.level());
            } else {
                headline.set("");
                headlineLevel.set(BudgetState.Level.OK);
            }
        }
    }

    private static Row row(BudgetState st, ZoneId zone) {
        Budget b = st.budget();
        String amounts = BudgetState.usd(st.spentUsd()) + " of " + BudgetState.usd(b.limitUsd());
        String detail = String.format(Locale.ROOT, "%.0f%% · projected %s · resets %s · %s", st.percent(),
                BudgetState.usd(st.projectedUsd()), RESET.format(st.resetsAt().atZone(zone)),
                b.action() == Budget.Action.BLOCK ? "blocks at the limit" : "warns only");
        if (st.overriddenUntil() != null) {
            detail += " · allowed until " + RESET.format(st.overriddenUntil().atZone(zone));
        }
        return new Row(b.name(), st.scopeLabel() + " · " + per(b), amounts, detail,
                st.spentUsd() / b.limitUsd(), st.level(), st.blocking(), st.overriddenUntil() != null);
    }

    private static String per(Budget b) {
        return b.period() == Budget.Period.DAY ? "daily" : "monthly";
    }

    private void alert(BudgetAlert a) {
        BudgetState st = a.state();
        String title = st.level() == BudgetState.Level.EXCEEDED ? "Budget \"" + st.budget().name() + "\" reached"
                : "Budget \"" + st.budget().name() + "\" at " + String.format(Locale.ROOT, "%.0f%%", st.percent());
        String text = BudgetState.usd(st.spentUsd()) + " of " + BudgetState.usd(st.budget().limitUsd()) + " "
                + per(st.budget()) + " (" + st.scopeLabel() + ")"
                + (st.level() == BudgetState.Level.EXCEEDED && st.budget().action() == Budget.Action.BLOCK
                ? ": new requests are refused" : "");
        notifier.notify(title, text);
        refresh();
    }

    private final javafx.beans.property.BooleanProperty readOnly = new javafx.beans.property.SimpleBooleanProperty();

    /**
     * True while the window shows data that is not this gateway's (the team view): "allow for the next hour"
     * changes this gateway, so it is disabled meanwhile.
     */
    public javafx.beans.property.BooleanProperty readOnlyProperty() {
        return readOnly;
    }

    /** "Allow for the next hour" on the budget that refuses requests; nothing while {@link #readOnlyProperty}. */
    public void allowForAnHour(String name) {
        if (readOnly.get()) {
            return;
        }
        tasks.run(() -> control.allowBudget(name, Duration.ofHours(1)), ok -> refresh(), e -> { });
    }

    public ObservableList<Row> rows() {
        return readOnlyRows;
    }

    public ReadOnlyStringProperty headlineProperty() {
        return headline.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<BudgetState.Level> headlineLevelProperty() {
        return headlineLevel.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty blockedBannerProperty() {
        return blockedBanner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty blockedBudgetProperty() {
        return blockedBudget.getReadOnlyProperty();
    }
}
