package dev.costgateway.core.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

/**
 * Prompt-cache health of one session, judged from the {@code usage} of its requests in order, each finding with
 * the money it cost (shared/claude-code-traffic.md, "Prompt caching, as it affects a gateway"):
 * <ul>
 *   <li>{@link Kind#BELOW_MINIMUM}: the request asked for caching but its prompt is shorter than the model's
 *       minimum cacheable length, so nothing was written; cost: what reading the part sent before would have
 *       saved;</li>
 *   <li>{@link Kind#REWRITE_WITHIN_TTL}: the cache was warm on this model (touched less than a TTL ago) and the
 *       request wrote without reading anything: something changes the prefix every turn; cost: re-writing what was
 *       cached instead of reading it;</li>
 *   <li>{@link Kind#IDLE_REWRITE}: the same, after an idle gap longer than the TTL;</li>
 *   <li>{@link Kind#MODEL_SWITCH}: the session moved to another model and wrote its prefix there; cost: that
 *       write, less what reading it on the previous model would have cost.</li>
 * </ul>
 * Only requests answered by upstream count (the gateway's own cache hits touch no prompt cache). The TTL of a
 * model's cache is one hour once a request on it wrote 1-hour entries, else five minutes. {@link #check} is
 * stateless; a {@link Tracker} holds one session's state.
 */
public final class CacheHealth {

    /** Minimum cacheable prefix (tokens) by model id prefix; sources disagree, so these are the larger figures. */
    public static final Map<String, Long> MINIMUM_CACHEABLE_TOKENS = Map.of(
            "claude-haiku-4-5", 4096L,
            "claude-sonnet-4-6", 2048L,
            "claude-opus-4-7", 4096L,
            "claude-opus-4-6", 4096L,
            "claude-opus-4-5", 4096L);
    /** Minimum for a model not listed. */
    public static final long DEFAULT_MINIMUM_TOKENS = 1024;

    private static final Duration TTL_5M = Duration.ofMinutes(5);
    private static final Duration TTL_1H = Duration.ofHours(1);

    private CacheHealth() {
    }

    public enum Kind {
        BELOW_MINIMUM, REWRITE_WITHIN_TTL, IDLE_REWRITE, MODEL_SWITCH;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One request of a session as the checks see it. */
    public record Turn(String queryId, Instant start, Instant end, String model, Usage usage, int cacheBreakpoints,
            boolean answeredUpstream) {
    }

    /**
     * One finding.
     *
     * @param turnIndex index of the request in the list given to {@link #check}
     * @param costUsd   money the problem cost on this request (0 when a price is unknown)
     */
    public record Warning(Kind kind, int turnIndex, String queryId, String model, String detail, long tokens,
            double costUsd) {
    }

    /** Input prices and cache multipliers, from the gateway config. */
    public record Prices(Function<String, OptionalDouble> inputPerMTok, double write5m, double write1h,
            double read) {

        public static Prices of(GatewayConfig cfg) {
            return new Prices(model -> {
                Optional<GatewayConfig.ModelPrice> p = cfg.priceOf(model);
                return p.isPresent() ? OptionalDouble.of(p.get().inputPerMTok()) : OptionalDouble.empty();
            }, cfg.pricing().cacheWrite5mMultiplier(), cfg.pricing().cacheWrite1hMultiplier(),
                    cfg.pricing().cacheReadMultiplier());
        }

        double usd(String model, long tokens, double multiplier) {
            OptionalDouble p = inputPerMTok.apply(model);
            return p.isPresent() ? tokens * p.getAsDouble() * multiplier / 1e6 : 0;
        }
    }

