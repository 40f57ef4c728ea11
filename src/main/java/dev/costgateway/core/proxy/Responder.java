package dev.costgateway.core.proxy;

import java.nio.ByteBuffer;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.ClassifierLayer;

/**
 * Stage 6, respond: writes the proxy-to-client response of one exchange, whole (cached answer, buffered answer,
 * gateway error) or the head of a live stream, with the {@code X-Gateway-*} headers from the ledger. Upstream
 * headers and bytes pass unchanged. Marks the first byte in the ledger. Used from one thread at a time.
 */
final class Responder {

    private final Response proxyToClientResponse;
    private final RequestLedger ledger;

    Responder(Response proxyToClientResponse, RequestLedger ledger) {
        this.proxyToClientResponse = proxyToClientResponse;
        this.ledger = ledger;
    }

    boolean isCommitted() {
        return proxyToClientResponse.isCommitted();
    }

    /** A cached answer: the Message JSON, or its SSE replay for a streaming request. */
    void cacheHit(MessagePolicy.CacheHit hit, byte[] out, boolean sse, Double saved, Callback done) {
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        if (sse) {
            headers.put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        } else {
            headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        GatewayHeaders.put(headers, hit.model(), hit.kind(), saved, ClassifierLayer.NONE, ledger.queryId(), 0);
        whole(200, headers, out, done);
    }

    /** A buffered upstream answer (or error body), byte for byte with its headers. */
    void upstreamAnswer(UpstreamAnswer answer, Double saved, Callback done) {
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        ProxyHeaders.copyResponseHeaders(answer.headers(), headers);
        gatewayHeaders(headers, saved);
        whole(answer.status(), headers, answer.content(), done);
    }

    /** The head of a live stream; its bytes follow through {@link #write}. */
    void streamHead(int status, HttpFields upstreamHeaders, Double saved) {
        proxyToClientResponse.setStatus(status);
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        ProxyHeaders.copyResponseHeaders(upstreamHeaders, headers);
        gatewayHeaders(headers, saved);
    }

    void write(boolean last, ByteBuffer bytes, Callback done) {
        ledger.firstByte();
        proxyToClientResponse.write(last, bytes, done);
    }

    /** An error the gateway itself answers, in the Anthropic error shape. The response must not be committed. */
    void gatewayError(int status, String type, String message, Callback done) {
        gatewayError(status, type, message, null, done);
    }

    /** @param shouldRetry the {@code x-should-retry} header the official SDKs obey; null sends none */
    void gatewayError(int status, String type, String message, Boolean shouldRetry, Callback done) {
        byte[] out = AnthropicErrors.body(type, message);
        HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
        if (shouldRetry != null) {
            headers.put("x-should-retry", shouldRetry.toString());
        }
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        headers.put(GatewayHeaders.QUERY_ID, ledger.queryId());
        headers.put(HttpHeader.CONTENT_LENGTH, out.length);
        proxyToClientResponse.setStatus(status);
        proxyToClientResponse.write(true, ByteBuffer.wrap(out), done);
    }

    private void gatewayHeaders(HttpFields.Mutable headers, Double saved) {
        GatewayHeaders.put(headers, ledger.currentModel(), CacheKind.NONE, saved, ledger.layer(), ledger.queryId(),
                ledger.escalations());
    }

    private void whole(int status, HttpFields.Mutable headers, byte[] out, Callback done) {
        headers.put(HttpHeader.CONTENT_LENGTH, out.length);
        proxyToClientResponse.setStatus(status);
        ledger.firstByte();
        proxyToClientResponse.write(true, ByteBuffer.wrap(out), done);
    }
}
