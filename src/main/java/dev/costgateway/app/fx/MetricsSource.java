package dev.costgateway.app.fx;

import java.util.function.Supplier;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;

import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries;

/**
 * Where the dashboard, requests, sessions and reports read from: this gateway's own store, or (the team view) the
 * team's shared store, read-only. The screens take {@link #queries()} when they start a load and compare
 * {@link #revision()} when its result arrives, so a result from the previous source is never shown. Switched on
 * the FX thread; {@link #queries()} may be read from any thread.
 */
public final class MetricsSource {

    private final Supplier<MetricsQueries> local;
    private volatile MetricsQueries shown;
    private final ReadOnlyBooleanWrapper readOnly = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyIntegerWrapper revision = new ReadOnlyIntegerWrapper(0);

    private MetricsSource(Supplier<MetricsQueries> local) {
        this.local = local;
    }

    /** This gateway's store ({@link GatewayControl#metrics()}, read at each call) until something else is shown. */
    public static MetricsSource local(GatewayControl control) {
        return new MetricsSource(control::metrics);
    }

    /** The queries to read now. */
    public MetricsQueries queries() {
        MetricsQueries q = shown;
        return q != null ? q : local.get();
    }

    /** Shows other queries (the team's), read-only: actions that change this gateway are disabled meanwhile. */
    public void showReadOnly(MetricsQueries queries) {
        shown = java.util.Objects.requireNonNull(queries);
        readOnly.set(true);
        revision.set(revision.get() + 1);
    }

    /** Back to this gateway's own store. */
    public void showLocal() {
        if (shown == null) {
            return;
        }
        shown = null;
        readOnly.set(false);
        revision.set(revision.get() + 1);
    }

    /** True while the shown data is not this gateway's own (the team view). */
    public ReadOnlyBooleanProperty readOnlyProperty() {
        return readOnly.getReadOnlyProperty();
    }

    public boolean isReadOnly() {
        return readOnly.get();
    }

    /** Goes up by one at every switch. */
    public ReadOnlyIntegerProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    public int revision() {
        return revision.get();
    }
}
