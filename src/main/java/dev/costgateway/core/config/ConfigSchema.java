package dev.costgateway.core.config;

import static dev.costgateway.core.config.ConfigSchema.Section.BUDGETS;
import static dev.costgateway.core.config.ConfigSchema.Section.CACHE;
import static dev.costgateway.core.config.ConfigSchema.Section.ESCALATION;
import static dev.costgateway.core.config.ConfigSchema.Section.METRICS;
import static dev.costgateway.core.config.ConfigSchema.Section.MODELS;
import static dev.costgateway.core.config.ConfigSchema.Section.ROUTING;
import static dev.costgateway.core.config.ConfigSchema.Section.SERVER;
import static dev.costgateway.core.config.ConfigSchema.Section.UPSTREAM;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every key of {@code config.yaml}, once: path, type with range or choices, default, and the help text the
 * settings form and the README show. {@link ConfigLoader} reads files by it, the settings form builds its fields
 * from it, and tests hold {@code default-config.yaml} and the README's key table to it.
 *
 * <p>Adding a key: one row here (in file order), one line in {@code default-config.yaml}, one record component
 * in {@link GatewayConfig} filled in {@link #build}. Rules that relate several keys go in {@link ConfigValidator}.
 */
public final class ConfigSchema {

    /** The settings form's sections, in the order it shows them. */
    public enum Section {
        SERVER("Server"),
        UPSTREAM("Upstream"),
        ROUTING("Routing & classifier"),
        ESCALATION("Escalation"),
        CACHE("Cache"),
        MODELS("Models & prices"),
        METRICS("Metrics & privacy"),
        BUDGETS("Budgets");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    private static final List<ConfigKey<?>> KEYS = new ArrayList<>();

    // ---- server ----
    public static final ConfigKey<String> SERVER_HOST = key("server.host", SERVER, "Listen address",
            ValueType.text(s -> s.isBlank() ? "must not be empty" : null), "127.0.0.1",
            "Address the proxy listens on; anything but loopback requires `server.auth_token`.");
    public static final ConfigKey<Integer> SERVER_PORT = key("server.port", SERVER, "Port",
            ValueType.integer(0, 65535), 8000, "Listen port (`0` = any free port).");
    public static final ConfigKey<Long> SERVER_MAX_BODY_BYTES = key("server.max_body_bytes", SERVER,
            "Max request body (bytes)", ValueType.longInteger(1, Long.MAX_VALUE), 33_554_432L,
            "Largest request body accepted, in bytes (32 MiB, the Messages API limit).");
    public static final ConfigKey<String> SERVER_AUTH_TOKEN = key("server.auth_token", SERVER, "Client auth token",
            ValueType.secret(), "",
            "Token clients must send as `X-Gateway-Token` or `Proxy-Authorization: Bearer`; stripped before "
                    + "forwarding. Empty = no check (loopback only).");

    // ---- upstream ----
    public static final ConfigKey<URI> UPSTREAM_BASE_URL = key("upstream.base_url", UPSTREAM, "Base URL",
            ValueType.httpUrl(), URI.create("https://api.anthropic.com"),
            "Where requests go; `--upstream` and env `GATEWAY_UPSTREAM_URL` override it.");
    public static final ConfigKey<String> UPSTREAM_API_KEY = key("upstream.api_key", UPSTREAM,
            "API key (fallback)", ValueType.secret(), "",
            "Injected only when a client sends no key (env `ANTHROPIC_API_KEY` wins). Never logged.");
    public static final ConfigKey<Duration> UPSTREAM_TIMEOUT = key("upstream.timeout_seconds", UPSTREAM,
            "Timeout (s)", ValueType.seconds(1, 86_400), Duration.ofSeconds(600),
            "Total time for a non-streaming exchange, idle time for a stream, in seconds (like the official SDKs).");
    public static final ConfigKey<Duration> UPSTREAM_CONNECT_TIMEOUT = key("upstream.connect_timeout_seconds",
            UPSTREAM, "Connect timeout (s)", ValueType.seconds(1, 600), Duration.ofSeconds(10),
            "TCP connect timeout in seconds (applied at start).");

    // ---- routing ----
    public static final ConfigKey<GatewayConfig.RoutingMode> ROUTING_MODE = key("routing.mode", ROUTING,
            "Routing mode", ValueType.choice(GatewayConfig.RoutingMode.class), GatewayConfig.RoutingMode.AUTO,
            "`auto` answers with the cheapest tier that can handle the request, never dearer than the requested "
                    + "model; `off` forwards the client's model unchanged.");
    public static final ConfigKey<Boolean> ROUTING_ALLOW_UPGRADE = key("routing.allow_upgrade", ROUTING,
            "Allow upgrade above requested model", ValueType.bool(), false,
            "Let routing pick a tier above the requested model.");
    public static final ConfigKey<Integer> ROUTING_LONG_CONTEXT_TOKENS = key("routing.long_context_tokens", ROUTING,
            "Long context from (tokens)", ValueType.integer(1, 10_000_000), 50_000,
            "Estimated input tokens above which a request counts as long context.");
    public static final ConfigKey<Integer> ROUTING_MANY_TURNS = key("routing.many_turns", ROUTING,
            "Many turns from (messages)", ValueType.integer(1, 100_000), 12,
            "Messages from which a conversation counts as \"many turns\".");
    public static final ConfigKey<Boolean> ROUTING_CONSERVATIVE_TOOLS = key("routing.conservative_tools", ROUTING,
            "Keep ceiling for tool use", ValueType.bool(), true, "Keep the requested model when `tools` are present.");
    public static final ConfigKey<Boolean> ROUTING_CONSERVATIVE_THINKING = key("routing.conservative_thinking",
            ROUTING, "Keep ceiling for extended thinking", ValueType.bool(), true,
            "Keep it when extended thinking is enabled.");
    public static final ConfigKey<Boolean> ROUTING_CONSERVATIVE_MEDIA = key("routing.conservative_media", ROUTING,
            "Keep ceiling for images and documents", ValueType.bool(), true,
            "Keep it when images or documents are attached.");
    public static final ConfigKey<Boolean> ROUTING_CONSERVATIVE_LONG_CONTEXT = key(
            "routing.conservative_long_context", ROUTING, "Keep ceiling for long context", ValueType.bool(), true,
            "Keep it for long context.");
    public static final ConfigKey<Boolean> ROUTING_CONSERVATIVE_MANY_TURNS = key("routing.conservative_many_turns",
            ROUTING, "Keep ceiling for many turns", ValueType.bool(), true, "Keep it for many turns.");
    public static final ConfigKey<Double> ROUTING_PREMIUM_SHARE = key("routing.premium_share", ROUTING,
            "Share of traffic to premium", ValueType.decimal(0, 1), GatewayConfig.Routing.DEFAULT_PREMIUM_SHARE,
            "The knob: about this share of the reference traffic goes to premium (score thresholds by quantile "
                    + "calibration, see docs/routing-eval.md).");
    public static final ConfigKey<Double> ROUTING_FAST_SHARE = key("routing.fast_share", ROUTING,
            "Share of traffic to fast", ValueType.decimal(0, 1), GatewayConfig.Routing.DEFAULT_FAST_SHARE,
            "About this share of the reference traffic goes to fast; the rest goes to balanced.");
    public static final ConfigKey<Optional<Double>> ROUTING_THRESHOLD_PREMIUM = key("routing.thresholds.premium", ROUTING,
            "Premium score threshold (empty: use the share)", ValueType.optionalDecimal(0, 1), Optional.empty(),
            "Experts: P(needs premium) at or above this goes to premium; overrides `premium_share` when set.");
    public static final ConfigKey<Optional<Double>> ROUTING_THRESHOLD_FAST = key("routing.thresholds.fast", ROUTING,
            "Fast score threshold (empty: use the share)", ValueType.optionalDecimal(0, 1), Optional.empty(),
            "Experts: P(needs at least balanced) below this goes to fast; overrides `fast_share` when set.");
    public static final ConfigKey<GatewayConfig.SessionRouting> ROUTING_SESSIONS = key("routing.sessions", ROUTING,
            "Agent sessions", ValueType.choice(GatewayConfig.SessionRouting.class),
            GatewayConfig.SessionRouting.STICKY,
            "`sticky`: a tool-bearing session's tier is decided on its first turn and kept, so its prompt cache stays "
                    + "on one model; a switch is taken only when it pays for re-writing the cached prefix (see "
                    + "[Agent sessions](#agent-sessions-sticky-routing)). `off`: every request is routed alone.");

    // ---- classifier ----
    public static final ConfigKey<Double> CLASSIFIER_HEURISTIC_CONFIDENCE = key("classifier.heuristic_confidence",
            ROUTING, "Heuristic confidence", ValueType.decimal(0, 1), 0.75,
            "Layer 1 (heuristic) decides alone at or above this confidence.");
    public static final ConfigKey<Double> CLASSIFIER_EMBEDDING_THRESHOLD = key("classifier.embedding_threshold",
            ROUTING, "Embedding threshold", ValueType.decimal(0, 1), 0.90,
            "Layer 2 (embedding kNN) decides when its nearest examples agree at or above this cosine.");
    public static final ConfigKey<Duration> CLASSIFIER_LLM_TIMEOUT = key("classifier.llm_timeout_ms", ROUTING,
            "LLM classifier timeout (ms)", ValueType.millis(1, 600_000), Duration.ofMillis(3000),
            "Layer 3 gives up after this many milliseconds (the score's tier stands).");
    public static final ConfigKey<Double> CLASSIFIER_LLM_TIE_MARGIN = key("classifier.llm_tie_margin", ROUTING,
            "LLM tie-break margin (share)", ValueType.decimal(0, 1),
            GatewayConfig.Classifier.DEFAULT_LLM_TIE_MARGIN,
            "Layer 3 (when on) is asked only for scores this close to a threshold, in shares of the reference "
                    + "traffic.");
    public static final ConfigKey<Boolean> USE_HAIKU_CLASSIFIER = key("use_haiku_classifier", ROUTING,
            "Ask the fast model near a threshold", ValueType.bool(), false,
            "Layer 3: ask the fast model SIMPLE/MODERATE/COMPLEX to break ties near a score threshold; its cost "
                    + "is recorded and charged against savings.");

    // ---- escalation ----
    public static final ConfigKey<Integer> MAX_ESCALATIONS = key("max_escalations", ESCALATION, "Max escalations",
            ValueType.integer(0, 10), 2, "Retries with a stronger tier per request.");
    public static final ConfigKey<Boolean> ESCALATION_ON_TRUNCATION = key("escalation.on_truncation", ESCALATION,
            "Escalate truncated answers", ValueType.bool(), true, "Escalate when `stop_reason` is `max_tokens`.");
    public static final ConfigKey<List<String>> ESCALATION_PHRASES = key("escalation.phrases", ESCALATION,
            "Escalation phrases", ValueType.list(),
            List.of("I'm not sure", "I cannot", "I don't have", "I'm unable"),
            "Escalate when the answer contains one of these (case-insensitive).");
    public static final ConfigKey<List<String>> ESCALATION_HEDGE_WORDS = key("escalation.hedge_words", ESCALATION,
            "Hedge words", ValueType.list(), List.of("perhaps", "possibly", "might", "allegedly"),
            "Hedging vocabulary, counted against `escalation.hedge_threshold`.");
    public static final ConfigKey<Integer> ESCALATION_HEDGE_THRESHOLD = key("escalation.hedge_threshold",
            ESCALATION, "Hedge threshold", ValueType.integer(0, 1_000_000), 5,
            "Escalate when hedge words occur more often than this in total.");
    public static final ConfigKey<GatewayConfig.StreamingEscalation> ESCALATION_STREAMING = key(
            "escalation.streaming", ESCALATION, "Streams", ValueType.choice(GatewayConfig.StreamingEscalation.class),
            GatewayConfig.StreamingEscalation.OFF,
            "`off`: streams pass through live and never escalate; `buffer`: streams are held, validated and "
                    + "replayed (time to first byte then equals the whole answer's time).");

    // ---- cache ----
    public static final ConfigKey<Boolean> CACHE_ENABLED = key("cache.enabled", CACHE, "Exact cache",
            ValueType.bool(), true, "Exact cache on/off: identical requests are answered from memory (or Redis).");
    public static final ConfigKey<GatewayConfig.CacheScope> CACHE_SCOPE = key("cache.scope", CACHE, "Sharing scope",
            ValueType.choice(GatewayConfig.CacheScope.class), GatewayConfig.CacheScope.KEY,
            "`key`: answers shared only between requests with the same API key; `global`: shared between all "
                    + "callers (a deliberate sharing decision).");
    public static final ConfigKey<Integer> CACHE_MAX_ENTRIES = key("cache.max_entries", CACHE, "Max entries",
            ValueType.integer(0, 100_000_000), 10_000, "In-memory exact cache size.");
    public static final ConfigKey<Duration> CACHE_EXACT_TTL = key("cache.exact_ttl", CACHE, "Exact TTL (s)",
            ValueType.seconds(1, Integer.MAX_VALUE), Duration.ofSeconds(86_400),
            "Seconds an exact answer stays valid.");
    public static final ConfigKey<Boolean> CACHE_TOOL_USE = key("cache.cache_tool_use", CACHE,
            "Cache tool_use answers", ValueType.bool(), false, "Also cache answers that stop for `tool_use`.");
    public static final ConfigKey<String> CACHE_REDIS_URL = key("cache.redis_url", CACHE, "Redis URL",
            ValueType.secretText(ValueType::checkRedisUrl), "",
            "`redis://host:port/db` to keep the exact cache in Redis; empty = in memory only.");
    public static final ConfigKey<Boolean> CACHE_USE_SEMANTIC = key("cache.use_semantic_cache", CACHE,
            "Semantic cache", ValueType.bool(), true,
            "Semantic cache on/off: a paraphrase of an earlier last user turn is answered from the cache.");
    public static final ConfigKey<Double> CACHE_SEMANTIC_THRESHOLD = key("cache.semantic_threshold", CACHE,
            "Semantic threshold", ValueType.decimal(0, 1), 0.75,
            "Cosine similarity a semantic hit needs at least; above it the near-miss guards and the pair verifier "
                    + "decide (values below 0.75 act as 0.75); see `docs/semantic-cache-eval.md`.");
    public static final ConfigKey<Duration> CACHE_SEMANTIC_TTL = key("cache.semantic_ttl", CACHE, "Semantic TTL (s)",
            ValueType.seconds(1, Integer.MAX_VALUE), Duration.ofSeconds(604_800),
            "Seconds a semantic entry stays valid (a week).");
    public static final ConfigKey<Integer> CACHE_SEMANTIC_MAX_ENTRIES = key("cache.semantic_max_entries", CACHE,
            "Semantic max entries", ValueType.integer(0, 10_000_000), 100_000, "Semantic cache size bound.");
    public static final ConfigKey<String> CACHE_EMBEDDING_MODEL = key("cache.embedding_model", CACHE,
            "Embedding model", ValueType.text(
                    s -> "all-minilm-l6-v2-q".equals(s) ? null : "unknown model (supported: all-minilm-l6-v2-q)"),
            "all-minilm-l6-v2-q",
            "Embedding model of the semantic cache and the embedding classifier (the only one bundled).");
    public static final ConfigKey<Boolean> CACHE_SEMANTIC_WITH_TOOLS = key("cache.semantic_with_tools", CACHE,
            "Semantic cache for tool requests", ValueType.bool(), false,
            "Let requests that carry `tools` (agent turns) use the semantic cache; exact caching of them is "
                    + "unaffected.");
    public static final ConfigKey<Duration> CACHE_SEMANTIC_LOOKUP_WAIT = key("cache.semantic_lookup_wait_ms", CACHE,
            "Semantic lookup wait (ms)", ValueType.millis(0, 10_000), Duration.ofMillis(5),
            "Longest a request waits for its prompt's embedding (made on a background thread) before it goes on "
                    + "as a semantic miss; the store after the answer reuses a late embedding.");

    // ---- metrics ----
    public static final ConfigKey<String> METRICS_JDBC_URL = key("metrics.jdbc_url", METRICS, "JDBC URL",
            ValueType.secretText(ValueType::checkJdbcUrl), "",
            "Empty: an H2 file in the data folder. `jdbc:postgresql://HOST:PORT/DB?user=U&password=P`: a PostgreSQL "
                    + "shared by several gateways (see Team setup; without user and password in the URL, env "
                    + "`PGUSER`/`PGPASSWORD` are used). Also any `jdbc:h2:` URL.");
    public static final ConfigKey<Boolean> METRICS_STORE_TEXT = key("metrics.store_text", METRICS,
            "Store prompt and answer previews", ValueType.bool(), false,
            "Keep a bounded preview of prompt and answer (never headers or keys).");
    public static final ConfigKey<Integer> METRICS_TEXT_PREVIEW_CHARS = key("metrics.text_preview_chars", METRICS,
            "Preview length (chars)", ValueType.integer(0, 20_000), 500, "Preview length in characters.");
    public static final ConfigKey<Integer> METRICS_RETENTION_DAYS = key("metrics.retention_days", METRICS,
            "Retention (days)", ValueType.integer(1, 36_500), 90, "Rows older than this many days are purged daily.");
    public static final ConfigKey<Integer> METRICS_QUEUE_CAPACITY = key("metrics.queue_capacity", METRICS,
            "Write queue capacity", ValueType.integer(16, 10_000_000), 65_536,
            "Records waiting to be written; beyond it they are counted as dropped.");
    public static final ConfigKey<String> METRICS_TEAM_VIEW_JDBC_URL = key("metrics.team_view_jdbc_url", METRICS,
            "Team view JDBC URL", ValueType.secretText(ValueType::checkTeamViewJdbcUrl), "",
            "Empty: no team view. `jdbc:postgresql://HOST:PORT/DB?user=U&password=P` of the team's shared metrics "
                    + "database: the desktop app's *Team* switch shows every gateway's dashboard, requests, sessions "
                    + "and reports from it, read-only, with an instance filter (see Team view in the desktop app).");

    // ---- tiers, pricing, models ----
    public static final ConfigKey<String> TIERS_FAST_MODEL = tierModel(Tier.FAST, "claude-haiku-4-5-20251001");
    public static final ConfigKey<List<String>> TIERS_FAST_PREFIXES = tierPrefixes(Tier.FAST,
            List.of("claude-haiku", "claude-3-haiku", "claude-3-5-haiku"));
    public static final ConfigKey<String> TIERS_BALANCED_MODEL = tierModel(Tier.BALANCED, "claude-sonnet-4-6");
    public static final ConfigKey<List<String>> TIERS_BALANCED_PREFIXES = tierPrefixes(Tier.BALANCED,
            List.of("claude-sonnet", "claude-3-5-sonnet", "claude-3-7-sonnet"));
    public static final ConfigKey<String> TIERS_PREMIUM_MODEL = tierModel(Tier.PREMIUM, "claude-opus-4-7");
    public static final ConfigKey<List<String>> TIERS_PREMIUM_PREFIXES = tierPrefixes(Tier.PREMIUM,
            List.of("claude-opus", "claude-3-opus"));
    public static final ConfigKey<Double> PRICING_CACHE_WRITE_5M = key("pricing.cache_write_5m_multiplier", MODELS,
            "Cache write 5 min ×", ValueType.decimal(0, 100), 1.25,
            "5-minute cache writes, relative to the input price.");
    public static final ConfigKey<Double> PRICING_CACHE_WRITE_1H = key("pricing.cache_write_1h_multiplier", MODELS,
            "Cache write 1 h ×", ValueType.decimal(0, 100), 2.0, "1-hour cache writes, relative to the input price.");
    public static final ConfigKey<Double> PRICING_CACHE_READ = key("pricing.cache_read_multiplier", MODELS,
            "Cache read ×", ValueType.decimal(0, 100), 0.1, "Cache reads, relative to the input price.");
    public static final ConfigKey<Map<String, GatewayConfig.ModelPrice>> MODELS_PRICES = key("models", MODELS,
            "List prices", ValueType.prices(), defaultPrices(),
            "List prices in USD per million tokens (`input`, `output`); an id not listed is priced like its tier's "
                    + "model, and an id matching no tier is unknown (cost `null`, not zero).");

    // ---- budgets ----
    public static final ConfigKey<List<dev.costgateway.core.budget.Budget>> BUDGETS_LIST = key("budgets", BUDGETS,
            "Budgets", ValueType.budgets(), List.of(),
            "Spending limits in USD, each with `name`, `period` (`day` or `month`), `limit_usd`, `scope` (`all`, "
                    + "`key` or `project`), `warn_at_percent` (80) and `action` (`warn` or `block`); see Budgets.");
    public static final ConfigKey<String> BUDGET_TIME_ZONE = key("budget_time_zone", BUDGETS, "Budget time zone",
            ValueType.timeZone(), "", "Zone whose midnight and first of the month reset budgets (`Europe/Berlin`); "
                    + "empty = the system's zone.");

    private static final Map<Tier, ConfigKey<String>> TIER_MODELS = new EnumMap<>(Map.of(
            Tier.FAST, TIERS_FAST_MODEL, Tier.BALANCED, TIERS_BALANCED_MODEL, Tier.PREMIUM, TIERS_PREMIUM_MODEL));
    private static final Map<Tier, ConfigKey<List<String>>> TIER_PREFIXES = new EnumMap<>(Map.of(
            Tier.FAST, TIERS_FAST_PREFIXES, Tier.BALANCED, TIERS_BALANCED_PREFIXES,
            Tier.PREMIUM, TIERS_PREMIUM_PREFIXES));
    private static final List<ConfigKey<?>> ALL = Collections.unmodifiableList(KEYS);

    private ConfigSchema() {
    }

    /** Every key, in the order of {@code default-config.yaml}. */
    public static List<ConfigKey<?>> keys() {
        return ALL;
    }

    public static Optional<ConfigKey<?>> find(String path) {
        return ALL.stream().filter(k -> k.path().equals(path)).findFirst();
    }

    /** The configuration these values describe. */
    public static GatewayConfig build(ConfigValues v) {
        var server = new GatewayConfig.Server(v.get(SERVER_HOST), v.get(SERVER_PORT), v.get(SERVER_MAX_BODY_BYTES),
                v.get(SERVER_AUTH_TOKEN));
        var upstream = new GatewayConfig.Upstream(v.get(UPSTREAM_BASE_URL), v.get(UPSTREAM_API_KEY),
                v.get(UPSTREAM_TIMEOUT), v.get(UPSTREAM_CONNECT_TIMEOUT));
        var routing = new GatewayConfig.Routing(v.get(ROUTING_MODE), v.get(ROUTING_ALLOW_UPGRADE),
                v.get(ROUTING_LONG_CONTEXT_TOKENS), v.get(ROUTING_MANY_TURNS), v.get(ROUTING_CONSERVATIVE_TOOLS),
                v.get(ROUTING_CONSERVATIVE_THINKING), v.get(ROUTING_CONSERVATIVE_MEDIA),
                v.get(ROUTING_CONSERVATIVE_LONG_CONTEXT), v.get(ROUTING_CONSERVATIVE_MANY_TURNS),
                v.get(ROUTING_PREMIUM_SHARE), v.get(ROUTING_FAST_SHARE), v.get(ROUTING_THRESHOLD_PREMIUM).orElse(null),
                v.get(ROUTING_THRESHOLD_FAST).orElse(null), v.get(ROUTING_SESSIONS));
        var classifier = new GatewayConfig.Classifier(v.get(CLASSIFIER_HEURISTIC_CONFIDENCE),
                v.get(CLASSIFIER_EMBEDDING_THRESHOLD), v.get(CLASSIFIER_LLM_TIMEOUT), v.get(CLASSIFIER_LLM_TIE_MARGIN));
        var escalation = new GatewayConfig.Escalation(v.get(ESCALATION_ON_TRUNCATION), v.get(ESCALATION_PHRASES),
                v.get(ESCALATION_HEDGE_WORDS), v.get(ESCALATION_HEDGE_THRESHOLD), v.get(ESCALATION_STREAMING));
        var cache = new GatewayConfig.Cache(v.get(CACHE_ENABLED), v.get(CACHE_SCOPE), v.get(CACHE_MAX_ENTRIES),
                v.get(CACHE_EXACT_TTL), v.get(CACHE_TOOL_USE), v.get(CACHE_REDIS_URL), v.get(CACHE_USE_SEMANTIC),
                v.get(CACHE_SEMANTIC_THRESHOLD), v.get(CACHE_SEMANTIC_TTL), v.get(CACHE_SEMANTIC_MAX_ENTRIES),
                v.get(CACHE_EMBEDDING_MODEL), v.get(CACHE_SEMANTIC_WITH_TOOLS), v.get(CACHE_SEMANTIC_LOOKUP_WAIT));
        var metrics = new GatewayConfig.Metrics(v.get(METRICS_JDBC_URL), v.get(METRICS_STORE_TEXT),
                v.get(METRICS_TEXT_PREVIEW_CHARS), v.get(METRICS_RETENTION_DAYS), v.get(METRICS_QUEUE_CAPACITY),
                v.get(METRICS_TEAM_VIEW_JDBC_URL));
        Map<Tier, GatewayConfig.TierModel> tiers = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            tiers.put(t, new GatewayConfig.TierModel(v.get(TIER_MODELS.get(t)), v.get(TIER_PREFIXES.get(t))));
        }
        var pricing = new GatewayConfig.Pricing(v.get(PRICING_CACHE_WRITE_5M), v.get(PRICING_CACHE_WRITE_1H),
                v.get(PRICING_CACHE_READ));
        return new GatewayConfig(server, upstream, routing, classifier, v.get(USE_HAIKU_CLASSIFIER),
                v.get(MAX_ESCALATIONS), escalation, cache, metrics, tiers, pricing, v.get(MODELS_PRICES),
                new GatewayConfig.Budgets(v.get(BUDGETS_LIST), v.get(BUDGET_TIME_ZONE)));
    }

    // ---- rows ----

    private static <T> ConfigKey<T> key(String path, Section section, String label, ValueType<T> type, T dflt,
                                        String help) {
        ConfigKey<T> k = new ConfigKey<>(path, section, label, type, dflt, help);
        KEYS.add(k);
        return k;
    }

    private static String title(Tier t) {
        return Character.toUpperCase(t.id().charAt(0)) + t.id().substring(1);
    }

    private static ConfigKey<String> tierModel(Tier t, String model) {
        return key("tiers." + t.id() + ".model", MODELS, title(t) + " tier model",
                ValueType.text(s -> s.isBlank() ? "must name a model id" : null), model,
                "Model id answering for the " + t.id() + " tier.");
    }

    private static ConfigKey<List<String>> tierPrefixes(Tier t, List<String> prefixes) {
        return key("tiers." + t.id() + ".prefixes", MODELS, title(t) + " tier prefixes", ValueType.list(), prefixes,
                "Requested model ids starting with one of these belong to the " + t.id() + " tier.");
    }

    private static Map<String, GatewayConfig.ModelPrice> defaultPrices() {
        Map<String, GatewayConfig.ModelPrice> m = new LinkedHashMap<>();
        price(m, 1.00, 5.00, "claude-haiku-4-5-20251001", "claude-haiku-4-5");
        price(m, 0.80, 4.00, "claude-3-5-haiku-20241022");
        price(m, 3.00, 15.00, "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
                "claude-sonnet-4-20250514");
        price(m, 5.00, 25.00, "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5", "claude-opus-4-5-20251101");
        price(m, 15.00, 75.00, "claude-opus-4-1-20250805");
        return Collections.unmodifiableMap(m);
    }

    private static void price(Map<String, GatewayConfig.ModelPrice> m, double in, double out, String... ids) {
        for (String id : ids) {
            m.put(id, new GatewayConfig.ModelPrice(in, out));
        }
    }
}
