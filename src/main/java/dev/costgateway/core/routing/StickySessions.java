package dev.costgateway.core.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.time.GatewayClock;

/**
 * Sticky routing of agent sessions ({@code routing.sessions: sticky}, issue 14, ADR 0080): a session's tier is
 * decided once, on its first turn, by the router on the person's prompt, and kept for every later turn, so its
 * prompt cache stays warm on one model. A session moves only at a turn that may move ({@link SessionThread#held}):
 * <ul>
 *   <li><b>up</b>, once, to the requested model, after an answer tripped an escalation signal or its tools failed in
 *       a loop ({@link SessionThread#failingToolLoop}); it then stays up;</li>
 *   <li><b>down</b>, when the router judged the person's last two prompts routine (a lower tier than the pin) and
 *       the {@link SwitchPrice} pays: the expected saving over the likely remaining turns exceeds the cost of
 *       re-writing the cached prefix on the cheaper model.</li>
 * </ul>
 * Every decision carries its inputs and price in its {@link RouteDecision#reason()}, which the request inspector and
 * the session view show. A session is keyed by the caller's scope, its id and the requested model, so a fast-model
 * request of the same session (a title) is never pinned with the main conversation and two callers never share a
 * pin. Pins are forgotten after {@link #IDLE_EXPIRY} without a turn. Thread-safe.
 */
public final class StickySessions {

    /** A pin not used for this long is forgotten (the prompt cache is long cold by then). */
    public static final Duration IDLE_EXPIRY = Duration.ofHours(24);
    /** Pins kept at most (least recently used go first). */
    public static final int MAX_PINS = 10_000;
    /** Consecutive routine prompts (router tier below the pin) before a move down is priced. */
    public static final int ROUTINE_PROMPTS = 2;

    /** Which session a request belongs to, for pinning. @param scope a hash of the caller's credential */
    public record Key(String scope, String sessionId, String requestedModel) {
    }

    /** A pin as it stands, for tests and views. */
    public record PinView(Tier tier, String model, int turns, boolean escalated, String pendingUp,
                          SwitchPrice lastPrice) {
    }

    private final GatewayClock clock;
    private final Cache<Key, Pin> pins;

    public StickySessions(GatewayClock clock) {
        this.clock = clock;
        this.pins = Caffeine.newBuilder().ticker(clock::nanoTime).expireAfterAccess(IDLE_EXPIRY)
                .maximumSize(MAX_PINS).executor(Runnable::run).build();
    }

    /**
     * Whether this request is routed as a sticky session: {@code routing.sessions: sticky} with routing on, no
     * bypass header, a session id, {@code tools} present and a requested model with a tier (or {@code auto}).
     */
    public static boolean applies(GatewayConfig cfg, JsonNode body, boolean bypass, boolean hasSession) {
        if (cfg.routing().sessions() != GatewayConfig.SessionRouting.STICKY || bypass || !hasSession
                || cfg.routing().mode() != GatewayConfig.RoutingMode.AUTO) {
            return false;
        }
        JsonNode tools = body.path("tools");
        String model = body.path("model").asText("");
        return tools.isArray() && !tools.isEmpty()
                && (Router.AUTO_MODEL.equals(model) || cfg.tierOf(model).isPresent());
    }

    /**
     * The configuration a sticky session's router sees: the conservative tools and thinking rules off (the tier is
     * fixed before the first thinking block exists, and the session's tools are the same on every turn); the other
     * rules apply as configured.
     */
    public static GatewayConfig withSessionRules(GatewayConfig cfg) {
        GatewayConfig.Routing r = cfg.routing();
        GatewayConfig.Routing lifted = new GatewayConfig.Routing(r.mode(), r.allowUpgrade(), r.longContextTokens(),
                r.manyTurns(), false, false, r.conservativeMedia(), r.conservativeLongContext(),
                r.conservativeManyTurns(), r.premiumShare(), r.fastShare(), r.premiumThreshold(), r.fastThreshold(),
                r.sessions());
        return new GatewayConfig(cfg.server(), cfg.upstream(), lifted, cfg.classifier(), cfg.useHaikuClassifier(),
                cfg.maxEscalations(), cfg.escalation(), cfg.cache(), cfg.metrics(), cfg.tiers(), cfg.pricing(),
                cfg.models(), cfg.budgets());
    }

