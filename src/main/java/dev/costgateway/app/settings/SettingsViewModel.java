package dev.costgateway.app.settings;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.settings.SettingField.Kind;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.GatewayControl.ConfigState;
import dev.costgateway.core.observe.Observable;
import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.ConfigProblem;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.config.YamlConfigEditor;

/**
 * The settings form over every config key. The values are checked by the core's own loader on the YAML the
 * form would write, so the rules (and their wording) are the core's. Save edits the file text in place with
 * {@link YamlConfigEditor} (comments, order and unknown keys survive) and hands it to
 * {@link GatewayControl#saveAndReload}. Outside edits arrive through {@link GatewayControl#configState()}.
 */
public final class SettingsViewModel {

    private final GatewayControl control;
    private final UiTasks tasks;
    private final List<SettingGroup> groups;
    private final Map<String, SettingField> byKey = new LinkedHashMap<>();
    private final Map<String, Function<GatewayConfig, Object>> readers = new LinkedHashMap<>();
    private final ObservableList<ModelPriceRow> models =
            FXCollections.observableArrayList(ModelPriceRow::observables);
    private List<String> originalModels = List.of();
    private Observable.Subscription subscription;
    private ConfigState current;
    private ConfigState pendingOutside;
    private String baseText = "";
    private String savingText;
    private boolean loading;

    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper saving = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper messageIsError = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper rejectedBanner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper outsideChangeBanner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper generalError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper modelsError = new ReadOnlyStringWrapper("");
    private final BooleanBinding canSave;

