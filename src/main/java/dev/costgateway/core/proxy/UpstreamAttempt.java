package dev.costgateway.core.proxy;

import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

import dev.costgateway.core.config.GatewayConfig;

/**
 * Stage 4, attempt: one proxy-to-server request for the current route's model, with the client's headers and body
 * (only {@code model} replaced when routing changed it). Buffered when the answer is validated before the client
 * sees it (non-streaming requests, or {@code escalation.streaming: buffer}); live otherwise ({@link LiveAttempt}).
 * Until upstream answers, nothing is read from or written to the client, so a {@link ClientCloseWatch} notices
 * a hang-up meanwhile.
 */
final class UpstreamAttempt {

    private UpstreamAttempt() {
    }

    static void send(UpstreamClient upstream, GatewayConfig cfg, Request clientToProxyRequest, ParsedRequest request,
                     String model, boolean live, String trigger, RequestLedger ledger, Responder responder,
                     AttemptListener listener) {
        String contentType = clientToProxyRequest.getHeaders().get(HttpHeader.CONTENT_TYPE);
        var proxyToServerRequest = upstream.newRequest(clientToProxyRequest.getHttpURI().getPathQuery())
                .method(clientToProxyRequest.getMethod())
                .headers(h -> {
                    ProxyHeaders.copyRequestHeaders(clientToProxyRequest.getHeaders(), h, true);
                    if (request.injectedKey() != null) {
                        h.put("x-api-key", request.injectedKey());
                    }
                })
                .body(new BytesRequestContent(contentType == null ? "application/json" : contentType,
                        request.bodyFor(model)));
        long timeoutMillis = cfg.upstream().timeout().toMillis();
        if (!live) {
            proxyToServerRequest.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        proxyToServerRequest.idleTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        listener.inFlight(proxyToServerRequest);
        long attemptStart = ledger.now();
        ClientCloseWatch watch = ClientCloseWatch.of(clientToProxyRequest, listener::clientGone);
        watch.start();
        if (live) {
            new LiveAttempt(listener, ledger, responder, trigger, attemptStart, watch,
                    "upstream " + upstream.baseUrl(), cfg.upstream().timeout().toSeconds()).send(proxyToServerRequest);
            return;
        }
        proxyToServerRequest.send(new BufferingResponseListener(UpstreamAnswer.MAX_BUFFERED_RESPONSE) {
            @Override
            public void onComplete(Result result) {
                watch.stop();
                if (result.isFailed()) {
                    listener.failedBeforeResponse(trigger, attemptStart, result.getFailure());
                    return;
                }
                var serverToProxyResponse = result.getResponse();
                listener.answered(trigger, attemptStart, UpstreamAnswer.read(serverToProxyResponse.getStatus(),
                        serverToProxyResponse.getHeaders(), getContent(), request.stream()));
            }
        });
    }
}