    /**
     * Routes one turn of a session. Never completes exceptionally unless {@code routeAlone} does.
     *
     * @param routeAlone the router on this request with {@link #withSessionRules}; asked on the first turn and on
     *                   the person's prompts of a session that could move down
     */
    public CompletableFuture<RouteDecision> route(GatewayConfig cfg, Key key, ObjectNode body,
                                                  Supplier<CompletableFuture<RouteDecision>> routeAlone) {
        Pin pin = pins.getIfPresent(key);
        if (pin == null) {
            return firstSeen(cfg, key, body, routeAlone);
        }
        Optional<String> held = SessionThread.held(body);
        boolean oneHour = asksOneHourTtl(body);
        synchronized (pin) {
            pin.oneHourTtl = oneHour;
            pin.requestTokens = PromptText.estimateInputTokens(body);
            Optional<String> loop = SessionThread.failingToolLoop(body);
            if (loop.isPresent()) {
                pin.signal("tool_error_loop:" + loop.get());
            }
            if (pin.pendingUp != null && held.isEmpty()) {
                return done(pin.moveUp(cfg, pin.pendingUp));
            }
            boolean mayMoveDown = held.isEmpty() && !pin.escalated && pin.tier != Tier.FAST
                    && SessionThread.isHumanPrompt(body);
            if (!mayMoveDown) {
                return done(pin.kept(held.orElse(null)));
            }
        }
        return routeAlone.get().thenApply(d -> {
            synchronized (pin) {
                return pin.judgeRoutine(cfg, d);
            }
        });
    }

    private CompletableFuture<RouteDecision> firstSeen(GatewayConfig cfg, Key key, ObjectNode body,
                                                       Supplier<CompletableFuture<RouteDecision>> routeAlone) {
        Tier ceiling = Router.AUTO_MODEL.equals(key.requestedModel()) ? Tier.PREMIUM
                : cfg.tierOf(key.requestedModel()).orElseThrow();
        String ceilingModel = Router.AUTO_MODEL.equals(key.requestedModel()) ? cfg.modelFor(Tier.PREMIUM)
                : key.requestedModel();
        Optional<String> held = SessionThread.held(body);
        if (!SessionThread.isFirstTurn(body) && held.isPresent()) {
            // a thread that began before this gateway knew it (restart, forgotten pin) ran on the client's model
            Pin pin = pins.asMap().computeIfAbsent(key, k -> new Pin(key.requestedModel(), ceiling, ceilingModel,
                    ceiling, ceilingModel, "first seen mid-thread (" + held.get() + "), kept the requested model"));
            synchronized (pin) {
                return done(pin.kept(null));
            }
        }
        return routeAlone.get().thenApply(d -> {
            Tier tier = d.tier() == null ? ceiling : d.tier();
            String model = d.tier() == null ? ceilingModel : d.chosenModel();
            Pin fresh = new Pin(key.requestedModel(), ceiling, ceilingModel, tier, model,
                    d.layer().id() + ": " + d.reason());
            fresh.oneHourTtl = asksOneHourTtl(body);
            fresh.requestTokens = PromptText.estimateInputTokens(body);
            Pin pin = pins.asMap().putIfAbsent(key, fresh);
            if (pin != null) { // another first turn of the same session won the race: follow its decision
                synchronized (pin) {
                    return pin.kept(null);
                }
            }
            return new RouteDecision(d.requestedModel(), model, ceiling, tier, d.layer(),
                    "session's first turn, pinned: " + d.reason(), true, d.classifierCalls(), d.score(),
                    d.thresholds());
        });
    }

