package dev.costgateway.core.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.decision.InFlight;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.metrics.RequestRecord;

/**
 * One client request, from the client-to-proxy request to the proxy-to-client response. The pipeline, in order:
 * <pre>
 *   parse request  →  cache lookup ──hit──→ respond (cached) ─────────────────────────→ record
 *                          │ miss
 *                          ▼
 *                        admit ──refused (budget)──→ respond (429) ─────────────────────→ record
 *                          │
 *                          ▼
 *                        route  →  attempt (buffered | live)  →  validate / escalate ──weak──→ attempt again
 *                                                                        │ good
 *                                                                        ▼
 *                                                                     respond  →  store  →  record
 * </pre>
 * Each arrow is a method here calling one stage class ({@link RequestParser}, {@link CacheStage}, {@link RouteStage},
 * {@link UpstreamAttempt}/{@link LiveAttempt}, {@link EscalationStage}, {@link Responder}); the {@link RequestLedger}
 * keeps the account and builds the record. Any failure ends in {@link #gatewayError} or {@link #clientGone}.
 * Non-blocking: no request thread waits on upstream. Steps run one at a time, on the Jetty thread that delivered
 * the event, except a client hang-up, which may race the rest (the ledger closes once).
 */
final class MessageExchange implements AttemptListener {

    private static final Logger LOG = LoggerFactory.getLogger(MessageExchange.class);

    private final MessagesHandler.Shared shared;
    private final Request clientToProxyRequest;
    private final Callback callback;
    private final GatewayConfig cfg;
    private final MessagePolicy policy;
    private final RequestLedger ledger;
    private final Responder respond;
    private ParsedRequest request;
    private volatile org.eclipse.jetty.client.Request currentUpstream;
    private volatile InFlight flight = InFlight.NONE;
    private boolean storedEarly;

    MessageExchange(MessagesHandler.Shared shared, String queryId, Request request, Response response,
                    Callback callback) {
        this.shared = shared;
        this.clientToProxyRequest = request;
        this.callback = callback;
        this.cfg = shared.config().get();
        this.policy = shared.policy().get();
        this.ledger = new RequestLedger(queryId, shared.clock(), policy);
        this.respond = new Responder(response, ledger);
    }

