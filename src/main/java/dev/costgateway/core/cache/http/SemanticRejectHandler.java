package dev.costgateway.core.cache.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.cache.SemanticCache;
import dev.costgateway.core.proxy.SemanticReplays;

/**
 * {@code POST /v1/cache/semantic/{query_id}/reject}: the semantic hit served to that request was wrong. Evicts
 * the entry and keeps the pair as a local negative ({@link SemanticCache#reject}). 200 with
 * {@code {"type":"semantic_rejection","query_id":…,"evicted":true}}; 404 {@code not_found_error} when no semantic
 * hit is known under the id; 405 for another method on the path.
 *
 * <p>With {@code ?reask=true}, and as {@code POST /v1/cache/semantic/{query_id}/reask} after an earlier
 * rejection, the rejected request is then sent through the gateway again ({@link SemanticReplays}) and its answer
 * is the response, as the gateway sent it (status, headers, JSON or SSE), with {@code X-Gateway-Reask-Of:
 * <query_id>}; the replay's own id is in its {@code X-Gateway-Query-ID}. 403 {@code permission_error} when the hit
 * was made with another credential than the caller's, 404 when no rejected hit is remembered, 502 when the replay
 * failed. Every other request is left to the next handler (returns false). Thread-safe.
 */
public final class SemanticRejectHandler extends Handler.Abstract {

    private static final Pattern PATH = Pattern.compile("/v1/cache/semantic/([A-Za-z0-9_-]{1,64})/(reject|reask)");
    /** Response headers of the replay that describe its connection, not its answer. */
    private static final java.util.Set<String> NOT_COPIED = java.util.Set.of("content-length", "transfer-encoding",
            "connection", "keep-alive", "date", "server");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<String, SemanticCache.Rejection> reject;
    private final SemanticReplays replays;

    /** @param reject usually {@code semanticCache::reject}; no re-ask */
    public SemanticRejectHandler(Function<String, SemanticCache.Rejection> reject) {
        this(reject, null);
    }

    /**
     * @param reject  rejects a hit and marks it for a re-ask in {@code replays}
     * @param replays the remembered semantic hits; null: {@code reask} answers 404
     */
    public SemanticRejectHandler(Function<String, SemanticCache.Rejection> reject, SemanticReplays replays) {
        this.reject = Objects.requireNonNull(reject);
        this.replays = replays;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Matcher m = PATH.matcher(Request.getPathInContext(request));
        if (!m.matches()) {
            return false;
        }
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            send(response, callback, 405, AnthropicErrors.body(AnthropicErrors.INVALID_REQUEST,
                    "use POST to reject a semantic cache hit"));
            return true;
        }
        String queryId = m.group(1);
        if (m.group(2).equals("reask")) {
            reask(request, response, callback, queryId);
            return true;
        }
        if (reject.apply(queryId) == SemanticCache.Rejection.UNKNOWN) {
            send(response, callback, 404, AnthropicErrors.body(AnthropicErrors.NOT_FOUND,
                    "no semantic cache hit is known for query " + queryId));
            return true;
        }
        if ("true".equalsIgnoreCase(Request.extractQueryParameters(request).getValue("reask"))) {
            reask(request, response, callback, queryId);
            return true;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "semantic_rejection");
        body.put("query_id", queryId);
        body.put("evicted", true);
        send(response, callback, 200, body.toString().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private void reask(Request request, Response response, Callback callback, String queryId) {
        if (replays == null) {
            send(response, callback, 404, AnthropicErrors.body(AnthropicErrors.NOT_FOUND,
                    "this gateway does not re-ask semantic hits"));
            return;
        }
        replays.reask(queryId, SemanticReplays.Asker.fromHeaders(request.getHeaders())).whenComplete((r, e) -> {
            if (e != null) {
                send(response, callback, 502, AnthropicErrors.body(AnthropicErrors.API_ERROR,
                        "the re-ask failed: " + e.getMessage()));
                return;
            }
            switch (r.outcome()) {
                case UNKNOWN -> send(response, callback, 404, AnthropicErrors.body(AnthropicErrors.NOT_FOUND,
                        r.detail()));
                case FORBIDDEN -> send(response, callback, 403, AnthropicErrors.body(AnthropicErrors.PERMISSION,
                        r.detail()));
                case FAILED -> send(response, callback, 502, AnthropicErrors.body(AnthropicErrors.API_ERROR,
                        r.detail()));
                case ASKED -> {
                    response.setStatus(r.status());
                    for (org.eclipse.jetty.http.HttpField f : r.headers()) {
                        if (!NOT_COPIED.contains(f.getLowerCaseName())) {
                            response.getHeaders().add(f);
                        }
                    }
                    response.getHeaders().put("X-Gateway-Reask-Of", queryId);
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
                    response.write(true, ByteBuffer.wrap(r.body()), callback);
                }
            }
        });
    }

    private static void send(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