    /**
     * An answer of this session's request tripped an escalation signal. The session moves up once, to the requested
     * model, and stays there: at once (the returned route, to retry this request on) when this request may move,
     * else at its next turn that may.
     *
     * @param requestMayMove whether the request that got the weak answer may move ({@link SessionThread#held} empty)
     */
    public Optional<RouteDecision> escalated(GatewayConfig cfg, Key key, RouteDecision current, String trigger,
                                             boolean requestMayMove) {
        Pin pin = pins.getIfPresent(key);
        if (pin == null) {
            return Optional.empty();
        }
        synchronized (pin) {
            if (current.tier() != pin.tier || !pin.signal(trigger)) {
                return Optional.empty();
            }
            return requestMayMove ? Optional.of(pin.moveUp(cfg, trigger)) : Optional.empty();
        }
    }

    /**
     * A complete answer from the session's pinned model tripped an escalation signal after it was delivered (a live
     * stream cannot be retried): the session moves up at its next turn that may move.
     */
    public void signal(Key key, String answeringModel, String trigger) {
        Pin pin = pins.getIfPresent(key);
        if (pin == null) {
            return;
        }
        synchronized (pin) {
            if (pin.model.equals(answeringModel)) {
                pin.signal(trigger);
            }
        }
    }

    /** A complete answer of this session from {@code model}: its usage prices later switches. */
    public void answered(Key key, String model, Usage usage) {
        Pin pin = pins.getIfPresent(key);
        if (pin == null || usage == null) {
            return;
        }
        synchronized (pin) {
            pin.answered(usage, clock.instant());
        }
    }

    public Optional<PinView> pin(Key key) {
        Pin pin = pins.getIfPresent(key);
        if (pin == null) {
            return Optional.empty();
        }
        synchronized (pin) {
            return Optional.of(new PinView(pin.tier, pin.model, pin.turns, pin.escalated, pin.pendingUp,
                    pin.lastPrice));
        }
    }

