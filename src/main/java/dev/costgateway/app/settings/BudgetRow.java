package dev.costgateway.app.settings;

import java.util.LinkedHashMap;
import java.util.Map;

import javafx.beans.Observable;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import dev.costgateway.core.budget.Budget;
import dev.costgateway.core.config.ValueType;

/** One editable row of the budgets table: every field as text as typed (checked like the file's). */
public final class BudgetRow {
    private final StringProperty name = new SimpleStringProperty();
    private final StringProperty period = new SimpleStringProperty();
    private final StringProperty limit = new SimpleStringProperty();
    private final StringProperty scope = new SimpleStringProperty();
    private final StringProperty warnAt = new SimpleStringProperty();
    private final StringProperty action = new SimpleStringProperty();

    public BudgetRow(String name, String period, String limit, String scope, String warnAt, String action) {
        this.name.set(name);
        this.period.set(period);
        this.limit.set(limit);
        this.scope.set(scope);
        this.warnAt.set(warnAt);
        this.action.set(action);
    }

    static BudgetRow of(Budget b) {
        return new BudgetRow(b.name(), b.period().wire(), ValueType.writePrice(b.limitUsd()), b.scope().wire(),
                Integer.toString(b.warnAtPercent()), b.action().wire());
    }

    /** The fields as {@code config.yaml} spells them (the form's text, trimmed). */
    Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", trim(name.get()));
        m.put("period", trim(period.get()));
        m.put("limit_usd", trim(limit.get()));
        m.put("scope", trim(scope.get()));
        m.put("warn_at_percent", trim(warnAt.get()));
        m.put("action", trim(action.get()));
        return m;
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty periodProperty() {
        return period;
    }

    public StringProperty limitProperty() {
        return limit;
    }

    public StringProperty scopeProperty() {
        return scope;
    }

    public StringProperty warnAtProperty() {
        return warnAt;
    }

    public StringProperty actionProperty() {
        return action;
    }

    Observable[] observables() {
        return new Observable[] {name, period, limit, scope, warnAt, action};
    }

    String signature() {
        return String.join("\u0000", fields().values());
    }
}