    public static long minimumTokens(String model) {
        if (model != null) {
            for (Map.Entry<String, Long> e : MINIMUM_CACHEABLE_TOKENS.entrySet()) {
                if (model.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return DEFAULT_MINIMUM_TOKENS;
    }

    /** What is known about a model's cache so far in the session. */
    private static final class ModelCache {
        Instant lastTouch;
        long cachedTokens;
        boolean oneHour;
        long promptSent; // prompt of the latest request on this model, cached or not

        Duration ttl() {
            return oneHour ? TTL_1H : TTL_5M;
        }
    }

    /** Findings for a session's requests, in time order. */
    public static List<Warning> check(List<Turn> turns, Prices prices) {
        List<Warning> out = new ArrayList<>();
        Tracker tracker = new Tracker(prices);
        for (int i = 0; i < turns.size(); i++) {
            tracker.observe(turns.get(i), i).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The checks of {@link #check} one request at a time, for a session that is still growing: the metrics writer
     * keeps one per recent session, so the findings are counted as the requests arrive instead of re-reading the
     * whole session with every batch. Not thread-safe.
     */
    public static final class Tracker {
        private final Prices prices;
        private final Map<String, ModelCache> models = new HashMap<>();
        private String lastCachedModel;
        private int turns;

        public Tracker(Prices prices) {
            this.prices = prices;
        }

        /** Requests observed so far. */
        public int turns() {
            return turns;
        }

        /** The next request of the session, in time order; its index is {@link #turns()} before the call. */
        public Optional<Warning> observe(Turn t) {
            return observe(t, turns);
        }

        Optional<Warning> observe(Turn t, int i) {
            turns++;
            Usage u = t.usage();
            if (!t.answeredUpstream() || u == null || t.model() == null) {
                return Optional.empty();
            }
            Warning found = null;
            long write = u.cacheCreationInputTokens();
            long read = u.cacheReadInputTokens();
            long prompt = u.inputTokens() + write + read;
            ModelCache mc = models.computeIfAbsent(t.model(), k -> new ModelCache());
            boolean writeIs1h = u.cacheCreation1hTokens() > 0 && u.cacheCreation1hTokens() >= u.cacheCreation5mTokens();
            double writeMultiplier = writeIs1h ? prices.write1h() : prices.write5m();

            if (t.cacheBreakpoints() > 0 && write == 0 && read == 0 && prompt < minimumTokens(t.model())) {
                long lost = Math.min(prompt, mc.promptSent);
                found = new Warning(Kind.BELOW_MINIMUM, i, t.queryId(), t.model(), String.format(Locale.ROOT,
                        "prompt of %d tokens is below %s's minimum cacheable length (%d): nothing was cached",
                        prompt, t.model(), minimumTokens(t.model())), lost,
                        prices.usd(t.model(), lost, 1 - prices.read()));
            } else if (write > 0 && read == 0) {
                if (lastCachedModel != null && !lastCachedModel.equals(t.model()) && !warm(mc, t.start())) {
                    ModelCache previous = models.get(lastCachedModel);
                    long tokens = Math.min(write, previous.cachedTokens);
                    double cost = prices.usd(t.model(), tokens, writeMultiplier)
                            - prices.usd(lastCachedModel, tokens, prices.read());
                    found = new Warning(Kind.MODEL_SWITCH, i, t.queryId(), t.model(), String.format(Locale.ROOT,
                            "switched from %s to %s: %d tokens of prefix written again on %s",
                            lastCachedModel, t.model(), tokens, t.model()), tokens, Math.max(0, cost));
                } else if (mc.lastTouch != null && mc.cachedTokens > 0) {
                    long tokens = Math.min(write, mc.cachedTokens);
                    double cost = prices.usd(t.model(), tokens, writeMultiplier - prices.read());
                    Duration gap = Duration.between(mc.lastTouch, t.start());
                    if (warm(mc, t.start())) {
                        found = new Warning(Kind.REWRITE_WITHIN_TTL, i, t.queryId(), t.model(),
                                String.format(Locale.ROOT, "%d tokens written again %ds after the last request, "
                                        + "within the %s TTL: the prefix changed", tokens, gap.toSeconds(),
                                        ttlName(mc)), tokens, cost);
                    } else {
                        found = new Warning(Kind.IDLE_REWRITE, i, t.queryId(), t.model(), String.format(Locale.ROOT,
                                "idle for %s, longer than the %s TTL: %d tokens written again", human(gap),
                                ttlName(mc), tokens), tokens, cost);
                    }
                }
            }
            if (write > 0 || read > 0) {
                // the API refreshes a cache entry's TTL when it reads the request, not when the answer ends; the end
                // is also the less reliable time (it includes the client's read of the answer)
                mc.lastTouch = t.start();
                mc.cachedTokens = write + read;
                mc.oneHour = mc.oneHour || u.cacheCreation1hTokens() > 0;
                lastCachedModel = t.model();
            }
            mc.promptSent = prompt;
            return Optional.ofNullable(found);
        }
    }

    /** The cache on this model was touched less than its TTL before {@code at}. */
    private static boolean warm(ModelCache mc, Instant at) {
        return mc.lastTouch != null && Duration.between(mc.lastTouch, at).compareTo(mc.ttl()) < 0;
    }

    private static String ttlName(ModelCache mc) {
        return mc.oneHour ? "1-hour" : "5-minute";
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** Money of all findings. */
    public static double totalUsd(List<Warning> warnings) {
        return warnings.stream().mapToDouble(Warning::costUsd).sum();
    }
}
