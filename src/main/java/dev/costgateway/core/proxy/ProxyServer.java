package dev.costgateway.core.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.config.ConfigValidator;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.time.GatewayClock;

/**
 * The client-facing Jetty server: {@code /health}, optional extra handlers (metrics, dashboard), {@code POST
 * /v1/messages}, and pass-through for the rest of {@code /v1/}. Binds to loopback unless
 * {@code server.auth_token} is set. Start and stop are not thread-safe; requests are.
 */
public final class ProxyServer implements AutoCloseable {

    /**
     * Largest header section accepted from clients and upstream, in bytes, in both directions: whatever the
     * client may send must also fit into the upstream request, and whatever upstream answers must fit into ours.
     */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Supplier<GatewayConfig> config;
    private final Server server;
    private final ServerConnector connector;
    private final MessagesHandler messages;
    private final PassThroughHandler passThrough;
    private final Supplier<ObjectNode> health;
    private final Handler extra;

    /**
     * @param extra   handler tried before the proxy routes (e.g. metrics endpoints); may be null
     * @param health  body of {@code GET /health}
     */
    public ProxyServer(Supplier<GatewayConfig> config, UpstreamClient upstream, Supplier<MessagePolicy> policy,
                       MetricsRecorder metrics, GatewayClock clock, Supplier<String> envApiKey,
                       Supplier<ObjectNode> health, Handler extra) {
        this.config = config;
        this.health = health;
        this.extra = extra;
        this.messages = new MessagesHandler(config, upstream, policy, metrics, clock, envApiKey);
        this.passThrough = new PassThroughHandler(config, upstream, envApiKey);
        QueuedThreadPool pool = new QueuedThreadPool(400, 8);
        pool.setName("gateway-proxy");
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setResponseHeaderSize(MAX_HEADER_BYTES);
        http.setOutputBufferSize(32 * 1024);
        // a path may hold encoded '/' or '%', empty or dot segments, ';' parameters: routing uses the normalised
        // path, the raw one is forwarded and the upstream judges it (Jetty's default refused %2F with a 400)
        http.setUriCompliance(UriCompliance.from(UriCompliance.AMBIGUOUS_VIOLATIONS));
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        GatewayConfig cfg = config.get();
        connector.setHost(cfg.server().host());
        connector.setPort(cfg.server().port());
        // above the upstream timeout, so a long non-streaming answer is not cut by the client-side idle timeout
        connector.setIdleTimeout(cfg.upstream().timeout().toMillis() + 30_000);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Dispatch());
        server.setErrorHandler(new AnthropicErrorHandler());
        if (extra != null) {
            extra.setServer(server);
            server.addBean(extra);
        }
        server.setStopTimeout(10_000);
    }

    public void start() throws Exception {
        // the gateway refuses such a configuration before applying it; this guards every other way in
        ConfigValidator.exposure(config.get().server()).ifPresent(refusal -> {
            throw new IllegalStateException(refusal);
        });
        server.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String host() {
        return connector.getHost();
    }

    public String url() {
        String h = host();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private final class Dispatch extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String token = config.get().server().authToken();
            if (!token.isEmpty() && !tokenMatches(request, token)) {
                if (Request.getPathInContext(request).equals("/health")) {
                    // liveness for load balancers and scripts without the token; the full report needs it
                    json(response, callback, LIVENESS);
                    return true;
                }
                error(response, callback, HttpStatus.UNAUTHORIZED_401, AnthropicErrors.AUTHENTICATION,
                        "this gateway requires its token: send X-Gateway-Token: <token> "
                                + "or Proxy-Authorization: Bearer <token>");
                return true;
            }
            String path = Request.getPathInContext(request);
            if (path.equals("/health")) {
                json(response, callback, health.get().toString().getBytes(StandardCharsets.UTF_8));
                return true;
            }
            if (extra != null && extra.handle(request, response, callback)) {
                return true;
            }
            if (path.equals("/v1/messages")) {
                if (!request.getMethod().equals("POST")) {
                    passThrough.handle(request, response, callback);
                    return true;
                }
                messages.handle(request, response, callback);
                return true;
            }
            if (path.startsWith("/v1/")) {
                passThrough.handle(request, response, callback);
                return true;
            }
            error(response, callback, HttpStatus.NOT_FOUND_404, AnthropicErrors.NOT_FOUND,
                    "no such endpoint: " + path + " (the gateway serves /v1/..., /health, /metrics, /dashboard)");
            return true;
        }
    }

    /** What {@code GET /health} answers a caller without the token when {@code server.auth_token} is set. */
    public static final byte[] LIVENESS = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private static void json(Response response, Callback callback, byte[] body) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static boolean tokenMatches(Request request, String token) {
        String sent = request.getHeaders().get("X-Gateway-Token");
        if (sent == null) {
            String pa = request.getHeaders().get(HttpHeader.PROXY_AUTHORIZATION);
            if (pa != null && pa.regionMatches(true, 0, "Bearer ", 0, 7)) {
                sent = pa.substring(7).trim();
            }
        }
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    /** Errors Jetty itself produces (unparsable request, header section too large, ...) in the Anthropic shape. */
    private static final class AnthropicErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) {
            error(response, callback, code, typeFor(code), message == null || message.isBlank()
                    ? HttpStatus.getMessage(code) : message);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(AnthropicErrors.body(typeFor(status),
                    reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason));
        }
    }

    /** The Anthropic error type for a status, as the API documents it. */
    static String typeFor(int status) {
        return switch (status) {
            case HttpStatus.UNAUTHORIZED_401 -> AnthropicErrors.AUTHENTICATION;
            case HttpStatus.FORBIDDEN_403 -> "permission_error";
            case HttpStatus.NOT_FOUND_404 -> AnthropicErrors.NOT_FOUND;
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> AnthropicErrors.REQUEST_TOO_LARGE;
            case HttpStatus.TOO_MANY_REQUESTS_429 -> "rate_limit_error";
            case HttpStatus.GATEWAY_TIMEOUT_504 -> AnthropicErrors.TIMEOUT;
            case 529 -> AnthropicErrors.OVERLOADED;
            default -> status >= 500 ? AnthropicErrors.API_ERROR : AnthropicErrors.INVALID_REQUEST;
        };
    }

    static void error(Response response, Callback callback, int status, String type, String message) {
        byte[] body = AnthropicErrors.body(type, message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
