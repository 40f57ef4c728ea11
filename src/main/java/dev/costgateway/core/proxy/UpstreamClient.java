package dev.costgateway.core.proxy;

import java.net.URI;
import java.util.function.Supplier;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import dev.costgateway.core.config.GatewayConfig;

/**
 * The proxy-to-server leg: one Jetty {@link HttpClient} shared by all requests, configured to change nothing
 * (no redirects, no cookies, no automatic authentication, no content decoding, no User-Agent of its own).
 * Thread-safe.
 */
public final class UpstreamClient implements AutoCloseable {

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
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client", e);
        }
        http.getProtocolHandlers().clear();
        http.getContentDecoderFactories().clear();
    }

    /** A new request to {@code upstream.base_url + pathAndQuery}. */
    Request newRequest(String pathAndQuery) {
        URI base = config.get().upstream().baseUrl();
        return http.newRequest(URI.create(base + pathAndQuery));
    }

    /** A POST to {@code /v1/messages} for the gateway's own classifier calls. */
    public Request newClassifierRequest() {
        return newRequest("/v1/messages").method("POST");
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