    public SettingsViewModel(GatewayControl control, UiTasks tasks) {
        this.control = control;
        this.tasks = tasks;
        Map<String, String> help = ConfigHelp.fromDefaults();
        this.groups = List.of(
                group("Server", help,
                        f("server.host", "Listen address", Kind.TEXT, c -> c.server().host()),
                        f("server.port", "Port", Kind.INTEGER, c -> c.server().port()),
                        f("server.max_body_bytes", "Max request body (bytes)", Kind.INTEGER,
                                c -> c.server().maxBodyBytes()),
                        f("server.auth_token", "Client auth token", Kind.SECRET, c -> c.server().authToken())),
                group("Upstream", help,
                        f("upstream.base_url", "Base URL", Kind.TEXT, c -> c.upstream().baseUrl()),
                        f("upstream.api_key", "API key (fallback)", Kind.SECRET, c -> c.upstream().apiKey()),
                        f("upstream.timeout_seconds", "Timeout (s)", Kind.INTEGER,
                                c -> c.upstream().timeout().toSeconds()),
                        f("upstream.connect_timeout_seconds", "Connect timeout (s)", Kind.INTEGER,
                                c -> c.upstream().connectTimeout().toSeconds())),
                group("Routing & classifier", help,
                        choice("routing.mode", "Routing mode", List.of("auto", "off"), c -> c.routing().mode()),
                        f("routing.allow_upgrade", "Allow upgrade above requested model", Kind.BOOLEAN,
                                c -> c.routing().allowUpgrade()),
                        f("routing.long_context_tokens", "Long context from (tokens)", Kind.INTEGER,
                                c -> c.routing().longContextTokens()),
                        f("routing.many_turns", "Many turns from (messages)", Kind.INTEGER,
                                c -> c.routing().manyTurns()),
                        f("routing.conservative_tools", "Keep ceiling for tool use", Kind.BOOLEAN,
                                c -> c.routing().conservativeTools()),
                        f("routing.conservative_thinking", "Keep ceiling for extended thinking", Kind.BOOLEAN,
                                c -> c.routing().conservativeThinking()),
                        f("routing.conservative_media", "Keep ceiling for images and documents", Kind.BOOLEAN,
                                c -> c.routing().conservativeMedia()),
                        f("routing.conservative_long_context", "Keep ceiling for long context", Kind.BOOLEAN,
                                c -> c.routing().conservativeLongContext()),
                        f("routing.conservative_many_turns", "Keep ceiling for many turns", Kind.BOOLEAN,
                                c -> c.routing().conservativeManyTurns()),
                        f("routing.premium_share", "Share of traffic to premium", Kind.DECIMAL,
                                c -> c.routing().premiumShare()),
                        f("routing.fast_share", "Share of traffic to fast", Kind.DECIMAL,
                                c -> c.routing().fastShare()),
                        f("routing.thresholds.premium", "Premium score threshold (empty: use the share)", Kind.TEXT,
                                c -> c.routing().premiumThreshold() == null ? "" : c.routing().premiumThreshold()),
                        f("routing.thresholds.fast", "Fast score threshold (empty: use the share)", Kind.TEXT,
                                c -> c.routing().fastThreshold() == null ? "" : c.routing().fastThreshold()),
                        f("classifier.heuristic_confidence", "Heuristic confidence", Kind.DECIMAL,
                                c -> c.classifier().heuristicConfidence()),
                        f("classifier.embedding_threshold", "Embedding threshold", Kind.DECIMAL,
                                c -> c.classifier().embeddingThreshold()),
                        f("classifier.llm_timeout_ms", "LLM classifier timeout (ms)", Kind.INTEGER,
                                c -> c.classifier().llmTimeout().toMillis()),
                        f("classifier.llm_tie_margin", "LLM tie-break margin (share)", Kind.DECIMAL,
                                c -> c.classifier().llmTieMargin()),
                        f("use_haiku_classifier", "Ask the fast model near a threshold", Kind.BOOLEAN,
                                GatewayConfig::useHaikuClassifier)),
                group("Escalation", help,
                        f("max_escalations", "Max escalations", Kind.INTEGER, GatewayConfig::maxEscalations),
                        f("escalation.on_truncation", "Escalate truncated answers", Kind.BOOLEAN,
                                c -> c.escalation().onTruncation()),
                        f("escalation.phrases", "Escalation phrases", Kind.LIST, c -> c.escalation().phrases()),
                        f("escalation.hedge_words", "Hedge words", Kind.LIST, c -> c.escalation().hedgeWords()),
                        f("escalation.hedge_threshold", "Hedge threshold", Kind.INTEGER,
                                c -> c.escalation().hedgeThreshold()),
                        choice("escalation.streaming", "Streams", List.of("off", "buffer"),
                                c -> c.escalation().streaming())),
                group("Cache", help,
                        f("cache.enabled", "Exact cache", Kind.BOOLEAN, c -> c.cache().enabled()),
                        choice("cache.scope", "Sharing scope", List.of("key", "global"), c -> c.cache().scope()),
                        f("cache.max_entries", "Max entries", Kind.INTEGER, c -> c.cache().maxEntries()),
                        f("cache.exact_ttl", "Exact TTL (s)", Kind.INTEGER, c -> c.cache().exactTtl().toSeconds()),
                        f("cache.cache_tool_use", "Cache tool_use answers", Kind.BOOLEAN,
                                c -> c.cache().cacheToolUse()),
                        f("cache.redis_url", "Redis URL", Kind.TEXT, c -> c.cache().redisUrl()),
                        f("cache.use_semantic_cache", "Semantic cache", Kind.BOOLEAN,
                                c -> c.cache().useSemanticCache()),
                        f("cache.semantic_threshold", "Semantic threshold", Kind.DECIMAL,
                                c -> c.cache().semanticThreshold()),
                        f("cache.semantic_ttl", "Semantic TTL (s)", Kind.INTEGER,
                                c -> c.cache().semanticTtl().toSeconds()),
                        f("cache.semantic_max_entries", "Semantic max entries", Kind.INTEGER,
                                c -> c.cache().semanticMaxEntries()),
                        f("cache.embedding_model", "Embedding model", Kind.TEXT, c -> c.cache().embeddingModel())),
                group("Models & prices", help,
                        f("tiers.fast.model", "Fast tier model", Kind.TEXT, c -> c.modelFor(Tier.FAST)),
                        f("tiers.fast.prefixes", "Fast tier prefixes", Kind.LIST,
                                c -> c.tiers().get(Tier.FAST).prefixes()),
                        f("tiers.balanced.model", "Balanced tier model", Kind.TEXT, c -> c.modelFor(Tier.BALANCED)),
                        f("tiers.balanced.prefixes", "Balanced tier prefixes", Kind.LIST,
                                c -> c.tiers().get(Tier.BALANCED).prefixes()),
                        f("tiers.premium.model", "Premium tier model", Kind.TEXT, c -> c.modelFor(Tier.PREMIUM)),
                        f("tiers.premium.prefixes", "Premium tier prefixes", Kind.LIST,
                                c -> c.tiers().get(Tier.PREMIUM).prefixes()),
                        f("pricing.cache_write_5m_multiplier", "Cache write 5 min ×", Kind.DECIMAL,
                                c -> c.pricing().cacheWrite5mMultiplier()),
                        f("pricing.cache_write_1h_multiplier", "Cache write 1 h ×", Kind.DECIMAL,
                                c -> c.pricing().cacheWrite1hMultiplier()),
                        f("pricing.cache_read_multiplier", "Cache read ×", Kind.DECIMAL,
                                c -> c.pricing().cacheReadMultiplier())),
                group("Metrics & privacy", help,
                        f("metrics.jdbc_url", "JDBC URL", Kind.TEXT, c -> c.metrics().jdbcUrl()),
                        f("metrics.store_text", "Store prompt and answer previews", Kind.BOOLEAN,
                                c -> c.metrics().storeText()),
                        f("metrics.text_preview_chars", "Preview length (chars)", Kind.INTEGER,
                                c -> c.metrics().textPreviewChars()),
                        f("metrics.retention_days", "Retention (days)", Kind.INTEGER,
                                c -> c.metrics().retentionDays()),
                        f("metrics.queue_capacity", "Write queue capacity", Kind.INTEGER,
                                c -> c.metrics().queueCapacity())));
        for (SettingField field : byKey.values()) {
            field.textProperty().addListener(o -> revalidate());
            field.flagProperty().addListener(o -> revalidate());
            field.items().addListener((javafx.beans.Observable o) -> revalidate());
        }
        models.addListener((javafx.beans.Observable o) -> revalidate());
        canSave = valid.and(dirty).and(saving.not());
    }

