package dev.costgateway.core.routing.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.WhatIf;

/**
 * {@code GET /v1/routing/whatif}: what a routing setting would have done to the requests recorded in a range
 * ({@link RecordedTraffic}), as JSON: share per tier, estimated spend and savings, the same figures for the setting
 * in force, what was actually spent, and how many requests would change tier (a few query ids as examples).
 *
 * <p>Parameters, each optional: {@code premium_share} and {@code fast_share} (0 to 1; a share given here replaces
 * a raw threshold of the same head in the configuration), {@code thresholds.premium} and {@code thresholds.fast}
 * (raw thresholds, as in {@code routing.thresholds.*}); the setting in force fills in the rest. With
 * {@code calibrate=own} the shares are calibrated on the range's own scored requests instead of the shipped
 * reference ({@link RecordedTraffic#calibratedOnThis}), and the raw thresholds that result are in {@code setting}, to
 * be copied to {@code routing.thresholds.*}. {@code from} /
 * {@code to} as in the metrics endpoints (ISO date or instant; a date as {@code to} includes that day); without
 * {@code from} the {@value #DEFAULT_DAYS} days before {@code to} (or now). Bad parameters get 400 in the Anthropic
 * error shape, a failing store 500; other paths and methods are left to the next handler. Reads the range's rows
 * on the request thread (at most {@link MetricsQueries#MAX_SCORED}, newest first). Thread-safe.
 */
public final class WhatIfHandler extends Handler.Abstract {

    static final String PATH = "/v1/routing/whatif";
    static final int DEFAULT_DAYS = 7;

