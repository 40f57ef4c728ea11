package dev.costgateway.core.budget;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.AnthropicErrors;

/**
 * {@code GET /v1/budgets}: every budget's state. {@code POST /v1/budgets/{name}/allow?minutes=60} lets requests past
 * that budget's limit for a while (the app's "allow for the next hour"); {@code DELETE} on the same path ends that
 * early. Returns false for every other path. Behind the gateway token like every endpoint. Thread-safe.
 */
public final class BudgetsHandler extends Handler.Abstract {

    static final String PATH = "/v1/budgets";
    static final int MAX_ALLOW_MINUTES = 24 * 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BudgetTracker tracker;

    public BudgetsHandler(BudgetTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
            return false;
        }
        String method = request.getMethod();
        if (path.equals(PATH)) {
            if (!method.equals("GET")) {
                return error(response, callback, 405, AnthropicErrors.INVALID_REQUEST, "use GET " + PATH);
            }
            ObjectNode body = json(tracker.states(), tracker.zone());
            body.set("sharing", sharingJson(tracker.sharing(), tracker.now()));
            return json(response, callback, 200, body);
        }
        String rest = path.substring(PATH.length() + 1);
        if (!rest.endsWith("/allow") || rest.length() == "/allow".length()) {
            return error(response, callback, 404, AnthropicErrors.NOT_FOUND,
                    "no such endpoint: " + path + " (use " + PATH + " or " + PATH + "/{name}/allow)");
        }
        String name = URLDecoder.decode(rest.substring(0, rest.length() - "/allow".length()), StandardCharsets.UTF_8);
        if (tracker.budgets().stream().noneMatch(b -> b.name().equals(name))) {
            return error(response, callback, 404, AnthropicErrors.NOT_FOUND, "no budget named \"" + name + "\"");
        }
        if (method.equals("DELETE")) {
            tracker.clearOverride(name);
            return json(response, callback, 200, JSON.createObjectNode().put("name", name).putNull("overridden_until"));
        }
        if (!method.equals("POST")) {
            return error(response, callback, 405, AnthropicErrors.INVALID_REQUEST, "use POST or DELETE on " + path);
        }
        Fields query = Request.extractQueryParameters(request);
        int minutes = 60;
        String m = query.getValue("minutes");
        if (m != null) {
            try {
                minutes = Integer.parseInt(m);
            } catch (NumberFormatException e) {
                minutes = -1;
            }
            if (minutes < 1 || minutes > MAX_ALLOW_MINUTES) {
                return error(response, callback, 400, AnthropicErrors.INVALID_REQUEST,
                        "minutes: must be a whole number from 1 to " + MAX_ALLOW_MINUTES);
            }
        }
        tracker.allowFor(name, Duration.ofMinutes(minutes));
        String until = tracker.states().stream().filter(s -> s.budget().name().equals(name)).findFirst()
                .map(s -> s.overriddenUntil() == null ? null : s.overriddenUntil().toString()).orElse(null);
        return json(response, callback, 200, JSON.createObjectNode().put("name", name).put("overridden_until", until));
    }

    /** The JSON of {@code GET /v1/budgets}, also embedded in {@code /health}. */
    public static ObjectNode json(List<BudgetState> states, ZoneId zone) {
        ObjectNode root = JSON.createObjectNode();
        root.put("time_zone", zone.getId());
        ArrayNode list = root.putArray("budgets");
        for (BudgetState s : states) {
            Budget b = s.budget();
            ObjectNode n = list.addObject();
            n.put("name", b.name());
            n.put("period", b.period().wire());
            n.put("scope", b.scope().wire());
            n.put("scope_label", s.scopeLabel());
            n.put("limit_usd", b.limitUsd());
            n.put("spent_usd", round(s.spentUsd()));
            n.put("percent", Math.round(s.percent() * 10) / 10.0);
            n.put("projected_usd", round(s.projectedUsd()));
            n.put("warn_at_percent", b.warnAtPercent());
            n.put("action", b.action().wire());
            n.put("level", s.level().wire());
            n.put("blocking", s.blocking());
            n.put("period_start", s.periodStart().toString());
            n.put("resets_at", s.resetsAt().toString());
            n.put("overridden_until", s.overriddenUntil() == null ? null : s.overriddenUntil().toString());
            n.put("others_spent_usd", round(s.othersUsd()));
        }
        return root;
    }

    /**
     * Whether the other gateways' spend is counted and how fresh it is: {@code state} {@code off} (one gateway),
     * {@code fresh}, or {@code stale} (the last read failed, or is older than {@link BudgetTracker#STALE_AFTER});
     * {@code others_as_of} and {@code age_seconds} (-1: never read) say which figure is in use, {@code detail} why
     * the last read failed. In {@code GET /v1/budgets} (as {@code sharing}) and in {@code /health}
     * (as {@code budget_sharing}).
     */
    public static ObjectNode sharingJson(BudgetTracker.Sharing sharing, java.time.Instant now) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", sharing.state(now));
        if (!sharing.shared()) {
            return n;
        }
        n.put("refresh_period_ms", BudgetTracker.REFRESH_PERIOD.toMillis());
        n.put("others_as_of", sharing.othersAsOf() == null ? null : sharing.othersAsOf().toString());
        n.put("age_seconds", sharing.ageSeconds(now));
        if (sharing.problem() != null) {
            n.put("detail", sharing.problem());
        }
        return n;
    }

    private static double round(double usd) {
        return Math.round(usd * 1e6) / 1e6;
    }

    private static boolean json(Response response, Callback callback, int status, ObjectNode body) {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private static boolean error(Response response, Callback callback, int status, String type, String message) {
        byte[] bytes = AnthropicErrors.body(type, message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
