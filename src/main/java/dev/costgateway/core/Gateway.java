package dev.costgateway.core;

import dev.costgateway.core.observe.Observable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.ConfigProblem;
import dev.costgateway.core.config.ConfigValidator;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.proxy.MessagePolicy;
import dev.costgateway.core.proxy.ProxyServer;
import dev.costgateway.core.proxy.UpstreamClient;
import dev.costgateway.core.time.GatewayClock;

/**
 * The running gateway: configuration, proxy listener, upstream client, policy (routing, caches, escalation,
 * pricing) and metrics, behind the {@link GatewayControl} facade. One instance per process.
 * Thread-safe: lifecycle methods are synchronized; requests read the configuration through one atomic reference.
 */
public final class Gateway implements GatewayControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    static {
        // Jetty's thread pools pad their queues by the references per cache line; unless told, Jetty asks the
        // platform MBean server whether oops are compressed, which starts JMX: about 130 ms of a 2 s start on
        // 2 cores. The answer only sizes padding; below 32 GB of heap HotSpot compresses oops by default.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            boolean compressedOops = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", compressedOops ? "16" : "8");
        }
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Start-up options; overrides win over the file on every (re)load.
     *
     * @param hostOverride     {@code --host}, or null
     * @param portOverride     {@code --port}, or null
     * @param upstreamOverride {@code --upstream} or env {@code GATEWAY_UPSTREAM_URL}, or null
     */
    public record Options(Path configFile, Path dataDir, String hostOverride, Integer portOverride,
                          String upstreamOverride, Supplier<String> envApiKey, GatewayClock clock,
                          boolean loadEmbedder) {
        public Options {
            Objects.requireNonNull(configFile);
            Objects.requireNonNull(dataDir);
            envApiKey = envApiKey == null ? () -> System.getenv("ANTHROPIC_API_KEY") : envApiKey;
            clock = clock == null ? GatewayClock.system() : clock;
        }

        /** Options that load the embedding model in the background (the product's default). */
        public Options(Path configFile, Path dataDir, String hostOverride, Integer portOverride,
                       String upstreamOverride, Supplier<String> envApiKey, GatewayClock clock) {
            this(configFile, dataDir, hostOverride, portOverride, upstreamOverride, envApiKey, clock, true);
        }

        /** The same options without the embedding model (semantic cache and layer 2 stay idle); for tests. */
        public Options withoutEmbedder() {
            return new Options(configFile, dataDir, hostOverride, portOverride, upstreamOverride, envApiKey, clock,
                    false);
        }
    }

    private final Options options;
    private final AtomicReference<GatewayConfig> config = new AtomicReference<>();
    private final Observable<GatewayStatus> status;
    private final Observable<ConfigState> configState;
    private final Instant startedAt;
    private final UpstreamClient upstream;
    private final DataDirLock dataDirLock;
    private final GatewayComponents components;
    /** Time of the newest stored record when the previous gateway had died (null otherwise): where the tail ends. */
    private final Instant previousLastRecord;
    private ProxyServer server;
    private Thread watcher;
    private volatile boolean closed;
    /** The latest reload, for /health: when, whether it was applied, and what happened. */
    private volatile ReloadOutcome lastReload;

    private record ReloadOutcome(Instant at, boolean applied, String detail) {
    }

    /** Loads (or creates) the config file; throws when it is invalid, naming file, line and key. */
    public static Gateway open(Options options) throws ConfigException, IOException {
        ConfigLoader.Result loaded = ConfigLoader.loadOrCreate(options.configFile());
        for (ConfigProblem w : loaded.warnings()) {
            LOG.warn("config: {}", w);
        }
        String text = Files.readString(options.configFile(), StandardCharsets.UTF_8);
        try {
            return new Gateway(options, loaded.config(), text);
        } catch (DataDirLock.InUseException e) {
            throw new DataDirInUseException(e);
        }
    }

    private Gateway(Options options, GatewayConfig fileConfig, String fileText) throws IOException {
        this.options = options;
        GatewayConfig effective = applyOverrides(fileConfig);
        config.set(effective);
        this.startedAt = options.clock().instant();
        this.status = new Observable<>(GatewayStatus.initial(effective.upstream().baseUrl().toString()));
        this.configState = new Observable<>(new ConfigState(fileConfig, fileText, List.of()));
        // first, before the model load or the database: a second gateway on this folder stops here, cleanly
        this.dataDirLock = DataDirLock.acquire(options.dataDir(), startedAt);
        if (!dataDirLock.uncleanPrevious().isEmpty()) {
            LOG.warn("the previous gateway on {} did not stop cleanly ({}); metrics of its last requests (those "
                    + "still queued, up to {} ms) may be missing; the database itself is intact",
                    options.dataDir(), dataDirLock.uncleanPrevious(), MetricsStore.MAX_UNWRITTEN_MILLIS);
        }
        // The metrics database opens (and migrates) on its own thread while the upstream client and the caches
        // are built: on 2 cores that is about a third of the time to "listening" (ADR 0052)
        CompletableFuture<MetricsStore> store = GatewayComponents.openStoreInBackground(effective.metrics(),
                options.dataDir(), options.clock());
        UpstreamClient client = null;
        try {
            client = new UpstreamClient(config::get);
            this.upstream = client;
            this.components = GatewayComponents.create(config::get, options.dataDir(), options.clock(), upstream,
                    status, options.loadEmbedder(), store);
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            // opened or not, nothing holds it any more
            store.thenAccept(MetricsStore::close);
            dataDirLock.close();
            throw e;
        }
        this.previousLastRecord = dataDirLock.uncleanPrevious().isEmpty() ? null
                : components.queries().requests(dev.costgateway.core.metrics.MetricsQueries.RequestQuery.latest(1))
                        .stream().findFirst().map(dev.costgateway.core.metrics.RequestRecord::timestamp).orElse(null);
    }

    /** Thrown by {@link #open} when another gateway holds the data folder. */
    public static final class DataDirInUseException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path dataDir;
        private final String holder;

        DataDirInUseException(DataDirLock.InUseException e) {
            super(e.getMessage(), e);
            this.dataDir = e.dataDir();
            this.holder = e.holder();
        }

        public Path dataDir() {
            return dataDir;
        }

        /** What the holder wrote ("pid 123, started ..., listening on ..."), or "" when unknown. */
        public String holder() {
            return holder;
        }
    }

    // ---- lifecycle ----

    @Override
    public synchronized void start() {
        if (server != null && server.isRunning()) {
            return;
        }
        status.update(st -> st.withProxy(GatewayStatus.ProxyState.STARTING, null, null));
        ProxyServer s = new ProxyServer(config::get, upstream, components::policy, components.recorder(),
                options.clock(), options.envApiKey(), this::health, components.httpHandler());
        try {
            s.start();
            server = s;
            dataDirLock.describe(s.url());
            status.update(st -> st.withProxy(GatewayStatus.ProxyState.RUNNING, s.url(), null));
            LOG.info("proxy started at {}", s.url());
        } catch (Exception e) {
            String reason = describeStartFailure(e);
            try {
                s.close();
            } catch (Exception ignored) {
                // nothing was started
            }
            server = null;
            status.update(st -> st.withProxy(GatewayStatus.ProxyState.FAILED, null, reason));
            LOG.error("cannot start the proxy: {}", reason);
        }
        // after the listener, so that the models' 1-2 s of CPU does not delay it (ADR 0052)
        components.loadModels();
        startWatcher();
        probeUpstream();
    }

    /**
     * Checks in the background that the upstream accepts TCP connections (no HTTP request, no key sent), so the
     * status bar can say whether it is reachable before the first request; traffic keeps it current after.
     */
    private void probeUpstream() {
        URI base = config.get().upstream().baseUrl();
        int port = base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
        int timeout = (int) Math.min(5000, config.get().upstream().connectTimeout().toMillis());
        Thread probe = new Thread(() -> {
            GatewayStatus.UpstreamState state;
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(base.getHost(), port), timeout);
                state = GatewayStatus.UpstreamState.REACHABLE;
            } catch (IOException | RuntimeException e) {
                state = GatewayStatus.UpstreamState.UNREACHABLE;
            }
            GatewayStatus.UpstreamState probed = state;
            // only if the upstream was not changed meanwhile (a reload probes the new one)
            status.update(st -> base.toString().equals(st.upstreamUrl()) ? st.withUpstream(probed, st.upstreamUrl())
                    : st);
        }, "upstream-probe");
        probe.setDaemon(true);
        probe.start();
    }

    private String describeStartFailure(Exception e) {
        GatewayConfig.Server s = config.get().server();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException) {
                return "cannot listen on " + s.host() + ":" + s.port() + ": " + c.getMessage()
                        + " (is another gateway running? change server.port or use --port)";
            }
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("error while stopping the proxy: {}", e.toString());
            }
            server = null;
        }
        status.update(st -> st.withProxy(GatewayStatus.ProxyState.STOPPED, null, null));
    }

    /** Stops everything; waits (bounded) for a model load in progress, so the JVM may exit afterwards. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        stop();
        try {
            components.close();
            upstream.close();
        } finally {
            dataDirLock.close();
        }
    }

    /** The listening port, or -1 when stopped. */
    public synchronized int port() {
        return server == null ? -1 : server.port();
    }

    public synchronized String url() {
        return server == null ? null : server.url();
    }

    // ---- configuration ----

    @Override
    public synchronized ReloadResult reload(GatewayConfig fileConfig) {
        ReloadResult result = applyReload(fileConfig);
        lastReload = new ReloadOutcome(options.clock().instant(), true, result.message());
        if (status.get().configProblem() != null) {
            status.update(st -> st.withConfigProblem(null));
        }
        return result;
    }

    private ReloadResult applyReload(GatewayConfig fileConfig) {
        GatewayConfig next = applyOverrides(fileConfig);
        GatewayConfig previous = config.getAndSet(next);
        components.reconfigure(next);
        boolean upstreamChanged = !previous.upstream().baseUrl().equals(next.upstream().baseUrl());
        if (upstreamChanged) {
            status.update(st -> st.withUpstream(GatewayStatus.UpstreamState.UNKNOWN,
                    next.upstream().baseUrl().toString()));
            probeUpstream();
        }
        boolean listenerChanged = !previous.server().host().equals(next.server().host())
                || previous.server().port() != next.server().port();
        if (listenerChanged && server != null) {
            stop();
            start();
            GatewayStatus st = status.get();
            return new ReloadResult(true, st.proxy() == GatewayStatus.ProxyState.RUNNING
                    ? "listener restarted on " + st.listeningUrl()
                    : "listener could not restart: " + st.error());
        }
        return new ReloadResult(false, "applied; in-flight requests finish on the previous settings");
    }

    @Override
    public synchronized ReloadResult saveAndReload(String yamlText) throws ConfigException, IOException {
        GatewayConfig parsed = parseForServing(yamlText).config();
        writeAtomically(options.configFile(), yamlText);
        configState.set(new ConfigState(parsed, yamlText, List.of()));
        return reload(parsed);
    }

    /** Reads file text and checks the rules across keys on what would be served (overrides applied). */
    private ConfigLoader.Result parseForServing(String yamlText) throws ConfigException {
        ConfigLoader.Result r = ConfigLoader.parse(yamlText, options.configFile().toString());
        List<ConfigProblem> problems = validate(r.config());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return r;
    }

    @Override
    public List<ConfigProblem> validate(GatewayConfig fileConfig) {
        return ConfigValidator.validate(applyOverrides(fileConfig), options.configFile().toString());
    }

    /** Writes via a temp file and a move; the previous file is kept as {@code <name>.bak}. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            if (Files.exists(file)) {
                Files.copy(file, dir.resolve(file.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Re-reads the file (called by the watcher); an invalid edit is reported, not applied. */
    void onConfigFileChanged() {
        String text;
        try {
            text = Files.readString(options.configFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // mid-write or deleted; the next event re-reads
        }
        ConfigState current = configState.get();
        if (text.equals(current.yamlText())) {
            if (!current.rejected().isEmpty()) {
                configState.update(cur -> cur.yamlText().equals(text) ? new ConfigState(cur.config(), text, List.of())
                        : cur);
                status.update(st -> st.withConfigProblem(null)); // the file is back to what is in force
            }
            return;
        }
        try {
            ConfigLoader.Result r = parseForServing(text);
            configState.set(new ConfigState(r.config(), text, List.of()));
            ReloadResult result = reload(r.config());
            LOG.info("config file changed: {}", result.message());
        } catch (ConfigException e) {
            LOG.warn("config file edit refused, keeping the previous settings:\n{}", e.getMessage());
            // keep whatever is in force now (a save may have landed meanwhile), only mark the edit as refused
            configState.update(cur -> new ConfigState(cur.config(), cur.yamlText(), e.problems()));
            String first = e.problems().isEmpty() ? e.getMessage() : e.problems().get(0).toString();
            String problem = "edit of " + options.configFile() + " refused (" + first
                    + "); the previous settings stay in force";
            lastReload = new ReloadOutcome(options.clock().instant(), false, problem);
            status.update(st -> st.withConfigProblem(problem));
        }
    }

    private void startWatcher() {
        if (watcher != null || closed) {
            return;
        }
        Path dir = options.configFile().toAbsolutePath().getParent();
        Path name = options.configFile().getFileName();
        WatchService ws;
        try {
            // registered here, before start() returns, so no edit made after start can be missed
            ws = FileSystems.getDefault().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            LOG.warn("cannot watch {} for outside edits: {}", options.configFile(), e.toString());
            return;
        }
        watcher = new Thread(() -> {
            try (ws) {
                while (!closed) {
                    WatchKey key = ws.take();
                    boolean ours = key.pollEvents().stream().anyMatch(ev -> name.equals(ev.context()));
                    key.reset();
                    if (ours) {
                        Thread.sleep(100); // let the writer finish; editors write in several steps
                        onConfigFileChanged();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                LOG.warn("config file watch stopped: {}", e.toString());
            }
        }, "config-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private GatewayConfig applyOverrides(GatewayConfig c) {
        GatewayConfig.Server s = c.server();
        GatewayConfig.Server server = new GatewayConfig.Server(
                options.hostOverride() != null ? options.hostOverride() : s.host(),
                options.portOverride() != null ? options.portOverride() : s.port(),
                s.maxBodyBytes(), s.authToken());
        GatewayConfig.Upstream u = c.upstream();
        URI base = u.baseUrl();
        if (options.upstreamOverride() != null && !options.upstreamOverride().isBlank()) {
            String o = options.upstreamOverride().trim();
            base = URI.create(o.endsWith("/") ? o.substring(0, o.length() - 1) : o);
        }
        GatewayConfig.Upstream upstreamCfg = new GatewayConfig.Upstream(base, u.apiKey(), u.timeout(),
                u.connectTimeout());
        return new GatewayConfig(server, upstreamCfg, c.routing(), c.classifier(), c.useHaikuClassifier(),
                c.maxEscalations(), c.escalation(), c.cache(), c.metrics(), c.tiers(), c.pricing(), c.models(),
                c.budgets());
    }

    // ---- facade ----

    @Override
    public GatewayConfig config() {
        return config.get();
    }

    @Override
    public Path configFile() {
        return options.configFile();
    }

    @Override
    public Observable<GatewayStatus> status() {
        return status;
    }

    @Override
    public Observable<ConfigState> configState() {
        return configState;
    }

    @Override
    public java.util.List<dev.costgateway.core.budget.BudgetState> budgets() {
        return components.budgets().states();
    }

    @Override
    public java.time.ZoneId budgetZone() {
        return components.budgets().zone();
    }

    @Override
    public boolean allowBudget(String name, java.time.Duration duration) {
        return components.budgets().allowFor(name, duration);
    }

    @Override
    public Observable.Subscription onBudgetAlert(java.util.function.Consumer<dev.costgateway.core.budget.BudgetAlert> l) {
        return components.budgets().addAlertListener(l);
    }

    @Override
    public MetricsQueries metrics() {
        return components.queries();
    }

    @Override
    public boolean rejectSemanticHit(String queryId) {
        return components.rejectSemanticHit(queryId);
    }

    @Override
    public boolean canReaskSemanticHit(String queryId) {
        return components.canReaskSemanticHit(queryId);
    }

    @Override
    public dev.costgateway.core.proxy.SemanticReplays.Replay reaskSemanticHit(String queryId) {
        return components.reaskSemanticHit(queryId).join();
    }

    @Override
    public dev.costgateway.core.routing.RecordedTraffic routingTraffic(java.time.Instant from, java.time.Instant to) {
        return components.routingTraffic(from, to);
    }

    @Override
    public GatewayClock clock() {
        return options.clock();
    }

    public MetricsRecorder recorder() {
        return components.recorder();
    }

    /** Blocks until every metrics record queued so far is stored (for tests and exports that must be complete). */
    public void flushMetrics() {
        components.flushMetrics();
    }

    public static String version() {
        String v = Gateway.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The full {@code /health} report: every dependency's state in one place. Behind the token when one is set;
     * callers without it get {@code {"status":"ok"}} only ({@code ProxyServer.LIVENESS}).
     */
    private ObjectNode health() {
        ObjectNode h = JSON.createObjectNode();
        GatewayStatus st = status.get();
        GatewayConfig cfg = config.get();
        h.put("status", "ok");
        h.put("version", version());
        h.put("uptime_seconds", Duration.between(startedAt, options.clock().instant()).toSeconds());
        h.put("upstream", cfg.upstream().baseUrl().toString());
        h.put("upstream_state", lower(st.upstream()));
        h.put("routing", lower(cfg.routing().mode()));
        h.put("embedder", lower(st.embedder()));
        components.describeHealth(h);
        h.set("budgets", dev.costgateway.core.budget.BudgetsHandler.json(components.budgets().states(),
                components.budgets().zone()).get("budgets"));
        h.put("metrics_dropped", components.recorder().droppedRecords());
        if (!dataDirLock.uncleanPrevious().isEmpty()) {
            ObjectNode p = h.putObject("previous_run");
            p.put("stopped_cleanly", false);
            p.put("holder", dataDirLock.uncleanPrevious());
            if (previousLastRecord != null) {
                p.put("last_record", previousLastRecord.toString());
            }
            p.put("lost_tail", "it was killed: the records of its last requests (those still queued, answered up to "
                    + MetricsStore.MAX_UNWRITTEN_MILLIS + " ms before the kill) are missing; the database is intact");
        }
        ObjectNode c = h.putObject("config");
        c.put("file", options.configFile().toString());
        ReloadOutcome r = lastReload;
        c.put("in_force", st.configProblem() == null ? "file" : "previous settings");
        if (r == null) {
            c.put("last_reload", "none");
        } else {
            c.put("last_reload", r.applied() ? "applied" : "refused");
            c.put("last_reload_at", r.at().toString());
            c.put("last_reload_detail", r.detail());
        }
        if (st.configProblem() != null) {
            c.put("problem", st.configProblem());
        }
        return h;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Handler for the metrics endpoints, for tests that mount it elsewhere. */
    Handler metricsHandler() {
        return components.httpHandler();
    }

    /** The policy in force (for tests). */
    MessagePolicy policy() {
        return components.policy();
    }
}
