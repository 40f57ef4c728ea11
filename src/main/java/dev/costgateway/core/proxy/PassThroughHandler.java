package dev.costgateway.core.proxy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.eclipse.jetty.client.ContentSourceRequestContent;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.config.GatewayConfig;

/**
 * Every {@code /v1/} path other than {@code POST /v1/messages} (count_tokens, models, batches, files, unknown
 * paths): method, path, query, headers, body and status pass through untouched, both bodies streamed.
 */
final class PassThroughHandler {

    private final Supplier<GatewayConfig> config;
    private final UpstreamClient upstream;
    private final Supplier<String> envApiKey;

    PassThroughHandler(Supplier<GatewayConfig> config, UpstreamClient upstream, Supplier<String> envApiKey) {
        this.config = config;
        this.upstream = upstream;
        this.envApiKey = envApiKey;
    }

    void handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback callback) {
        GatewayConfig cfg = config.get();
        String injected = null;
        if (!ProxyHeaders.hasCredential(clientToProxyRequest.getHeaders())) {
            String env = envApiKey.get();
            injected = env != null && !env.isBlank() ? env : (cfg.upstream().apiKey().isBlank() ? null : cfg.upstream().apiKey());
        }
        String key = injected;
        boolean hasBody = clientToProxyRequest.getLength() > 0
                || clientToProxyRequest.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        var proxyToServerRequest = upstream.newRequest(clientToProxyRequest.getHttpURI().getPathQuery())
                .method(clientToProxyRequest.getMethod())
                .headers(h -> {
                    ProxyHeaders.copyRequestHeaders(clientToProxyRequest.getHeaders(), h, false);
                    if (key != null) {
                        h.put("x-api-key", key);
                    }
                })
                .timeout(cfg.upstream().timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (hasBody) {
            proxyToServerRequest.body(new ContentSourceRequestContent(clientToProxyRequest,
                    clientToProxyRequest.getHeaders().get(HttpHeader.CONTENT_TYPE)));
        }
        Forward forward = new Forward(proxyToServerRequest, proxyToClientResponse, callback);
        clientToProxyRequest.addFailureListener(proxyToServerRequest::abort);
        forward.send();
    }

    /** Streams one upstream response to the client with back-pressure. */
    private final class Forward {
        private final org.eclipse.jetty.client.Request proxyToServerRequest;
        private final Response proxyToClientResponse;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();
        private Content.Source source;

        Forward(org.eclipse.jetty.client.Request req, Response resp, Callback callback) {
            this.proxyToServerRequest = req;
            this.proxyToClientResponse = resp;
            this.callback = callback;
        }

        void send() {
            proxyToServerRequest
                    .onResponseHeaders(r -> {
                        proxyToClientResponse.setStatus(r.getStatus());
                        HttpFields.Mutable out = proxyToClientResponse.getHeaders();
                        ProxyHeaders.copyResponseHeaders(r.getHeaders(), out);
                        long length = r.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
                        if (length >= 0) {
                            out.put(HttpHeader.CONTENT_LENGTH, length);
                        }
                    })
                    .onResponseContentSource((r, s) -> {
                        source = s;
                        pump();
                    })
                    .send(result -> {
                        if (result.isFailed() && source == null) {
                            fail(result.getFailure());
                        }
                    });
        }

        private void pump() {
            while (true) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this::pump);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(chunk.getFailure());
                    return;
                }
                boolean last = chunk.isLast();
                AtomicBoolean returned = new AtomicBoolean();
                proxyToClientResponse.write(last, chunk.getByteBuffer(), Callback.from(() -> {
                    chunk.release();
                    if (last) {
                        if (done.compareAndSet(false, true)) {
                            callback.succeeded();
                        }
                    } else if (!returned.compareAndSet(false, true)) {
                        pump();
                    }
                }, x -> {
                    chunk.release();
                    proxyToServerRequest.abort(x);
                    if (done.compareAndSet(false, true)) {
                        callback.failed(x);
                    }
                }));
                if (last || returned.compareAndSet(false, true)) {
                    return;
                }
            }
        }

        private void fail(Throwable failure) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            if (proxyToClientResponse.isCommitted()) {
                callback.failed(failure);
                return;
            }
            boolean timeout = MessagesHandler.isTimeout(failure);
            int status = timeout ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
            String message = timeout
                    ? "upstream " + upstream.baseUrl() + " did not answer in time"
                    : "upstream " + upstream.baseUrl() + " is unreachable: " + MessagesHandler.describe(failure);
            byte[] body = AnthropicErrors.body(timeout ? AnthropicErrors.TIMEOUT : AnthropicErrors.API_ERROR, message);
            proxyToClientResponse.getHeaders().clear();
            proxyToClientResponse.setStatus(status);
            proxyToClientResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            proxyToClientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            proxyToClientResponse.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
