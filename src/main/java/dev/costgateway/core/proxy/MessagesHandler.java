package dev.costgateway.core.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.function.Supplier;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.api.ModelRewriter;
import dev.costgateway.core.api.SseEventParser;
import dev.costgateway.core.api.StreamAccumulator;
import dev.costgateway.core.api.Usage;
import dev.costgateway.core.cache.SingleFlight;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.MetricsRecorder;
import dev.costgateway.core.metrics.RequestRecord;

/**
 * {@code POST /v1/messages}: validate, answer from cache, route, forward (streamed or buffered), escalate weak
 * answers, set the {@code X-Gateway-*} headers and record the request. The request body reaches upstream
 * byte-for-byte except the {@code model} value when routing changed it; the response reaches the client
 * byte-for-byte. Non-blocking: no request thread waits on upstream.
 */
final class MessagesHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MessagesHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    /** Upper bound for a buffered (non-streaming or held) upstream answer. */
    private static final int MAX_BUFFERED_RESPONSE = 256 * 1024 * 1024;

    static final String H_MODEL = "X-Gateway-Model";
    static final String H_CACHE = "X-Gateway-Cache";
    static final String H_SAVED = "X-Gateway-Saved-USD";
    static final String H_CLASSIFIER = "X-Gateway-Classifier";
    static final String H_QUERY_ID = "X-Gateway-Query-ID";
    static final String H_ESCALATIONS = "X-Gateway-Escalations";

    private final Supplier<GatewayConfig> config;
    private final UpstreamClient upstream;
    private final Supplier<MessagePolicy> policy;
    private final MetricsRecorder metrics;
    private final InstantSource clock;
    private final Supplier<String> envApiKey;

    MessagesHandler(Supplier<GatewayConfig> config, UpstreamClient upstream, Supplier<MessagePolicy> policy,
                    MetricsRecorder metrics, InstantSource clock, Supplier<String> envApiKey) {
        this.config = config;
        this.upstream = upstream;
        this.policy = policy;
        this.metrics = metrics;
        this.clock = clock;
        this.envApiKey = envApiKey;
    }

    /** 12 base-36 characters (62 bits); an identifier, not a secret, so a fast non-cryptographic source will do. */
    static String newQueryId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }

    void handle(Request request, Response response, Callback callback) {
        new Exchange(request, response, callback).start();
    }

    /** Thrown for a request body the gateway refuses; the message names the field. */
    private static final class InvalidRequest extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Checks what the gateway itself needs; everything else is the upstream's to judge. */
    static ObjectNode parseAndValidate(byte[] body) throws InvalidRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidRequest("request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequest("request body must be a JSON object");
        }
        ObjectNode o = (ObjectNode) root;
        JsonNode model = o.get("model");
        if (model == null || model.isNull()) {
            throw new InvalidRequest("model: field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw new InvalidRequest("model: must be a non-empty string");
        }
        JsonNode messages = o.get("messages");
        if (messages == null || messages.isNull()) {
            throw new InvalidRequest("messages: field required");
        }
        if (!messages.isArray()) {
            throw new InvalidRequest("messages: must be an array");
        }
        JsonNode maxTokens = o.get("max_tokens");
        if (maxTokens == null || maxTokens.isNull()) {
            throw new InvalidRequest("max_tokens: field required");
        }
        if (!maxTokens.isIntegralNumber() || maxTokens.asLong() < 1) {
            throw new InvalidRequest("max_tokens: must be a positive integer");
        }
        JsonNode stream = o.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new InvalidRequest("stream: must be a boolean");
        }
        return o;
    }

    /** One client request, from the client-to-proxy request to the proxy-to-client response. */
    private final class Exchange {
        private final Request clientToProxyRequest;
        private final Response proxyToClientResponse;
        private final Callback callback;
        private final GatewayConfig cfg = config.get();
        private final MessagePolicy pol = policy.get();
        private final String queryId = newQueryId();
        private final long startNanos = System.nanoTime();
        private final java.time.Instant startedAt = clock.instant();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile SingleFlight.Ticket flight = SingleFlight.NONE;
        private final List<AttemptRecord> attempts = new ArrayList<>();

        private byte[] originalBody;
        private ObjectNode body;
        private String requestedModel = "";
        private boolean stream;
        private ClientContext client;
        private String injectedKey;
        private Route route;
        private int escalations;
        private long upstreamNanos;
        private long ttfbNanos = -1;
        private volatile org.eclipse.jetty.client.Request currentUpstream;

        Exchange(Request request, Response response, Callback callback) {
            this.clientToProxyRequest = request;
            this.proxyToClientResponse = response;
            this.callback = callback;
        }

        void start() {
            long max = cfg.server().maxBodyBytes();
            long declared = clientToProxyRequest.getLength();
            if (declared > max) {
                gatewayError(HttpStatus.PAYLOAD_TOO_LARGE_413, AnthropicErrors.REQUEST_TOO_LARGE,
                        "request body is " + declared + " bytes; the limit (server.max_body_bytes) is " + max);
                return;
            }
            clientToProxyRequest.addFailureListener(this::clientFailed);
            BodyReader.read(clientToProxyRequest, max, declared, new BodyReader.Result() {
                @Override
                public void body(byte[] bytes) {
                    onBody(bytes);
                }

                @Override
                public void tooLarge(long limit) {
                    gatewayError(HttpStatus.PAYLOAD_TOO_LARGE_413, AnthropicErrors.REQUEST_TOO_LARGE,
                            "request body exceeds the limit (server.max_body_bytes) of " + limit + " bytes");
                }

                @Override
                public void failed(Throwable cause) {
                    clientGone(cause);
                }
            });
        }

        private void onBody(byte[] bytes) {
            originalBody = bytes;
            try {
                body = parseAndValidate(bytes);
            } catch (InvalidRequest e) {
                gatewayError(HttpStatus.BAD_REQUEST_400, AnthropicErrors.INVALID_REQUEST, e.getMessage());
                return;
            }
            requestedModel = body.get("model").asText();
            stream = body.path("stream").asBoolean(false);
            HttpFields h = clientToProxyRequest.getHeaders();
            String credential = ProxyHeaders.credential(h);
            if (credential == null) {
                injectedKey = ProxyHeaders.configuredApiKey(envApiKey, cfg);
                credential = injectedKey == null ? "" : injectedKey;
            }
            boolean cacheOptOut = "off".equalsIgnoreCase(h.get("X-Gateway-Cache"))
                    || (h.get(HttpHeader.CACHE_CONTROL) != null
                    && h.get(HttpHeader.CACHE_CONTROL).toLowerCase(Locale.ROOT).contains("no-cache"));
            boolean bypass = "off".equalsIgnoreCase(h.get("X-Gateway-Route"));
            client = new ClientContext(credential, cacheOptOut, bypass);

            if (cfg.cache().enabled() && !cacheOptOut) {
                Optional<MessagePolicy.CacheHit> hit;
                try {
                    hit = pol.lookup(body, client);
                } catch (RuntimeException e) {
                    LOG.warn("cache lookup failed, answering from upstream: {}", e.toString());
                    hit = Optional.empty();
                }
                if (hit.isPresent()) {
                    serveCacheHit(hit.get());
                    return;
                }
                flight = pol.joinInFlight(body, client); // single-flight: see MessagePolicy#joinInFlight
                if (flight.follower()) {
                    flight.landed().orTimeout(cfg.upstream().timeout().toMillis(), TimeUnit.MILLISECONDS)
                            .whenComplete((landed, timedOut) -> afterLeaderLanded());
                    return;
                }
            }
            routeAndSend();
        }

        /** A follower of an identical request: its answer is in the cache now, or this one goes upstream. */
        private void afterLeaderLanded() {
            Optional<MessagePolicy.CacheHit> hit;
            try {
                hit = pol.lookup(body, client);
            } catch (RuntimeException e) {
                hit = Optional.empty();
            }
            if (hit.isPresent()) {
                serveCacheHit(hit.get());
            } else {
                routeAndSend();
            }
        }

        private void routeAndSend() {
            pol.route(body, requestedModel, client).whenComplete((r, failure) -> {
                if (failure != null || r == null) {
                    LOG.warn("routing failed, forwarding the requested model: {}", String.valueOf(failure));
                    r = Route.unrouted(requestedModel, "routing failed");
                }
                route = r;
                attempts.addAll(r.classifierCalls());
                sendAttempt("initial");
            });
        }

        // ---- cache hits ----

        private void serveCacheHit(MessagePolicy.CacheHit hit) {
            route = new Route(hit.model(), null, null, "n/a", hit.kind() + " cache: " + hit.detail(), List.of());
            Double counterfactual = pol.counterfactual(requestedModel, hit.usage());
            HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
            byte[] out;
            if (stream) {
                out = pol.replayAsSse(hit.messageJson());
                headers.put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
            } else {
                out = hit.messageJson();
                headers.put(HttpHeader.CONTENT_TYPE, "application/json");
            }
            setGatewayHeaders(headers, hit.model(), hit.kind(), counterfactual == null ? null : counterfactual, "n/a");
            headers.put(HttpHeader.CONTENT_LENGTH, out.length);
            proxyToClientResponse.setStatus(200);
            ttfbNanos = System.nanoTime() - startNanos;
            JsonNode message = parseQuietly(hit.messageJson());
            proxyToClientResponse.write(true, ByteBuffer.wrap(out), Callback.from(() -> {
                finish(200, null, hit.model(), hit.kind(), hit.usage(), 0.0, counterfactual, message);
                callback.succeeded();
            }, this::clientGone));
        }

        // ---- upstream attempts ----

        private void sendAttempt(String trigger) {
            if (finished.get()) {
                return;
            }
            boolean live = stream && !pol.bufferStreams();
            byte[] forwarded = route.model().equals(requestedModel)
                    ? originalBody : ModelRewriter.replaceModel(originalBody, route.model());
            String target = clientToProxyRequest.getHttpURI().getPathQuery();
            var proxyToServerRequest = upstream.newRequest(target)
                    .method(clientToProxyRequest.getMethod())
                    .headers(h -> {
                        ProxyHeaders.copyRequestHeaders(clientToProxyRequest.getHeaders(), h, true);
                        if (injectedKey != null) {
                            h.put("x-api-key", injectedKey);
                        }
                    })
                    .body(new BytesRequestContent(contentType(), forwarded));
            long timeoutMillis = cfg.upstream().timeout().toMillis();
            if (live) {
                proxyToServerRequest.idleTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
            } else {
                proxyToServerRequest.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
                proxyToServerRequest.idleTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
            }
            currentUpstream = proxyToServerRequest;
            long attemptStart = System.nanoTime();
            // until upstream answers nothing is read from or written to the client: watch for it hanging up
            ClientCloseWatch watch = ClientCloseWatch.of(clientToProxyRequest, this::clientGone);
            watch.start();
            if (live) {
                new LiveStream(this, proxyToServerRequest, attemptStart, trigger, watch).send();
            } else {
                sendBuffered(proxyToServerRequest, attemptStart, trigger, watch);
            }
        }

        private String contentType() {
            String ct = clientToProxyRequest.getHeaders().get(HttpHeader.CONTENT_TYPE);
            return ct == null ? "application/json" : ct;
        }

        private void sendBuffered(org.eclipse.jetty.client.Request req, long attemptStart, String trigger,
                                  ClientCloseWatch watch) {
            var listener = new org.eclipse.jetty.client.BufferingResponseListener(MAX_BUFFERED_RESPONSE) {
                @Override
                public void onComplete(org.eclipse.jetty.client.Result result) {
                    watch.stop();
                    long elapsed = System.nanoTime() - attemptStart;
                    upstreamNanos += elapsed;
                    if (result.isFailed()) {
                        upstreamFailed(result.getFailure(), trigger, elapsed);
                        return;
                    }
                    var serverToProxyResponse = result.getResponse();
                    byte[] content = getContent();
                    onBufferedAnswer(serverToProxyResponse.getStatus(), serverToProxyResponse.getHeaders(), content,
                            trigger, elapsed);
                }
            };
            req.send(listener);
        }

        private void onBufferedAnswer(int status, HttpFields headers, byte[] content, String trigger, long elapsed) {
            if (finished.get()) {
                return;
            }
            JsonNode message = null;
            Usage usage = Usage.ZERO;
            String answeredModel = route.model();
            byte[] readable = decoded(headers, content);
            if (status == 200) {
                if (stream) {
                    StreamAccumulator acc = new StreamAccumulator();
                    new SseEventParser(acc).feed(readable);
                    message = acc.message();
                    usage = acc.usage();
                    if (!acc.complete()) {
                        message = null; // an errored stream is passed through as it came, never escalated
                    }
                } else {
                    message = parseQuietly(readable);
                    if (message != null) {
                        usage = Usage.fromJson(message.get("usage"));
                    }
                }
            }
            Double attemptCost = status == 200 ? pol.cost(answeredModel, usage) : null;
            attempts.add(new AttemptRecord(attempts.size(), "answer", answeredModel, trigger, status, usage,
                    attemptCost, TimeUnit.NANOSECONDS.toMillis(elapsed)));
            if (message != null) {
                Optional<MessagePolicy.Escalation> next;
                try {
                    next = pol.escalate(message, requestedModel, route, escalations);
                } catch (RuntimeException e) {
                    LOG.warn("escalation check failed: {}", e.toString());
                    next = Optional.empty();
                }
                if (next.isPresent()) {
                    escalations++;
                    route = next.get().route();
                    sendAttempt(next.get().trigger());
                    return;
                }
            }
            respondBuffered(status, headers, content, message, usage);
        }

        private void respondBuffered(int status, HttpFields upstreamHeaders, byte[] content, JsonNode message,
                                     Usage usage) {
            HttpFields.Mutable out = proxyToClientResponse.getHeaders();
            ProxyHeaders.copyResponseHeaders(upstreamHeaders, out);
            Double cost = status == 200 ? totalCost() : knownCost();
            Double counterfactual = status == 200 ? pol.counterfactual(requestedModel, usage) : null;
            Double saved = saved(counterfactual, cost);
            setGatewayHeaders(out, route.model(), "none", saved, route.layer());
            out.put(HttpHeader.CONTENT_LENGTH, content.length);
            proxyToClientResponse.setStatus(status);
            ttfbNanos = System.nanoTime() - startNanos;
            String errorType = status == 200 ? null : errorTypeOf(decoded(upstreamHeaders, content));
            if (message != null && status == 200) {
                offerToCache(message, usage); // before the write: a repeat sent the instant this ends is a hit
            }
            proxyToClientResponse.write(true, ByteBuffer.wrap(content), Callback.from(() -> {
                finish(status, errorType, route.model(), "none", usage, cost, counterfactual, message);
                callback.succeeded();
            }, this::clientGone));
        }

        void offerToCache(JsonNode message, Usage usage) {
            if (cfg.cache().enabled() && !client.cacheOptOut()) {
                try {
                    pol.store(body, client, message, route.model(), usage);
                } catch (RuntimeException e) {
                    LOG.warn("cache store failed: {}", e.toString());
                }
            }
            flight.land();
        }

        /** Cost of every answer attempt plus classifier calls; null when any answer's price is unknown. */
        Double totalCost() {
            double sum = 0;
            for (AttemptRecord a : attempts) {
                if (a.costUsd() == null) {
                    if (a.status() == 200 && "answer".equals(a.purpose())) {
                        return null;
                    }
                    continue;
                }
                sum += a.costUsd();
            }
            return sum;
        }

        /** Sum of the attempt costs that are known (classifier calls, answers that were priced). */
        private Double knownCost() {
            double sum = 0;
            for (AttemptRecord a : attempts) {
                if (a.costUsd() != null) {
                    sum += a.costUsd();
                }
            }
            return sum;
        }

        void setGatewayHeaders(HttpFields.Mutable headers, String model, String cacheKind, Double saved,
                               String layer) {
            headers.put(H_MODEL, model);
            headers.put(H_CACHE, cacheKind);
            headers.put(H_SAVED, saved == null ? "unknown" : usd6(saved));
            headers.put(H_CLASSIFIER, layer);
            headers.put(H_QUERY_ID, queryId);
            headers.put(H_ESCALATIONS, Integer.toString(escalations));
        }

        private void upstreamFailed(Throwable failure, String trigger, long elapsed) {
            attempts.add(new AttemptRecord(attempts.size(), "answer", route.model(), trigger, 0, Usage.ZERO, null,
                    TimeUnit.NANOSECONDS.toMillis(elapsed)));
            if (finished.get()) {
                return;
            }
            UpstreamClient.Failure answer = upstream.failure(failure);
            gatewayError(answer.status(), answer.type(), answer.message());
        }

        // ---- ends ----

        void gatewayError(int status, String type, String message) {
            if (proxyToClientResponse.isCommitted()) {
                clientGone(new IOException(message));
                return;
            }
            byte[] out = AnthropicErrors.body(type, message);
            HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
            headers.put(HttpHeader.CONTENT_TYPE, "application/json");
            headers.put(H_QUERY_ID, queryId);
            headers.put(HttpHeader.CONTENT_LENGTH, out.length);
            proxyToClientResponse.setStatus(status);
            Double cost = attempts.isEmpty() ? null : knownCost();
            proxyToClientResponse.write(true, ByteBuffer.wrap(out), Callback.from(() -> {
                finish(status, type, route == null ? requestedModel : route.model(), "none", Usage.ZERO, cost, null,
                        null);
                callback.succeeded();
            }, this::clientGone));
        }

        private void clientFailed(Throwable cause) {
            var up = currentUpstream;
            if (up != null) {
                up.abort(cause);
            }
        }

        /** The client hung up (or its connection failed): stop upstream work, record it, release the exchange. */
        void clientGone(Throwable cause) {
            // finish first: aborting upstream runs its failure path at once, which would otherwise answer (and
            // record) a 502 to a client that is no longer there
            if (finish(0, "client_closed", route == null ? requestedModel : route.model(), "none", Usage.ZERO,
                    attempts.isEmpty() ? null : knownCost(), null, null)) {
                LOG.debug("client of {} went away: {}", queryId, cause.toString());
                callback.failed(cause);
            }
            var up = currentUpstream;
            if (up != null) {
                up.abort(cause);
            }
        }

        /** Records the request once; true for the call that did. */
        boolean finish(int status, String errorType, String finalModel, String cacheKind, Usage usage, Double cost,
                       Double counterfactual, JsonNode message) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            flight.land(); // ended without a stored answer (or after it): identical requests stop waiting
            long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            boolean storeText = cfg.metrics().storeText();
            int previewChars = cfg.metrics().textPreviewChars();
            try {
                metrics.record(new RequestRecord(queryId, startedAt, keyHash(), requestedModel, finalModel,
                        route == null || route.tier() == null ? null : route.tier().id(),
                        route == null ? "n/a" : route.layer(), route == null ? null : route.reason(), cacheKind,
                        escalations, stream, status, errorType, usage, cost, counterfactual, saved(counterfactual, cost),
                        latency, ttfbNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ttfbNanos),
                        TimeUnit.NANOSECONDS.toMillis(upstreamNanos),
                        storeText && body != null ? TextPreview.lastUserText(body, previewChars) : null,
                        storeText && message != null ? TextPreview.answerText(message, previewChars) : null,
                        attempts));
            } catch (RuntimeException e) {
                LOG.warn("metrics record failed: {}", e.toString());
            }
            return true;
        }

        private String keyHash() {
            return client == null || client.credential().isEmpty() ? "" : KeyHashes.of(client.credential());
        }

        // ---- accessors for LiveStream ----

        Request clientToProxyRequest() {
            return clientToProxyRequest;
        }

        Response proxyToClientResponse() {
            return proxyToClientResponse;
        }

        Callback callback() {
            return callback;
        }

        MessagePolicy policy() {
            return pol;
        }

        Route route() {
            return route;
        }

        String requestedModel() {
            return requestedModel;
        }

        List<AttemptRecord> attempts() {
            return attempts;
        }

        boolean isFinished() {
            return finished.get();
        }

        void addUpstreamNanos(long n) {
            upstreamNanos += n;
        }

        void markFirstByte() {
            if (ttfbNanos < 0) {
                ttfbNanos = System.nanoTime() - startNanos;
            }
        }

        String upstreamDescription() {
            return upstream.baseUrl().toString();
        }

        long timeoutSeconds() {
            return cfg.upstream().timeout().toSeconds();
        }
    }

    /** A live stream: upstream bytes are written to the client as they arrive, and observed for usage. */
    private static final class LiveStream {
        private final Exchange ex;
        private final org.eclipse.jetty.client.Request proxyToServerRequest;
        private final long attemptStart;
        private final String trigger;
        private final ClientCloseWatch watch;
        private final StreamAccumulator accumulator = new StreamAccumulator();
        private final SseEventParser parser = new SseEventParser(accumulator);
        private Content.Source source;
        private boolean headersSent;
        private int upstreamStatus;
        private HttpFields upstreamHeaders;
        private java.io.ByteArrayOutputStream errorBody;
        private boolean offered;

        LiveStream(Exchange ex, org.eclipse.jetty.client.Request req, long attemptStart, String trigger,
                   ClientCloseWatch watch) {
            this.ex = ex;
            this.proxyToServerRequest = req;
            this.attemptStart = attemptStart;
            this.trigger = trigger;
            this.watch = watch;
        }

        void send() {
            proxyToServerRequest
                    .onResponseHeaders(r -> {
                        watch.stop(); // from here on, writes to the client notice its hanging up
                        upstreamStatus = r.getStatus();
                        upstreamHeaders = r.getHeaders();
                    })
                    .onResponseContentSource((r, contentSource) -> {
                        source = contentSource;
                        pump();
                    })
                    .send(result -> {
                        if (result.isFailed() && source == null) {
                            watch.stop();
                            // failed before any content (connect error, timeout before headers)
                            ex.addUpstreamNanos(System.nanoTime() - attemptStart);
                            ex.upstreamFailed(result.getFailure(), trigger, System.nanoTime() - attemptStart);
                        }
                    });
        }

        private void pump() {
            while (true) {
                if (ex.isFinished()) {
                    return;
                }
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this::pump);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    upstreamBroke(chunk.getFailure());
                    return;
                }
                if (upstreamStatus != 200) {
                    if (collectError(chunk)) {
                        continue;
                    }
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                parser.feed(bytes);
                if (!offered && accumulator.complete()) {
                    offered = true; // message_stop is in this chunk: store before the client can ask again
                    ex.offerToCache(accumulator.message(), accumulator.usage());
                }
                if (!headersSent) {
                    sendHeaders();
                }
                boolean last = chunk.isLast();
                ex.markFirstByte();
                Chunked write = new Chunked(chunk, last);
                ex.proxyToClientResponse().write(last, bytes, write);
                if (!write.completedSynchronously()) {
                    return; // pump resumes from the write callback
                }
                if (last) {
                    return;
                }
            }
        }

        /** Write callback that releases the chunk and resumes the pump. */
        private final class Chunked implements Callback {
            private final Content.Chunk chunk;
            private final boolean last;
            private final AtomicBoolean done = new AtomicBoolean();
            private final AtomicBoolean returned = new AtomicBoolean();

            Chunked(Content.Chunk chunk, boolean last) {
                this.chunk = chunk;
                this.last = last;
            }

            boolean completedSynchronously() {
                // if the callback already ran, keep pumping in this loop; else let the callback resume
                return !returned.compareAndSet(false, true);
            }

            @Override
            public void succeeded() {
                chunk.release();
                if (last) {
                    completed();
                    return;
                }
                if (!returned.compareAndSet(false, true)) {
                    pump();
                }
            }

            @Override
            public void failed(Throwable x) {
                chunk.release();
                if (done.compareAndSet(false, true)) {
                    ex.clientGone(x);
                }
            }
        }

        private boolean collectError(Content.Chunk chunk) {
            if (errorBody == null) {
                errorBody = new java.io.ByteArrayOutputStream();
            }
            ByteBuffer b = chunk.getByteBuffer().slice();
            byte[] part = new byte[b.remaining()];
            b.get(part);
            errorBody.write(part, 0, part.length);
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                byte[] content = errorBody.toByteArray();
                long elapsed = System.nanoTime() - attemptStart;
                ex.addUpstreamNanos(elapsed);
                ex.attempts().add(new AttemptRecord(ex.attempts().size(), "answer", ex.route().model(), trigger,
                        upstreamStatus, Usage.ZERO, null, TimeUnit.NANOSECONDS.toMillis(elapsed)));
                ex.respondBuffered(upstreamStatus, upstreamHeaders, content, null, Usage.ZERO);
                return false;
            }
            return true;
        }

        private void sendHeaders() {
            headersSent = true;
            Response resp = ex.proxyToClientResponse();
            resp.setStatus(upstreamStatus);
            HttpFields.Mutable out = resp.getHeaders();
            ProxyHeaders.copyResponseHeaders(upstreamHeaders, out);
            // Only the input side of usage is known before the first byte; the exact figure is recorded in metrics.
            Usage early = accumulator.usage();
            Double cost = ex.policy().cost(ex.route().model(), early);
            Double counterfactual = ex.policy().counterfactual(ex.requestedModel(), early);
            ex.setGatewayHeaders(out, ex.route().model(), "none",
                    cost == null || counterfactual == null ? null : counterfactual - cost - ex.route().classifierCostUsd(),
                    ex.route().layer());
        }

        private void upstreamBroke(Throwable failure) {
            long elapsed = System.nanoTime() - attemptStart;
            ex.addUpstreamNanos(elapsed);
            if (ex.isFinished()) {
                return;
            }
            if (!headersSent && upstreamStatus == 200 && !ex.proxyToClientResponse().isCommitted()) {
                ex.upstreamFailed(failure, trigger, elapsed);
                return;
            }
            // The stream already started: tell the client with an SSE error event, as the API itself does.
            String type = isTimeout(failure) ? AnthropicErrors.TIMEOUT : AnthropicErrors.API_ERROR;
            String message = isTimeout(failure)
                    ? "upstream " + ex.upstreamDescription() + " stopped sending for " + ex.timeoutSeconds() + " s"
                    : "upstream " + ex.upstreamDescription() + " closed the stream: " + describe(failure);
            Usage usage = accumulator.usage();
            Double cost = ex.policy().cost(ex.route().model(), usage);
            ex.attempts().add(new AttemptRecord(ex.attempts().size(), "answer", ex.route().model(), trigger,
                    upstreamStatus, usage, cost, TimeUnit.NANOSECONDS.toMillis(elapsed)));
            ex.proxyToClientResponse().write(true, ByteBuffer.wrap(AnthropicErrors.sseEvent(type, message)),
                    Callback.from(() -> {
                        ex.finish(upstreamStatus, type, ex.route().model(), "none", usage, ex.totalCost(),
                                ex.policy().counterfactual(ex.requestedModel(), usage), null);
                        ex.callback().succeeded();
                    }, ex::clientGone));
        }

        private void completed() {
            long elapsed = System.nanoTime() - attemptStart;
            ex.addUpstreamNanos(elapsed);
            Usage usage = accumulator.usage();
            Double cost = ex.policy().cost(ex.route().model(), usage);
            ex.attempts().add(new AttemptRecord(ex.attempts().size(), "answer", ex.route().model(), trigger,
                    upstreamStatus, usage, cost, TimeUnit.NANOSECONDS.toMillis(elapsed)));
            JsonNode message = accumulator.complete() ? accumulator.message() : null;
            String errorType = accumulator.error() == null ? null : accumulator.error().path("type").asText(null);
            if (message != null && !offered) {
                ex.offerToCache(message, usage);
            }
            ex.finish(upstreamStatus, errorType, ex.route().model(), "none", usage, ex.totalCost(),
                    ex.policy().counterfactual(ex.requestedModel(), usage), message);
            ex.callback().succeeded();
        }
    }

    /** USD with exactly 6 decimals ({@code String.format} is needlessly slow on the request path). */
    static String usd6(double usd) {
        return java.math.BigDecimal.valueOf(usd).setScale(6, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    static Double saved(Double counterfactual, Double cost) {
        return counterfactual == null || cost == null ? null : counterfactual - cost;
    }

    static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused";
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return "unknown host";
            }
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /**
     * The upstream content as the gateway reads it. It asks for {@code identity}, but an upstream (or a proxy in
     * between) may compress anyway: gzip and deflate are decoded for reading usage and the message, while the
     * client still receives the original bytes with their {@code Content-Encoding}. Undecodable content is
     * returned as is (it then simply does not parse).
     */
    static byte[] decoded(HttpFields headers, byte[] content) {
        String encoding = headers.get(HttpHeader.CONTENT_ENCODING);
        if (encoding == null || content.length == 0) {
            return content;
        }
        encoding = encoding.trim().toLowerCase(Locale.ROOT);
        boolean gzip = encoding.equals("gzip") || encoding.equals("x-gzip");
        if (!gzip && !encoding.equals("deflate")) {
            return content;
        }
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(content))
                : new InflaterInputStream(new ByteArrayInputStream(content))) {
            return in.readNBytes(MAX_BUFFERED_RESPONSE);
        } catch (IOException e) {
            return content;
        }
    }

    private static JsonNode parseQuietly(byte[] content) {
        try {
            JsonNode n = JSON.readTree(content);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String errorTypeOf(byte[] content) {
        JsonNode n = parseQuietly(content);
        if (n != null && n.path("error").has("type")) {
            return n.path("error").path("type").asText();
        }
        return "upstream_error";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
