package dev.costgateway.app.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.GatewayStatus.ProxyState;
import dev.costgateway.core.budget.BudgetAlert;
import dev.costgateway.core.budget.BudgetState;
import dev.costgateway.core.budget.BudgetTracker;
import dev.costgateway.core.budget.SpendSource;
import dev.costgateway.core.observe.Observable;
import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.ConfigProblem;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;

/** A gateway without a network: status flips on start/stop, saves really write the file, metrics in memory. */
public final class FakeGatewayControl implements GatewayControl {
    private final Path configFile;
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final Observable<GatewayStatus> status;
    private final Observable<ConfigState> configState;
    private final AtomicInteger starts = new AtomicInteger();
    private volatile GatewayConfig config;
    private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> budgetNow =
            new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
    private final BudgetTracker budgets;

    public FakeGatewayControl(Path configFile) throws IOException, ConfigException {
        this.configFile = configFile;
        ConfigLoader.Result r = ConfigLoader.loadOrCreate(configFile);
        this.config = r.config();
        this.status = new Observable<>(GatewayStatus.initial(config.upstream().baseUrl().toString())
                .withEmbedder(GatewayStatus.EmbedderState.READY)
                .withUpstream(GatewayStatus.UpstreamState.REACHABLE, config.upstream().baseUrl().toString()));
        this.configState = new Observable<>(new ConfigState(config, Files.readString(configFile), List.of()));
        this.budgets = new BudgetTracker(config.budgets().list(), config.budgets().zone(), budgetNow::get,
                SpendSource.NONE);
    }

    /** The real budget tracker behind {@link #budgets()}: tests record spend into it. */
    public BudgetTracker budgetTracker() {
        return budgets;
    }

    /** Sets the budgets' "now" (the tracker's own clock). */
    public void setBudgetNow(java.time.Instant now) {
        budgetNow.set(now);
    }

    @Override
    public List<BudgetState> budgets() {
        return budgets.states();
    }

    @Override
    public java.time.ZoneId budgetZone() {
        return budgets.zone();
    }

    @Override
    public boolean allowBudget(String name, java.time.Duration duration) {
        return budgets.allowFor(name, duration);
    }

    @Override
    public Observable.Subscription onBudgetAlert(java.util.function.Consumer<BudgetAlert> listener) {
        return budgets.addAlertListener(listener);
    }

    private final List<String> rejectedSemanticHits = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Knows every semantic hit in its store, once. */
    @Override
    public boolean rejectSemanticHit(String queryId) {
        boolean known = metrics.request(queryId).filter(r -> "semantic".equals(r.cacheKind())).isPresent()
                && !rejectedSemanticHits.contains(queryId);
        if (known) {
            rejectedSemanticHits.add(queryId);
        }
        return known;
    }

    public List<String> rejectedSemanticHits() {
        return List.copyOf(rejectedSemanticHits);
    }

    private final List<String> reaskedSemanticHits = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A rejected hit can be re-asked once, as by the gateway. */
    @Override
    public boolean canReaskSemanticHit(String queryId) {
        return rejectedSemanticHits.contains(queryId) && !reaskedSemanticHits.contains(queryId);
    }

    /** Answers as the gateway would after a replay: 200 from {@code claude-haiku-4-5}, as request "replay-N". */
    @Override
    public dev.costgateway.core.proxy.SemanticReplays.Replay reaskSemanticHit(String queryId) {
        if (!canReaskSemanticHit(queryId)) {
            return new dev.costgateway.core.proxy.SemanticReplays.Replay(
                    dev.costgateway.core.proxy.SemanticReplays.Outcome.UNKNOWN, 0,
                    org.eclipse.jetty.http.HttpFields.EMPTY, new byte[0], "", "not rejected");
        }
        reaskedSemanticHits.add(queryId);
        return new dev.costgateway.core.proxy.SemanticReplays.Replay(
                dev.costgateway.core.proxy.SemanticReplays.Outcome.ASKED, 200,
                org.eclipse.jetty.http.HttpFields.build().add("X-Gateway-Model", "claude-haiku-4-5").asImmutable(),
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "replay-" + reaskedSemanticHits.size(), "");
    }

    public List<String> reaskedSemanticHits() {
        return List.copyOf(reaskedSemanticHits);
    }

    @Override
    public void start() {
        starts.incrementAndGet();
        status.update(st -> st.withProxy(ProxyState.RUNNING, url(config), null));
    }

    private static String url(GatewayConfig c) {
        return "http://" + c.server().host() + ":" + c.server().port();
    }

    @Override
    public void stop() {
        status.update(st -> st.withProxy(ProxyState.STOPPED, null, null));
    }

    public void fail(String error) {
        status.update(st -> st.withProxy(ProxyState.FAILED, null, error));
    }

    @Override
    public ReloadResult reload(GatewayConfig next) {
        boolean restart = !next.server().host().equals(config.server().host())
                || next.server().port() != config.server().port();
        config = next;
        budgets.reconfigure(next.budgets().list(), next.budgets().zone());
        if (restart) {
            status.update(st -> st.proxy() == ProxyState.RUNNING ? st.withProxy(ProxyState.RUNNING, url(next), null)
                    : st);
        }
        return new ReloadResult(restart, restart ? "Saved; listener restarted on port " + next.server().port()
                : "Saved and applied");
    }

    @Override
    public ReloadResult saveAndReload(String yamlText) throws ConfigException, IOException {
        GatewayConfig next = ConfigLoader.parse(yamlText, configFile.toString()).config();
        List<ConfigProblem> refused = validate(next);
        if (!refused.isEmpty()) {
            throw new ConfigException(refused);
        }
        Path tmp = configFile.resolveSibling(configFile.getFileName() + ".tmp");
        Files.writeString(tmp, yamlText, StandardCharsets.UTF_8);
        if (Files.exists(configFile)) {
            Files.copy(configFile, configFile.resolveSibling(configFile.getFileName() + ".bak"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ReloadResult result = reload(next);
        configState.set(new ConfigState(next, yamlText, List.of()));
        return result;
    }

    /** What the file watch does when someone edits config.yaml in an editor. */
    public void editOutside(String yamlText) throws IOException {
        Files.writeString(configFile, yamlText, StandardCharsets.UTF_8);
        try {
            GatewayConfig next = ConfigLoader.parse(yamlText, configFile.toString()).config();
            List<ConfigProblem> refused = validate(next);
            if (!refused.isEmpty()) {
                throw new ConfigException(refused);
            }
            reload(next);
            configState.set(new ConfigState(next, yamlText, List.of()));
        } catch (ConfigException e) {
            ConfigState last = configState.get();
            configState.set(new ConfigState(last.config(), last.yamlText(), e.problems()));
        }
    }

    @Override
    public GatewayConfig config() {
        return config;
    }

    @Override
    public Path configFile() {
        return configFile;
    }

    @Override
    public Observable<GatewayStatus> status() {
        return status;
    }

    @Override
    public MetricsQueries metrics() {
        return metrics;
    }

    public InMemoryMetrics store() {
        return metrics;
    }

    @Override
    public Observable<ConfigState> configState() {
        return configState;
    }

    public int starts() {
        return starts.get();
    }
}