    // ---- field table ----

    private record Spec(String key, String label, Kind kind, List<String> choices, Function<GatewayConfig, Object> read) {
    }

    private static Spec f(String key, String label, Kind kind, Function<GatewayConfig, Object> read) {
        return new Spec(key, label, kind, List.of(), read);
    }

    private static Spec choice(String key, String label, List<String> choices, Function<GatewayConfig, Object> read) {
        return new Spec(key, label, Kind.CHOICE, choices, c -> String.valueOf(read.apply(c)).toLowerCase(Locale.ROOT));
    }

    private SettingGroup group(String title, Map<String, String> help, Spec... specs) {
        List<SettingField> fields = new ArrayList<>();
        for (Spec s : specs) {
            SettingField field = new SettingField(s.key(), s.label(), help.getOrDefault(s.key(), ""), s.kind(),
                    s.choices());
            fields.add(field);
            byKey.put(s.key(), field);
            readers.put(s.key(), s.read());
        }
        return new SettingGroup(title, fields);
    }

    // ---- lifecycle ----

    /** Follows the configuration in force (reloads and outside edits). */
    public void activate() {
        if (subscription == null) {
            subscription = control.configState().subscribe(s -> tasks.onUi(() -> onConfigState(s)));
        }
    }

    public void deactivate() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    private void onConfigState(ConfigState state) {
        rejectedBanner.set(state.rejected().isEmpty() ? ""
                : "config.yaml was edited outside the app but has errors, so it was not applied: "
                        + state.rejected().stream().map(p -> (p.line() > 0 ? "line " + p.line() + ": " : "")
                                + p.key() + " " + p.message()).collect(Collectors.joining("; ")));
        if (state.yamlText().equals(baseText) && current != null) {
            current = state;
            return;
        }
        boolean ours = state.yamlText().equals(savingText);
        if (current == null || ours || !dirty.get()) {
            boolean outside = current != null && !ours;
            load(state);
            if (outside) {
                info("Loaded the changes made to config.yaml outside the app.");
            }
        } else {
            pendingOutside = state;
            outsideChangeBanner.set("config.yaml changed outside the app. Your unsaved edits are kept; "
                    + "Discard them to load the file.");
        }
    }