    void start() {
        long max = cfg.server().maxBodyBytes();
        long declared = clientToProxyRequest.getLength();
        if (declared > max) {
            gatewayError(HttpStatus.PAYLOAD_TOO_LARGE_413, AnthropicErrors.REQUEST_TOO_LARGE,
                    "request body is " + declared + " bytes; the limit (server.max_body_bytes) is " + max);
            return;
        }
        clientToProxyRequest.addFailureListener(this::abortUpstream);
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

    // ---- the pipeline ----

    private void onBody(byte[] bytes) {
        try {
            request = RequestParser.parse(bytes, clientToProxyRequest.getHeaders(), cfg, shared.envApiKey(),
                    ledger.queryId());
        } catch (InvalidRequest e) {
            gatewayError(HttpStatus.BAD_REQUEST_400, AnthropicErrors.INVALID_REQUEST, e.getMessage());
            return;
        }
        ledger.request(request, cfg.metrics().storeText() ? cfg.metrics().textPreviewChars() : -1);
        Optional<MessagePolicy.CacheHit> hit = CacheStage.lookup(policy, cfg, request);
        if (hit.isPresent()) {
            respondFromCache(hit.get());
            return;
        }
        flight = CacheStage.joinInFlight(policy, cfg, request);
        if (flight.follower()) { // an identical request is on its way upstream: wait for it, then look up again
            flight.landed().orTimeout(cfg.upstream().timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((landed, timedOut) -> afterLeaderLanded());
            return;
        }
        routeAndAttempt();
    }

    private void afterLeaderLanded() {
        Optional<MessagePolicy.CacheHit> hit = CacheStage.lookup(policy, cfg, request);
        if (hit.isPresent()) {
            respondFromCache(hit.get());
        } else {
            routeAndAttempt(); // the leader stored nothing (error, uncacheable, gone): go upstream, no new flight
        }
    }

    private void routeAndAttempt() {
        Optional<MessagePolicy.Refusal> refusal = AdmissionStage.check(policy, request);
        if (refusal.isPresent()) {
            refuse(refusal.get());
            return;
        }
        RouteStage.route(policy, request).thenAccept(decision -> {
            ledger.routed(decision);
            // the first lookup may have gone on without the prompt's vector, which routing has now computed
            Optional<MessagePolicy.CacheHit> late = CacheStage.lookupAfterRouting(policy, cfg, request);
            if (late.isPresent()) {
                respondFromCache(late.get());
                return;
            }
            attempt("initial");
        });
    }

    private void respondFromCache(MessagePolicy.CacheHit hit) {
        if (hit.kind() == dev.costgateway.core.decision.CacheKind.SEMANTIC) {
            policy.semanticHitServed(ledger.queryId(), request.originalBody(), clientToProxyRequest.getHeaders(),
                    request.injectedKey() == null ? request.client().credential() : null);
        }
        byte[] out = request.stream() ? policy.replayAsSse(hit.messageJson()) : hit.messageJson();
        JsonNode message = UpstreamAnswer.parseQuietly(hit.messageJson());
        ledger.routed(ledger.cacheRoute(hit));
        respond.cacheHit(hit, out, request.stream(), ledger.cacheSavings(hit.usage()), Callback.from(() -> {
            record(ledger.closeFromCache(hit, message));
            callback.succeeded();
        }, this::clientGone));
    }

    private void attempt(String trigger) {
        if (ledger.isClosed()) {
            return;
        }
        boolean live = request.stream() && !policy.bufferStreams();
        UpstreamAttempt.send(shared.upstream(), cfg, clientToProxyRequest, request, ledger.currentModel(), live,
                trigger, ledger, respond, this);
    }

    @Override
    public void answered(String trigger, long attemptStartNanos, UpstreamAnswer answer) {
        ledger.answerAttempt(trigger, answer.status(), answer.usage(), attemptStartNanos);
        if (ledger.isClosed()) {
            return;
        }
        RouteDecision current = ledger.route();
        Optional<MessagePolicy.Escalation> next = EscalationStage.check(policy, answer.message(),
                request.requestedModel(), current, ledger.escalations());
        if (next.isPresent()) {
            ledger.escalated(next.get().route());
            attempt(next.get().trigger());
            return;
        }
        boolean ok = answer.status() == 200;
        if (ok && answer.message() != null) {
            store(answer.message(), answer.usage()); // before the write: a repeat sent the instant it ends is a hit
        }
        respond.upstreamAnswer(answer, ok ? ledger.savings(answer.usage()) : null, Callback.from(() -> {
            record(ledger.closeAnswered(answer.status(), answer.errorType(), answer.usage(), answer.message()));
            callback.succeeded();
        }, this::clientGone));
    }

    @Override
    public void streamEnded(String trigger, long attemptStartNanos, int status, Usage usage, JsonNode message,
                            String errorType) {
        ledger.answerAttempt(trigger, status, usage, attemptStartNanos);
        if (message != null && !storedEarly) {
            store(message, usage);
        }
        record(ledger.closeAnswered(status, errorType, usage, message));
        callback.succeeded();
    }

    @Override
    public void streamComplete(JsonNode message, Usage usage) {
        storedEarly = true;
        store(message, usage);
    }

    private void store(JsonNode message, Usage usage) {
        RouteStage.answered(policy, request, ledger.currentModel(), usage, message); // sticky sessions learn from it
        CacheStage.store(policy, cfg, request, message, ledger.currentModel(), usage);
        flight.land(); // stored (or refused): identical requests waiting for this one look the cache up now
    }

    private void record(Optional<RequestRecord> closed) {
        flight.land(); // every end passes here: waiting identical requests never outlive this one
        closed.ifPresent(r -> {
            try {
                shared.metrics().record(r);
            } catch (RuntimeException e) {
                LOG.warn("metrics record failed: {}", e.toString());
            }
        });
    }

    // ---- ends without an answer ----

    @Override
    public void streamBroke(String trigger, long attemptStartNanos, int status, Usage usage, String errorType,
                            byte[] errorEvent) {
        ledger.answerAttempt(trigger, status, usage, attemptStartNanos);
        respond.write(true, ByteBuffer.wrap(errorEvent), Callback.from(() -> {
            record(ledger.closeAnswered(status, errorType, usage, null));
            callback.succeeded();
        }, this::clientGone));
    }

    @Override
    public void failedBeforeResponse(String trigger, long attemptStartNanos, Throwable failure) {
        ledger.answerAttempt(trigger, 0, Usage.ZERO, attemptStartNanos);
        if (ledger.isClosed()) {
            return;
        }
        UpstreamClient.Failure answer = shared.upstream().failure(failure);
        gatewayError(answer.status(), answer.type(), answer.message());
    }

    private void refuse(MessagePolicy.Refusal refusal) {
        respond.gatewayError(refusal.status(), refusal.type(), refusal.message(), refusal.retry(), Callback.from(() -> {
            record(ledger.closeFailed(refusal.status(), refusal.type()));
            callback.succeeded();
        }, this::clientGone));
    }

    private void gatewayError(int status, String type, String message) {
        if (respond.isCommitted()) {
            clientGone(new IOException(message));
            return;
        }
        respond.gatewayError(status, type, message, Callback.from(() -> {
            record(ledger.closeFailed(status, type));
            callback.succeeded();
        }, this::clientGone));
    }

    /** The client hung up (or its connection failed): stop upstream work, record it, release the exchange. */
    @Override
    public void clientGone(Throwable cause) {
        // close first: aborting upstream runs its failure path at once, which would otherwise answer (and
        // record) a 502 to a client that is no longer there
        Optional<RequestRecord> closed = ledger.closeFailed(0, "client_closed");
        if (closed.isPresent()) {
            record(closed);
            LOG.debug("client of {} went away: {}", ledger.queryId(), cause.toString());
            callback.failed(cause);
        }
        abortUpstream(cause);
    }

    private void abortUpstream(Throwable cause) {
        var up = currentUpstream;
        if (up != null) {
            up.abort(cause);
        }
    }

    @Override
    public boolean isFinished() {
        return ledger.isClosed();
    }

    @Override
    public void inFlight(org.eclipse.jetty.client.Request proxyToServerRequest) {
        currentUpstream = proxyToServerRequest;
    }
}
