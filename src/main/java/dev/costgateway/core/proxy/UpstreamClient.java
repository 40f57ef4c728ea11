package dev.costgateway.core.proxy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.config.GatewayConfig;

/**
 * The proxy-to-server leg: one Jetty {@link HttpClient} shared by all requests, configured to change nothing
 * (no redirects, no cookies, no automatic authentication, no content decoding, no User-Agent of its own).
 * Thread-safe.
 */
public final class UpstreamClient implements AutoCloseable {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final HttpClient http;
    private final Supplier<GatewayConfig> config;

    public UpstreamClient(Supplier<GatewayConfig> config) {
        this.config = config;
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        QueuedThreadPool pool = new QueuedThreadPool(256, 4);
        pool.setName("gateway-upstream");
        pool.setDaemon(true);
        connector.setExecutor(pool);
        http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(pool);
        http.setFollowRedirects(false);
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setUserAgentField(null);
        http.setMaxConnectionsPerDestination(2048);
        http.setMaxRequestsQueuedPerDestination(8192);
        http.setIdleTimeout(120_000);
        http.setConnectTimeout(config.get().upstream().connectTimeout().toMillis());
        http.setRequestBufferSize(16 * 1024);
        http.setResponseBufferSize(16 * 1024);
        http.setMaxRequestHeadersSize(ProxyServer.MAX_HEADER_BYTES);
        http.setMaxResponseHeadersSize(ProxyServer.MAX_HEADER_BYTES);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client", e);
        }
        http.getProtocolHandlers().clear();
        http.getContentDecoderFactories().clear();
        // before the client logs the headers (DEBUG), whoever built the request (proxy, classifier)
        http.getRequestListeners().addBeginListener(request -> request.headers(ProxyHeaders::maskCredentials));
    }

    /**
     * A new request to {@code upstream.base_url + pathAndQuery}. The target is forwarded as the client sent it,
     * except characters that may not appear raw in a URI (non-ASCII, controls, space, {@code "<>\\^`{|}[]}),
     * which lenient clients such as curl send anyway: they are percent-encoded as UTF-8, the same target for any
     * RFC 3986 server, where the request line would otherwise be mangled (non-ASCII) or refused (the rest).
     */
    Request newRequest(String pathAndQuery) {
        URI base = config.get().upstream().baseUrl();
        return http.newRequest(URI.create(base + encodeUnsafe(pathAndQuery)));
    }

    static String encodeUnsafe(String target) {
        StringBuilder out = null;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c > ' ' && c < 0x7f && "\"<>\\^`{|}[]".indexOf(c) < 0) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(target.length() + 16).append(target, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < target.length() ? i + 2 : i + 1;
            for (byte b : target.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? target : out.toString();
    }

    /** A POST to {@code /v1/messages} for the gateway's own classifier calls. */
    public Request newClassifierRequest() {
        return newRequest("/v1/messages").method("POST");
    }

    /** What the gateway answers when an upstream request failed before any response. */
    record Failure(int status, String type, String message) {
    }

    Failure failure(Throwable cause) {
        if (UpstreamFailures.isTimeout(cause)) {
            return new Failure(HttpStatus.GATEWAY_TIMEOUT_504, AnthropicErrors.TIMEOUT, "upstream " + baseUrl()
                    + " did not answer within " + config.get().upstream().timeout().toSeconds()
                    + " s (upstream.timeout_seconds)");
        }
        return new Failure(HttpStatus.BAD_GATEWAY_502, AnthropicErrors.API_ERROR,
                "upstream " + baseUrl() + " is unreachable: " + UpstreamFailures.describe(cause));
    }

    public URI baseUrl() {
        return config.get().upstream().baseUrl();
    }

    HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        LifeCycle.stop(http);
    }
}