    private static final Logger LOG = LoggerFactory.getLogger(WhatIfHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BiFunction<Instant, Instant, RecordedTraffic> traffic;
    private final Supplier<GatewayConfig> config;
    private final InstantSource clock;

    /**
     * @param traffic the scored requests of [from, to) (null {@code to}: up to now), e.g.
     *                {@code GatewayControl#routingTraffic}; blocks on the database
     * @param config  the configuration in force: prices, and the setting the proposal is compared with
     */
    public WhatIfHandler(BiFunction<Instant, Instant, RecordedTraffic> traffic, Supplier<GatewayConfig> config,
                         InstantSource clock) {
        this.traffic = Objects.requireNonNull(traffic);
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!PATH.equals(Request.getPathInContext(request))) {
            return false;
        }
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            send(response, callback, 405, AnthropicErrors.body(AnthropicErrors.INVALID_REQUEST,
                    "use GET for the routing what-if"));
            return true;
        }
        try {
            Fields params = Request.extractQueryParameters(request);
            GatewayConfig cfg = config.get();
            GatewayConfig.Routing proposed = proposal(params, cfg.routing());
            Instant to = instant(params, "to", true);
            Instant from = instant(params, "from", false);
            Instant end = to != null ? to : clock.instant();
            if (from == null) {
                from = end.minus(Duration.ofDays(DEFAULT_DAYS));
            }
            if (from.isAfter(end)) {
                throw new BadRequest("from must not be after to");
            }
            String calibrate = params.getValue("calibrate");
            boolean own = "own".equals(calibrate);
            if (calibrate != null && !own && !"reference".equals(calibrate)) {
                throw new BadRequest("calibrate must be reference (the default) or own");
            }
            RecordedTraffic recorded = traffic.apply(from, to);
            if (own) {
                proposed = recorded.calibratedOnThis(proposed, proposed.premiumShare(), proposed.fastShare())
                        .orElseThrow(() -> new BadRequest("calibrate=own needs shares strictly between 0 and 1 and "
                                + "scored requests in the range"));
            }
            RecordedTraffic.Report report = recorded.evaluate(proposed, cfg);
            send(response, callback, 200, JSON.writeValueAsBytes(json(report, recorded.size(), proposed, own, from, to)));
        } catch (BadRequest e) {
            send(response, callback, 400, AnthropicErrors.body(AnthropicErrors.INVALID_REQUEST, e.getMessage()));
        } catch (Exception e) {
            LOG.warn("routing what-if failed", e);
            send(response, callback, 500, AnthropicErrors.body(AnthropicErrors.API_ERROR,
                    "the routing what-if is unavailable right now"));
        }
        return true;
    }

    /** The setting in force with the parameters' values; a share given clears that head's raw threshold. */
    static GatewayConfig.Routing proposal(Fields params, GatewayConfig.Routing r) {
        Double premiumShare = number(params, "premium_share", true);
        Double fastShare = number(params, "fast_share", true);
        Double premiumRaw = number(params, "thresholds.premium", false);
        Double fastRaw = number(params, "thresholds.fast", false);
        Double premiumThreshold = premiumRaw != null ? premiumRaw : premiumShare != null ? null : r.premiumThreshold();
        Double fastThreshold = fastRaw != null ? fastRaw : fastShare != null ? null : r.fastThreshold();
        return new GatewayConfig.Routing(r.mode(), r.allowUpgrade(), r.longContextTokens(), r.manyTurns(),
                r.conservativeTools(), r.conservativeThinking(), r.conservativeMedia(), r.conservativeLongContext(),
                r.conservativeManyTurns(), premiumShare != null ? premiumShare : r.premiumShare(),
                fastShare != null ? fastShare : r.fastShare(), premiumThreshold, fastThreshold);
    }

    private static Double number(Fields params, String name, boolean share) {
        String v = params.getValue(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (Double.isNaN(d) || Double.isInfinite(d) || (share && (d < 0 || d > 1))) {
            throw new BadRequest(name + (share ? " must be a number from 0 to 1" : " must be a number"));
        }
        return d;
    }

    private static Instant instant(Fields params, String name, boolean upperBound) {
        try {
            return dev.costgateway.core.metrics.http.RangeParams.instant(params, name, upperBound);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static ObjectNode json(RecordedTraffic.Report r, int requests, GatewayConfig.Routing proposed,
                                   boolean ownCalibration, Instant from, Instant to) {
        ObjectNode out = JSON.createObjectNode();
        out.put("type", "routing_whatif");
        out.put("from", from.toString());
        if (to == null) {
            out.putNull("to");
        } else {
            out.put("to", to.toString());
        }
        out.put("requests", requests);
        ObjectNode setting = out.putObject("setting");
        setting.put("premium_share", proposed.premiumShare());
        setting.put("fast_share", proposed.fastShare());
        setting.put("calibration", ownCalibration ? "own" : "reference");
        ObjectNode thresholds = setting.putObject("thresholds");
        putNullable(thresholds, "premium", proposed.premiumThreshold());
        putNullable(thresholds, "fast", proposed.fastThreshold());
        estimate(out.putObject("proposed"), r.proposed());
        estimate(out.putObject("now"), r.now());
        ObjectNode actual = out.putObject("actual");
        shares(actual.putObject("share"), r.actual().share());
        actual.put("cost_usd", r.actual().costUsd());
        actual.put("unknown_cost_requests", r.actual().unknownCost());
        actual.put("escalated_requests", r.actual().escalated());
        out.put("changed_tier", r.changedTier());
        var examples = out.putArray("examples");
        for (RecordedTraffic.Change c : r.examples()) {
            examples.addObject().put("query_id", c.queryId()).put("now", c.now().id())
                    .put("proposed", c.proposed().id());
        }
        return out;
    }

    private static void estimate(ObjectNode node, WhatIf.Result r) {
        shares(node.putObject("share"), r.share());
        node.put("estimated_cost_usd", r.spendUsd());
        node.put("counterfactual_usd", r.counterfactualUsd());
        node.put("estimated_saved_usd", r.savedUsd());
    }

    private static void shares(ObjectNode node, Map<Tier, Double> share) {
        for (Tier t : Tier.values()) {
            node.put(t.id(), share.getOrDefault(t, 0.0));
        }
    }

    private static void putNullable(ObjectNode node, String name, Double v) {
        if (v == null) {
            node.putNull(name);
        } else {
            node.put(name, v);
        }
    }

    private static void send(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
