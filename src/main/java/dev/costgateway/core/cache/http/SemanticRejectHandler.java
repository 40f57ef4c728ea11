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

/**
 * {@code POST /v1/cache/semantic/{query_id}/reject}: the semantic hit served to that request was wrong. Evicts
 * the entry and keeps the pair as a local negative ({@link SemanticCache#reject}). 200 with
 * {@code {"type":"semantic_rejection","query_id":…,"evicted":true}}; 404 {@code not_found_error} when no semantic
 * hit is known under the id; 405 for another method on the path. Every other request is left to the next handler
 * (returns false). Thread-safe.
 */
public final class SemanticRejectHandler extends Handler.Abstract {

    private static final Pattern PATH = Pattern.compile("/v1/cache/semantic/([A-Za-z0-9_-]{1,64})/reject");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<String, SemanticCache.Rejection> reject;

    /** @param reject usually {@code semanticCache::reject} */
    public SemanticRejectHandler(Function<String, SemanticCache.Rejection> reject) {
        this.reject = Objects.requireNonNull(reject);
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
        if (reject.apply(queryId) == SemanticCache.Rejection.UNKNOWN) {
            send(response, callback, 404, AnthropicErrors.body(AnthropicErrors.NOT_FOUND,
                    "no semantic cache hit is known for query " + queryId));
            return true;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "semantic_rejection");
        body.put("query_id", queryId);
        body.put("evicted", true);
        send(response, callback, 200, body.toString().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private static void send(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