    /** True when any {@code cache_control} marker of the request asks for the 1-hour TTL. */
    static boolean asksOneHourTtl(JsonNode body) {
        for (JsonNode tool : body.path("tools")) {
            if (oneHour(tool)) {
                return true;
            }
        }
        for (JsonNode block : body.path("system")) {
            if (oneHour(block)) {
                return true;
            }
        }
        for (JsonNode m : body.path("messages")) {
            for (JsonNode block : m.path("content")) {
                if (oneHour(block)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean oneHour(JsonNode block) {
        return "1h".equals(block.path("cache_control").path("ttl").asText());
    }

    private static CompletableFuture<RouteDecision> done(RouteDecision d) {
        return CompletableFuture.completedFuture(d);
    }

    /** One session's pin. Guarded by its own monitor. */
    private final class Pin {
        final String requestedModel;
        final Tier ceiling;
        final String ceilingModel;
        Tier tier;
        String model;
        String since;
        int sinceTurn = 1;
        int turns;
        Usage all = Usage.ZERO;
        Usage afterFirst = Usage.ZERO;
        long prefixTokens;
        /** The latest request's estimated input: the prefix to price before any answer reported its cache use. */
        long requestTokens;
        Instant lastAnswer;
        boolean oneHourTtl;
        boolean escalated;
        String pendingUp;
        int routinePrompts;
        SwitchPrice lastPrice;

        Pin(String requestedModel, Tier ceiling, String ceilingModel, Tier tier, String model, String since) {
            this.requestedModel = requestedModel;
            this.ceiling = ceiling;
            this.ceilingModel = ceilingModel;
            this.tier = tier;
            this.model = model;
            this.since = since;
        }

        int turnNumber() {
            return turns + 1;
        }

        /** Notes an escalation signal; false when the session cannot move up (already up, at its ceiling). */
        boolean signal(String trigger) {
            if (escalated || !ceiling.isAbove(tier)) { // at (or, with allow_upgrade, above) the requested tier
                return false;
            }
            if (pendingUp == null) {
                pendingUp = trigger;
            }
            return true;
        }

        RouteDecision kept(String heldBecause) {
            StringBuilder why = new StringBuilder("session pinned to ").append(tier.id()).append(" since turn ")
                    .append(sinceTurn).append(" (").append(since).append(')');
            if (pendingUp != null) {
                why.append("; moves up at its next turn that may move (").append(pendingUp).append(')');
            }
            if (heldBecause != null) {
                why.append("; held: ").append(heldBecause);
            }
            return decision(why.toString());
        }

        RouteDecision moveUp(GatewayConfig cfg, String trigger) {
            SwitchPrice price = price(cfg, ceilingModel);
            String why = String.format(Locale.ROOT, "session moved up from %s to %s at turn %d (%s)", tier.id(),
                    ceiling.id(), turnNumber(), trigger) + (price == null ? "" : ": " + price.describe());
            switchTo(ceiling, ceilingModel, "escalated: " + trigger, price);
            escalated = true;
            pendingUp = null;
            return decision(why);
        }

        RouteDecision judgeRoutine(GatewayConfig cfg, RouteDecision judged) {
            Tier lower = judged.tier();
            if (lower == null || !tier.isAbove(lower) || escalated || pendingUp != null) {
                routinePrompts = 0;
                return kept(null);
            }
            if (++routinePrompts < ROUTINE_PROMPTS) {
                return kept(null);
            }
            String target = lower == ceiling ? ceilingModel : cfg.modelFor(lower);
            SwitchPrice price = price(cfg, target);
            if (price == null || !price.pays()) {
                lastPrice = price;
                return decision(kept(null).reason() + "; switch to " + lower.id() + " refused: "
                        + (price == null ? "price unknown" : price.describe()));
            }
            String why = String.format(Locale.ROOT, "session moved down from %s to %s at turn %d (%d routine "
                    + "prompts): %s", tier.id(), lower.id(), turnNumber(), routinePrompts, price.describe());
            switchTo(lower, target, "routine prompts", price);
            routinePrompts = 0;
            return decision(why);
        }

        void switchTo(Tier t, String m, String reason, SwitchPrice price) {
            tier = t;
            model = m;
            since = reason;
            sinceTurn = turnNumber();
            lastPrice = price;
        }

        SwitchPrice price(GatewayConfig cfg, String target) {
            Duration ttl = oneHourTtl ? Duration.ofHours(1) : Duration.ofMinutes(5);
            boolean warm = lastAnswer != null && clock.instant().isBefore(lastAnswer.plus(ttl));
            return SwitchPrice.of(cfg, model, target, prefixTokens > 0 ? prefixTokens : requestTokens, oneHourTtl,
                    warm, averageTurn(), turns / 2.0);
        }

        /** A typical later turn: the average after the first (whose full write is not typical), else the first. */
        Usage averageTurn() {
            if (turns == 0) {
                return Usage.ZERO;
            }
            Usage sum = turns > 1 ? afterFirst : all;
            long n = turns > 1 ? turns - 1 : 1;
            return new Usage(sum.inputTokens() / n, sum.outputTokens() / n, sum.cacheCreationInputTokens() / n,
                    sum.cacheCreation5mTokens() / n, sum.cacheCreation1hTokens() / n, sum.cacheReadInputTokens() / n);
        }

        void answered(Usage usage, Instant at) {
            turns++;
            all = all.plus(usage);
            if (turns > 1) {
                afterFirst = afterFirst.plus(usage);
            }
            long cached = usage.cacheReadInputTokens() + usage.cacheCreationInputTokens();
            if (cached > 0) {
                prefixTokens = cached;
            }
            lastAnswer = at;
        }

        RouteDecision decision(String reason) {
            return new RouteDecision(requestedModel, model, ceiling, tier, ClassifierLayer.SESSION, reason, true,
                    List.of());
        }
    }
}
