package dev.costgateway.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, immutable. Running code holds it in an {@code AtomicReference} and a reload swaps
 * the reference, so a request sees one consistent configuration from start to end.
 * Built only by {@link ConfigLoader}, which validates every value first.
 */
public record GatewayConfig(
        Server server,
        Upstream upstream,
        Routing routing,
        Classifier classifier,
        boolean useHaikuClassifier,
        int maxEscalations,
        Escalation escalation,
        Cache cache,
        Metrics metrics,
        Map<Tier, TierModel> tiers,
        Pricing pricing,
        Map<String, ModelPrice> models,
        Budgets budgets) {

    public GatewayConfig {
        tiers = Map.copyOf(tiers);
        models = Map.copyOf(models);
    }

    /**
     * Spending limits and the time zone their days and months begin in.
     *
     * @param timeZone a zone id ({@code Europe/Berlin}); empty means the system's zone
     */
    public record Budgets(List<dev.costgateway.core.budget.Budget> list, String timeZone) {
        public static final Budgets NONE = new Budgets(List.of(), "");

        public Budgets {
            list = List.copyOf(list);
        }

        public java.time.ZoneId zone() {
            return timeZone.isEmpty() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(timeZone);
        }
    }

    /** @param maxBodyBytes largest accepted request body; @param authToken empty when no token is required */
    public record Server(String host, int port, long maxBodyBytes, String authToken) {
        public boolean requiresToken() {
            return !authToken.isEmpty();
        }
    }

    /** @param apiKey empty when none is configured; never log it */
    public record Upstream(URI baseUrl, String apiKey, Duration timeout, Duration connectTimeout) {
        @Override
        public String toString() {
            return "Upstream[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isEmpty() ? "" : "***")
                    + ", timeout=" + timeout + ", connectTimeout=" + connectTimeout + "]";
        }
    }

    public enum RoutingMode { AUTO, OFF }

    /**
     * {@code routing.sessions}: {@code sticky} decides a tool-bearing session's tier once and keeps it (switches
     * are priced first); {@code off} routes every request alone.
     */
    public enum SessionRouting { STICKY, OFF }

    /**
     * @param premiumShare      about this fraction of the reference traffic goes to premium (quantile calibration)
     * @param fastShare         about this fraction of the reference traffic goes to fast
     * @param premiumThreshold  expert override: P(needs premium) at or above this goes to premium; null = use the share
     * @param fastThreshold     expert override: P(needs at least balanced) below this goes to fast; null = use the share
     * @param sessions          {@code routing.sessions}: sticky per-session tiers for tool-bearing traffic, or off
     */
    public record Routing(
            RoutingMode mode,
            boolean allowUpgrade,
            int longContextTokens,
            int manyTurns,
            boolean conservativeTools,
            boolean conservativeThinking,
            boolean conservativeMedia,
            boolean conservativeLongContext,
            boolean conservativeManyTurns,
            double premiumShare,
            double fastShare,
            Double premiumThreshold,
            Double fastThreshold,
            SessionRouting sessions) {

        /** Defaults of the score thresholds: {@value #DEFAULT_PREMIUM_SHARE} premium, {@value #DEFAULT_FAST_SHARE} fast. */
        public static final double DEFAULT_PREMIUM_SHARE = 0.25;
        public static final double DEFAULT_FAST_SHARE = 0.06;

        /** Without {@code sessions}: its default, {@code sticky}. */
        public Routing(RoutingMode mode, boolean allowUpgrade, int longContextTokens, int manyTurns,
                       boolean conservativeTools, boolean conservativeThinking, boolean conservativeMedia,
                       boolean conservativeLongContext, boolean conservativeManyTurns, double premiumShare,
                       double fastShare, Double premiumThreshold, Double fastThreshold) {
            this(mode, allowUpgrade, longContextTokens, manyTurns, conservativeTools, conservativeThinking,
                    conservativeMedia, conservativeLongContext, conservativeManyTurns, premiumShare, fastShare,
                    premiumThreshold, fastThreshold, SessionRouting.STICKY);
        }

        /** Without the score settings: their defaults. */
        public Routing(RoutingMode mode, boolean allowUpgrade, int longContextTokens, int manyTurns,
                       boolean conservativeTools, boolean conservativeThinking, boolean conservativeMedia,
                       boolean conservativeLongContext, boolean conservativeManyTurns) {
            this(mode, allowUpgrade, longContextTokens, manyTurns, conservativeTools, conservativeThinking,
                    conservativeMedia, conservativeLongContext, conservativeManyTurns, DEFAULT_PREMIUM_SHARE,
                    DEFAULT_FAST_SHARE, null, null);
        }
    }

    /** @param llmTieMargin layer 3 is asked only for scores this close to a threshold (in reference-quantile units) */
    public record Classifier(double heuristicConfidence, double embeddingThreshold, Duration llmTimeout,
                             double llmTieMargin) {

        public static final double DEFAULT_LLM_TIE_MARGIN = 0.05;

        public Classifier(double heuristicConfidence, double embeddingThreshold, Duration llmTimeout) {
            this(heuristicConfidence, embeddingThreshold, llmTimeout, DEFAULT_LLM_TIE_MARGIN);
        }
    }

    public enum StreamingEscalation { OFF, BUFFER }

    public record Escalation(
            boolean onTruncation,
            List<String> phrases,
            List<String> hedgeWords,
            int hedgeThreshold,
            StreamingEscalation streaming) {
        public Escalation {
            phrases = List.copyOf(phrases);
            hedgeWords = List.copyOf(hedgeWords);
        }
    }

    public enum CacheScope { KEY, GLOBAL }

    /** @param redisUrl empty when the exact cache lives in memory only */
    public record Cache(
            boolean enabled,
            CacheScope scope,
            int maxEntries,
            Duration exactTtl,
            boolean cacheToolUse,
            String redisUrl,
            boolean useSemanticCache,
            double semanticThreshold,
            Duration semanticTtl,
            int semanticMaxEntries,
            String embeddingModel,
            boolean semanticWithTools,
            Duration semanticLookupWait) {
    }

    /**
     * @param jdbcUrl         empty for the default H2 file in the data folder
     * @param teamViewJdbcUrl the team's shared PostgreSQL the desktop app may show read-only; empty = no team view
     */
    public record Metrics(String jdbcUrl, boolean storeText, int textPreviewChars, int retentionDays, int queueCapacity,
            String teamViewJdbcUrl) {
        public Metrics {
            teamViewJdbcUrl = teamViewJdbcUrl == null ? "" : teamViewJdbcUrl;
        }

        /** Without a team view. */
        public Metrics(String jdbcUrl, boolean storeText, int textPreviewChars, int retentionDays, int queueCapacity) {
            this(jdbcUrl, storeText, textPreviewChars, retentionDays, queueCapacity, "");
        }
    }

    /** @param prefixes requested model ids starting with one of these belong to this tier */
    public record TierModel(String model, List<String> prefixes) {
        public TierModel {
            prefixes = List.copyOf(prefixes);
        }
    }

    public record Pricing(double cacheWrite5mMultiplier, double cacheWrite1hMultiplier, double cacheReadMultiplier) {
    }

    /** List prices in USD per million tokens. */
    public record ModelPrice(double inputPerMTok, double outputPerMTok) {
    }

    /** The model id answering for a tier. */
    public String modelFor(Tier tier) {
        return tiers.get(tier).model();
    }

    /**
     * The tier a requested model id belongs to: the tier whose model it is, else the first tier (cheapest first)
     * with a matching prefix; empty for an id the gateway does not know (forwarded unrouted).
     */
    public Optional<Tier> tierOf(String modelId) {
        if (modelId == null) {
            return Optional.empty();
        }
        for (Tier t : Tier.values()) {
            if (tiers.get(t).model().equals(modelId)) {
                return Optional.of(t);
            }
        }
        for (Tier t : Tier.values()) {
            for (String prefix : tiers.get(t).prefixes()) {
                if (modelId.startsWith(prefix)) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }

    /** The price of a model id, falling back to its tier model's price; empty when unknown. */
    public Optional<ModelPrice> priceOf(String modelId) {
        if (modelId == null) {
            return Optional.empty();
        }
        ModelPrice direct = models.get(modelId);
        if (direct != null) {
            return Optional.of(direct);
        }
        return tierOf(modelId).map(t -> models.get(modelFor(t)));
    }
}
