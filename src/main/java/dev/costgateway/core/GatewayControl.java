package dev.costgateway.core;

import dev.costgateway.core.observe.Observable;
import java.nio.file.Path;

import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.time.GatewayClock;

/**
 * Everything the desktop app may do with the running gateway: one facade, no other door into the core.
 * Methods that block (start, stop, reload, the queries) must be called off the FX thread.
 */
public interface GatewayControl {

    /** Opens the listener; the status says RUNNING or FAILED (with the reason) afterwards. */
    void start();

    /** Closes the listener; in-flight requests finish first (bounded wait). */
    void stop();

    /**
     * Applies a new configuration to the running gateway without dropping in-flight requests (they finish on
     * the configuration they started with). Host or port changes restart the listener.
     *
     * @return what happened, for the settings form
     */
    ReloadResult reload(GatewayConfig config);

    /**
     * Validates YAML text, writes it to the config file atomically (temp file + move, previous version kept as
     * {@code config.yaml.bak}) and reloads. On any problem nothing is written and nothing is applied.
     */
    ReloadResult saveAndReload(String yamlText) throws ConfigException, java.io.IOException;

    /**
     * The problems across keys (e.g. listening beyond loopback without a token) that would make
     * {@link #saveAndReload} refuse this configuration, as read from a file, with the start-up overrides applied.
     * May resolve host names: call it off the FX thread.
     */
    default java.util.List<dev.costgateway.core.config.ConfigProblem> validate(GatewayConfig fileConfig) {
        return dev.costgateway.core.config.ConfigValidator.validate(fileConfig, configFile().toString());
    }

    GatewayConfig config();

    Path configFile();

    Observable<GatewayStatus> status();

    MetricsQueries metrics();

    /** The gateway's time source; the UI reads "now" and "today" from it too, so there is one clock. */
    default GatewayClock clock() {
        return GatewayClock.system();
    }

    /**
     * "Wrong answer for this prompt": evicts the semantic-cache entry whose answer request {@code queryId} got and
     * keeps the pair as a local negative (as {@code POST /v1/cache/semantic/{query_id}/reject}). Fast, no I/O on
     * the caller's thread beyond memory.
     *
     * @return false when no semantic hit is known under that id (not a semantic hit, too old, already rejected)
     */
    default boolean rejectSemanticHit(String queryId) {
        return false;
    }

    /** Whether {@code queryId} is a rejected semantic hit that {@link #reaskSemanticHit} can still send again. */
    default boolean canReaskSemanticHit(String queryId) {
        return false;
    }

    /**
     * "Ask upstream again" after {@link #rejectSemanticHit}: sends the request that got the wrong hit through the
     * gateway again, bypassing the caches (its answer is stored), and returns what the gateway answered. Blocks
     * until then: call it off the FX thread.
     */
    default dev.costgateway.core.proxy.SemanticReplays.Replay reaskSemanticHit(String queryId) {
        return new dev.costgateway.core.proxy.SemanticReplays.Replay(
                dev.costgateway.core.proxy.SemanticReplays.Outcome.UNKNOWN, 0,
                org.eclipse.jetty.http.HttpFields.EMPTY, new byte[0], "", "this gateway does not re-ask");
    }

    /**
     * The scored requests recorded in [from, to) (null bounds: unbounded), ready for the routing what-if: the
     * settings' knob loads them once and re-evaluates them for each position ({@link
     * dev.costgateway.core.routing.RecordedTraffic#evaluate}, in memory). Blocks on the database: call it off the
     * FX thread. The default reads {@link #metrics()} and the shipped router model.
     */
    default dev.costgateway.core.routing.RecordedTraffic routingTraffic(java.time.Instant from, java.time.Instant to) {
        return dev.costgateway.core.routing.RecordedTraffic.of(
                metrics().scoredRequests(from, to, MetricsQueries.MAX_SCORED),
                dev.costgateway.core.routing.RouterModel.load());
    }

    /**
     * The configuration in force and the text of the file it came from; updated on every reload and whenever the
     * file is edited outside the app (file watch). An invalid outside edit is not applied: the state keeps the
     * last good configuration and lists the edit's problems in {@link ConfigState#rejected()}.
     */
    Observable<ConfigState> configState();

    /**
     * @param yamlText the text of the file that produced {@code config}
     * @param rejected problems of the latest outside edit that was refused; empty when the file on disk is in force
     */
    record ConfigState(GatewayConfig config, String yamlText, java.util.List<dev.costgateway.core.config.ConfigProblem> rejected) {
        public ConfigState {
            rejected = java.util.List.copyOf(rejected);
        }
    }

    /**
     * Opens the team view: the team's shared metrics database named by {@code metrics.team_view_jdbc_url}, read-only
     * (its own pool of two connections; this gateway's store and listener are untouched). Blocks for a few
     * seconds at most: call it off the FX thread. The caller closes the store.
     *
     * @throws IllegalStateException when no team view is configured
     * @throws dev.costgateway.core.metrics.MetricsStoreException with a message fit for the UI (no password) when
     *         the database cannot be reached or lacks a migration this version reads
     */
    default dev.costgateway.core.metrics.TeamStore openTeamStore() {
        String url = config().metrics().teamViewJdbcUrl();
        if (url.isBlank()) {
            throw new IllegalStateException("no team view configured: set metrics.team_view_jdbc_url in Settings");
        }
        return dev.costgateway.core.metrics.TeamStore.open(url, System::getenv);
    }

    /** Every budget's state now (in memory, cheap), highest share of its limit first within each budget. */
    default java.util.List<dev.costgateway.core.budget.BudgetState> budgets() {
        return java.util.List.of();
    }

    /** The zone budget days and months begin in. */
    default java.time.ZoneId budgetZone() {
        return java.time.ZoneId.systemDefault();
    }

    /** Lets requests past budget {@code name}'s limit for {@code duration}; false when there is no such budget. */
    default boolean allowBudget(String name, java.time.Duration duration) {
        return false;
    }

    /**
     * Delivers each budget crossing its warning threshold or its limit, once per period, on the thread that
     * recorded the spend (hop to the UI thread).
     */
    default Observable.Subscription onBudgetAlert(java.util.function.Consumer<dev.costgateway.core.budget.BudgetAlert> l) {
        return () -> { };
    }

    /** @param listenerRestarted true when host or port changed and the listener was reopened */
    record ReloadResult(boolean listenerRestarted, String message) {
    }
}
