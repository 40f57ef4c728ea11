package dev.costgateway.core.metrics.http;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.MetricsQueries.InstanceRow;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/** JSON shapes of the metrics endpoints (snake_case, money in USD, times ISO-8601 UTC, durations in ms). */
final class MetricsJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private MetricsJson() {
    }

    static ObjectNode summary(Summary s, Instant from, Instant to, long dropped, List<TimelinePoint> timeline) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "metrics");
        o.put("from", from == null ? null : from.toString());
        o.put("to", to == null ? null : to.toString());
        o.put("requests", s.requests());
        o.put("cost_usd", s.costUsd());
        o.put("counterfactual_usd", s.counterfactualUsd());
        o.put("saved_usd", s.savedUsd());
        o.put("savings_percent", s.savingsPercent());
        ObjectNode cache = o.putObject("cache");
        cache.put("exact_hits", s.exactHits());
        cache.put("semantic_hits", s.semanticHits());
        cache.put("hit_rate", s.cacheHitRate());
        cache.put("exact_hit_rate", rate(s.exactHits(), s.requests()));
        cache.put("semantic_hit_rate", rate(s.semanticHits(), s.requests()));
        o.put("escalated_requests", s.escalatedRequests());
        o.put("escalation_rate", s.escalationRate());
        o.put("errors", s.errors());
        o.put("error_rate", rate(s.errors(), s.requests()));
        ObjectNode latency = o.putObject("latency_ms");
        latency.put("p50", s.latencyP50Millis());
        latency.put("p95", s.latencyP95Millis());
        ObjectNode byModel = o.putObject("by_model");
        for (Map.Entry<String, Long> e : s.requestsByModel().entrySet()) {
            ObjectNode m = byModel.putObject(e.getKey());
            m.put("requests", e.getValue());
            m.put("cost_usd", s.costByModel().getOrDefault(e.getKey(), 0.0));
        }
        counts(o.putObject("by_tier"), s.requestsByTier());
        counts(o.putObject("by_classifier_layer"), s.requestsByLayer());
        o.put("dropped_records", dropped);
        if (timeline != null) {
            ArrayNode points = o.putArray("timeline");
            for (TimelinePoint p : timeline) {
                ObjectNode n = points.addObject();
                n.put("start", p.bucketStart().toString());
                n.put("requests", p.requests());
                n.put("cost_usd", p.costUsd());
                n.put("counterfactual_usd", p.counterfactualUsd());
                n.put("exact_hits", p.exactHits());
                n.put("semantic_hits", p.semanticHits());
                n.put("latency_p50_ms", p.latencyP50Millis());
                n.put("latency_p95_ms", p.latencyP95Millis());
                counts(n.putObject("by_model"), p.requestsByModel());
                counts(n.putObject("by_tier"), p.requestsByTier());
            }
        }
        return o;
    }

    static ObjectNode instances(List<InstanceRow> rows, Instant from, Instant to) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "instances");
        o.put("from", from == null ? null : from.toString());
        o.put("to", to == null ? null : to.toString());
        ArrayNode list = o.putArray("instances");
        for (InstanceRow r : rows) {
            ObjectNode n = list.addObject();
            n.put("instance", r.instance());
            n.put("requests", r.requests());
            n.put("cost_usd", r.costUsd());
            n.put("saved_usd", r.savedUsd());
            n.put("first_seen", r.firstSeen().toString());
            n.put("last_seen", r.lastSeen().toString());
        }
        return o;
    }

    static ObjectNode recent(List<RequestRecord> records) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "recent_requests");
        o.put("count", records.size());
        ArrayNode data = o.putArray("data");
        for (RequestRecord r : records) {
            data.add(request(r));
        }
        return o;
    }

    /** The router's numbers (V3), null when not scored; an infinite threshold ("never") is written as null. */
    private static void routerScores(ObjectNode o, dev.costgateway.core.metrics.RouterScores s) {
        if (s == null) {
            o.putNull("router_scores");
            return;
        }
        ObjectNode n = o.putObject("router_scores");
        n.put("premium", s.premium());
        n.put("balanced", s.balanced());
        n.put("model", s.model());
        n.put("threshold_premium", Double.isFinite(s.premiumThreshold()) ? s.premiumThreshold() : null);
        n.put("threshold_fast", Double.isFinite(s.fastThreshold()) ? s.fastThreshold() : null);
        n.put("threshold_source", s.thresholdSource());
        n.put("ceiling", s.ceiling());
    }

    static ObjectNode request(RequestRecord r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("query_id", r.queryId());
        o.put("timestamp", r.timestamp().toString());
        o.put("caller_key_hash", r.callerKeyHash());
        o.put("requested_model", r.requestedModel());
        o.put("final_model", r.finalModel());
        o.put("tier", r.tier());
        o.put("classifier_layer", r.classifierLayer());
        o.put("classifier_reason", r.classifierReason());
        o.put("cache_kind", r.cacheKind());
        o.put("escalations", r.escalations());
        o.put("stream", r.stream());
        o.put("status", r.status());
        o.put("error_type", r.errorType());
        usage(o, r.usage());
        o.put("cost_usd", r.costUsd());
        o.put("counterfactual_usd", r.counterfactualUsd());
        o.put("saved_usd", r.savedUsd());
        o.put("latency_ms", r.latencyMillis());
        o.put("ttfb_ms", r.ttfbMillis());
        o.put("upstream_ms", r.upstreamMillis());
        o.put("prompt_preview", r.promptPreview());
        o.put("answer_preview", r.answerPreview());
        if (r.session().isPresent()) {
            o.put("session_id", r.session().id());
            o.put("session_source", r.session().source().wire());
            o.put("project", r.session().project());
        } else {
            o.putNull("session_id");
            o.putNull("session_source");
            o.putNull("project");
        }
        routerScores(o, r.routerScores());
        ArrayNode attempts = o.putArray("attempts");
        for (AttemptRecord a : r.attempts()) {
            ObjectNode n = attempts.addObject();
            n.put("index", a.index());
            n.put("purpose", a.purpose());
            n.put("model", a.model());
            n.put("trigger", a.trigger());
            n.put("status", a.status());
            usage(n, a.usage());
            n.put("cost_usd", a.costUsd());
            n.put("latency_ms", a.latencyMillis());
        }
        return o;
    }

    static ObjectNode sessions(List<SessionRow> rows, Instant from, Instant to) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "sessions");
        o.put("from", from == null ? null : from.toString());
        o.put("to", to == null ? null : to.toString());
        o.put("count", rows.size());
        ArrayNode data = o.putArray("data");
        for (SessionRow s : rows) {
            data.add(session(s));
        }
        return o;
    }

    static ObjectNode session(SessionRow s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("session_id", s.sessionId());
        n.put("source", s.source());
        n.put("project", s.project());
        n.put("project_short", SessionTag.shortProject(s.project()));
        n.put("started", s.started().toString());
        n.put("last_activity", s.lastActivity().toString());
        n.put("duration_ms", s.duration().toMillis());
        n.put("requests", s.requests());
        ArrayNode models = n.putArray("models");
        s.models().forEach(models::add);
        n.put("cost_usd", s.costUsd());
        n.put("counterfactual_usd", s.counterfactualUsd());
        n.put("saved_usd", s.savedUsd());
        n.put("input_tokens", s.inputTokens());
        n.put("output_tokens", s.outputTokens());
        n.put("cache_creation_tokens", s.cacheCreationTokens());
        n.put("cache_read_tokens", s.cacheReadTokens());
        n.put("prompt_cache_hit_ratio", s.promptCacheHitRatio());
        n.put("cache_hits", s.cacheHits());
        n.put("escalations", s.escalations());
        n.put("errors", s.errors());
        n.put("cache_warnings", s.cacheWarnings());
        n.put("cache_wasted_usd", s.cacheWastedUsd());
        return n;
    }

    /** One session: its prompt-cache findings, then its requests in order. */
    static ObjectNode session(String id, List<RequestRecord> records, List<CacheHealth.Warning> warnings) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "session");
        o.put("session_id", id);
        o.put("count", records.size());
        ObjectNode health = o.putObject("cache_health");
        health.put("wasted_usd", CacheHealth.totalUsd(warnings));
        ArrayNode list = health.putArray("warnings");
        for (CacheHealth.Warning w : warnings) {
            ObjectNode n = list.addObject();
            n.put("kind", w.kind().wire());
            n.put("request_index", w.turnIndex());
            n.put("query_id", w.queryId());
            n.put("model", w.model());
            n.put("tokens", w.tokens());
            n.put("cost_usd", w.costUsd());
            n.put("detail", w.detail());
        }
        ArrayNode data = o.putArray("requests");
        for (RequestRecord r : records) {
            data.add(request(r));
        }
        return o;
    }

    static ObjectNode error(String type, String message) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "error");
        ObjectNode e = o.putObject("error");
        e.put("type", type);
        e.put("message", message);
        return o;
    }

    /** The Messages API's usage object shape, or null when the request had none. */
    private static void usage(ObjectNode parent, Usage u) {
        if (u == null) {
            parent.putNull("usage");
            return;
        }
        ObjectNode n = parent.putObject("usage");
        n.put("input_tokens", u.inputTokens());
        n.put("output_tokens", u.outputTokens());
        n.put("cache_creation_input_tokens", u.cacheCreationInputTokens());
        n.put("cache_read_input_tokens", u.cacheReadInputTokens());
        ObjectNode breakdown = n.putObject("cache_creation");
        breakdown.put("ephemeral_5m_input_tokens", u.cacheCreation5mTokens());
        breakdown.put("ephemeral_1h_input_tokens", u.cacheCreation1hTokens());
    }

    private static void counts(ObjectNode target, Map<String, Long> counts) {
        counts.forEach(target::put);
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