    private void load(ConfigState state) {
        loading = true;
        try {
            current = state;
            pendingOutside = null;
            baseText = state.yamlText();
            outsideChangeBanner.set("");
            GatewayConfig c = state.config();
            for (var e : readers.entrySet()) {
                Object v = e.getValue().apply(c);
                byKey.get(e.getKey()).load(v instanceof List<?> || v instanceof Boolean ? v : String.valueOf(v));
            }
            models.setAll(c.models().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> new ModelPriceRow(e.getKey(), plain(e.getValue().inputPerMTok()),
                            plain(e.getValue().outputPerMTok())))
                    .toList());
            originalModels = models.stream().map(ModelPriceRow::signature).toList();
        } finally {
            loading = false;
        }
        revalidate();
    }

    private static String plain(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    // ---- validation ----

    private boolean modelsDirty() {
        return !models.stream().map(ModelPriceRow::signature).toList().equals(originalModels);
    }

    /** The text Save would write: the current file with the changed values edited in. */
    public String candidateText() {
        YamlConfigEditor editor = YamlConfigEditor.of(baseText);
        for (SettingField field : byKey.values()) {
            if (field.dirtyProperty().get()) {
                editor.set(field.key(), field.value());
            }
        }
        if (modelsDirty()) {
            Map<String, Object> prices = new LinkedHashMap<>();
            for (ModelPriceRow row : models) {
                Map<String, Object> price = new LinkedHashMap<>();
                price.put("input", number(row.inputProperty().get()));
                price.put("output", number(row.outputProperty().get()));
                prices.put(row.modelProperty().get().trim(), price);
            }
            editor.set(List.of("models"), prices);
        }
        return editor.text();
    }

    private static Object number(String text) {
        String t = text == null ? "" : text.trim();
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return t;
        }
    }

    private void revalidate() {
        if (loading) {
            return;
        }
        boolean anyDirty = byKey.values().stream().anyMatch(f -> f.dirtyProperty().get()) || modelsDirty();
        dirty.set(anyDirty);
        List<ConfigProblem> problems = new ArrayList<>();
        String modelsProblem = checkModelIds();
        if (modelsProblem == null) {
            try {
                problems.addAll(ConfigLoader.validate(candidateText()));
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem("<form>", 0, "(form)", e.getMessage()));
            }
        }
        showProblems(problems, modelsProblem);
    }

    private String checkModelIds() {
        Set<String> seen = new HashSet<>();
        for (ModelPriceRow row : models) {
            String id = row.modelProperty().get() == null ? "" : row.modelProperty().get().trim();
            if (id.isEmpty()) {
                return "every model needs an id";
            }
            if (!seen.add(id)) {
                return "model " + id + " is listed twice";
            }
        }
        return null;
    }

    private void showProblems(List<ConfigProblem> problems, String modelsProblem) {
        Map<String, List<String>> byField = new LinkedHashMap<>();
        List<String> modelProblems = new ArrayList<>();
        List<String> general = new ArrayList<>();
        if (modelsProblem != null) {
            modelProblems.add(modelsProblem);
        }
        for (ConfigProblem p : problems) {
            if (byKey.containsKey(p.key())) {
                byField.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.message());
            } else if (p.key().startsWith("models")) {
                modelProblems.add(p.key().substring(Math.min(p.key().length(), "models.".length())) + ": "
                        + p.message());
            } else {
                general.add(p.key() + ": " + p.message());
            }
        }
        for (SettingField field : byKey.values()) {
            List<String> msgs = byField.get(field.key());
            field.setError(msgs == null ? "" : String.join("; ", msgs));
        }
        modelsError.set(String.join("\n", modelProblems));
        generalError.set(String.join("\n", general));
        valid.set(problems.isEmpty() && modelProblems.isEmpty());
    }

    // ---- commands ----

    public void save() {
        if (!canSave.get()) {
            return;
        }
        String text = candidateText();
        savingText = text;
        saving.set(true);
        info("Saving…");
        tasks.run(() -> control.saveAndReload(text), result -> {
            saving.set(false);
            if (!text.equals(baseText)) {
                try {
                    load(new ConfigState(ConfigLoader.parse(text, control.configFile().toString()).config(), text,
                            List.of()));
                } catch (ConfigException e) {
                    showProblems(e.problems(), null);
                }
            }
            savingText = null;
            info(result.message());
        }, e -> {
            saving.set(false);
            savingText = null;
            if (e instanceof ConfigException ce) {
                showProblems(ce.problems(), null);
                fail("Not saved: " + ce.problems().size() + " problem(s), see the marked fields.");
            } else if (e instanceof IOException io) {
                fail("Could not write " + control.configFile() + ": " + io.getMessage());
            } else {
                fail("Could not save: " + e.getMessage());
            }
        });
    }

    /** Drops unsaved edits and shows the configuration in force (including an outside edit held back). */
    public void discardChanges() {
        ConfigState target = pendingOutside != null ? pendingOutside : current;
        if (target != null) {
            load(target);
            info("");
        }
    }

    public void addModel() {
        models.add(new ModelPriceRow("", "", ""));
    }

    public void removeModel(ModelPriceRow row) {
        models.remove(row);
    }

    private void info(String text) {
        messageIsError.set(false);
        message.set(text);
    }

    private void fail(String text) {
        messageIsError.set(true);
        message.set(text);
    }

    // ---- properties ----

    public List<SettingGroup> groups() {
        return groups;
    }

    /** The field for a dotted key, e.g. {@code escalation.phrases}. */
    public SettingField field(String key) {
        SettingField f = byKey.get(key);
        if (f == null) {
            throw new IllegalArgumentException("no field " + key);
        }
        return f;
    }

    public ObservableList<ModelPriceRow> models() {
        return models;
    }

    public BooleanBinding canSaveBinding() {
        return canSave;
    }

    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty savingProperty() {
        return saving.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty messageIsErrorProperty() {
        return messageIsError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty rejectedBannerProperty() {
        return rejectedBanner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty outsideChangeBannerProperty() {
        return outsideChangeBanner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty generalErrorProperty() {
        return generalError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modelsErrorProperty() {
        return modelsError.getReadOnlyProperty();
    }

    /** How many fields have a problem; for a summary next to Save. */
    public int invalidCount() {
        return (int) byKey.values().stream().filter(f -> !f.errorProperty().get().isEmpty()).count()
                + (modelsError.get().isEmpty() ? 0 : 1);
    }
}
