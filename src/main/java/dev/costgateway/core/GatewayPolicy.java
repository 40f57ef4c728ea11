package dev.costgateway.core;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.api.Usage;
import dev.costgateway.core.budget.BudgetTracker;
import dev.costgateway.core.cache.CacheKey;
import dev.costgateway.core.cache.CachedAnswer;
import dev.costgateway.core.cache.ExactCache;
import dev.costgateway.core.cache.SemanticCache;
import dev.costgateway.core.cache.SingleFlight;
import dev.costgateway.core.cache.SseReplay;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.InFlight;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.PromptEmbedding;
import dev.costgateway.core.proxy.ClientContext;
import dev.costgateway.core.proxy.MessagePolicy;
import dev.costgateway.core.proxy.UpstreamClient;
import dev.costgateway.core.routing.CostCalculator;
import dev.costgateway.core.routing.DifficultyScorer;
import dev.costgateway.core.routing.EmbeddingLayer;
import dev.costgateway.core.routing.EscalationPolicy;
import dev.costgateway.core.routing.HeuristicClassifier;
import dev.costgateway.core.routing.LlmClassifier;
import dev.costgateway.core.routing.LlmTransport;
import dev.costgateway.core.routing.Router;
import dev.costgateway.core.routing.Savings;
import dev.costgateway.core.routing.SessionThread;
import dev.costgateway.core.routing.StickySessions;
import dev.costgateway.core.session.SessionExtractor;
import dev.costgateway.core.session.SessionTag;
import dev.costgateway.core.time.GatewayClock;

/**
 * The gateway's decisions, assembled from the routing and cache packages: the proxy sees only
 * {@link MessagePolicy}. Thread-safe; the configuration is read per call so reloads apply at once.
 */
final class GatewayPolicy implements MessagePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayPolicy.class);

    private final Supplier<GatewayConfig> config;
    private final Supplier<ExactCache> exact;
    private final SingleFlight<CacheKey> flights = new SingleFlight<>();
    private final SemanticCache semantic;
    private final dev.costgateway.core.proxy.SemanticReplays replays;
    private final Supplier<Optional<Embedder>> embedder;
    /**
     * The embeddings of each request in flight, keyed by the identity of its body (the proxy hands the same
     * object to {@link #lookup}, {@link #route} and {@link #store}); weak keys, so a request that ends without a
     * store leaves nothing behind.
     */
    private final Cache<ObjectNode, PromptEmbedding> requestEmbeddings = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();
    /**
     * This request's exact-cache key, worked out once for the lookup, the single flight and the store: the
     * canonical form and SHA-256 of an 88 KB agent request cost more than the rest of the proxy's work on it.
     * Weak keys (identity): gone with the request's body.
     */
    private final Cache<ObjectNode, ExactKeyMemo> exactKeys = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();

    private record ExactKeyMemo(String scope, String mode, CacheKey key) {
    }
    private final HeuristicClassifier heuristic = new HeuristicClassifier();
    private final EmbeddingLayer embedding;
    private final LlmClassifier llm;
    private final EscalationPolicy escalation = new EscalationPolicy();
    private final UpstreamClient upstream;
    private final GatewayClock clock;
    private final DifficultyScorer scorer;
    private final BudgetTracker budgets;
    private final StickySessions sticky;
    /** The session of each sticky request in flight, by body identity (weak: nothing outlives its request). */
    private final Cache<ObjectNode, StickySessions.Key> sessionOfBody = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();
    /** The sticky turn a route decision belongs to, by decision identity, for the escalation check. */
    private final Cache<RouteDecision, StickyTurn> stickyTurns = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();

    /** @param mayMove whether this request may leave its thread's model ({@link SessionThread#held} is empty) */
    private record StickyTurn(StickySessions.Key key, boolean mayMove) {
    }

    /**
     * @param scorer  scores every routed request (issue 11); null keeps the layered classifier chain
     * @param budgets spending limits checked before a request goes upstream
     * @param replays remembers semantic hits so that a rejected one can be re-asked
     */
    GatewayPolicy(Supplier<GatewayConfig> config, Supplier<ExactCache> exact, SemanticCache semantic,
                  Supplier<Optional<Embedder>> embedder, EmbeddingLayer embedding, UpstreamClient upstream,
                  GatewayClock clock, DifficultyScorer scorer, BudgetTracker budgets,
                  dev.costgateway.core.proxy.SemanticReplays replays) {
        this.replays = replays;
        this.scorer = scorer;
        this.budgets = budgets;
        this.config = config;
        this.exact = exact;
        this.semantic = semantic;
        this.embedder = embedder;
        this.embedding = embedding;
        this.upstream = upstream;
        this.clock = clock;
        this.sticky = new StickySessions(clock);
        this.llm = new LlmClassifier(json -> CompletableFuture.failedFuture(
                new IllegalStateException("no caller transport")), config, clock);
    }

    // ---- budgets ----

    @Override
    public Optional<Refusal> admit(ObjectNode body, ClientContext client, String callerKeyHash) {
        if (budgets.budgets().isEmpty()) {
            return Optional.empty();
        }
        String credential = client.credential();
        if (credential.length() >= 8) {
            budgets.noteKeyHint(callerKeyHash, credential.substring(credential.length() - 4));
        }
        boolean projectBudgets = budgets.budgets().stream()
                .anyMatch(b -> b.scope() == dev.costgateway.core.budget.Budget.Scope.PROJECT);
        String project = projectBudgets ? dev.costgateway.core.session.SessionExtractor.project(body) : "";
        return budgets.blocking(callerKeyHash, project).map(st -> new Refusal(429, AnthropicErrors.RATE_LIMIT,
                st.refusalMessage(budgets.zone()), false));
    }

    // ---- routing ----

    @Override
    public CompletableFuture<RouteDecision> route(ObjectNode body, String requestedModel, ClientContext client) {
        // The router scores with its own word-piece vectors (cheap, ADR 0026), never the cache's sentence
        // embedding: the prompt is embedded by the semantic cache alone, once, and only when it can be used there.
        GatewayConfig cfg = config.get();
        Optional<StickySessions.Key> session = stickyKey(cfg, body, requestedModel, client);
        if (session.isPresent()) {
            GatewayConfig lifted = StickySessions.withSessionRules(cfg);
            Router alone = new Router(() -> lifted, heuristic, embedding, llm.withTransport(transportFor(client)),
                    scorer);
            StickyTurn turn = new StickyTurn(session.get(), SessionThread.held(body).isEmpty());
            sessionOfBody.put(body, session.get());
            return sticky.route(cfg, session.get(), body, () -> alone.route(body, false)).thenApply(d -> {
                stickyTurns.put(d, turn);
                return d;
            });
        }
        Router router = new Router(config, heuristic, embedding, llm.withTransport(transportFor(client)),
                scorer);
        return router.route(body, client.routeBypass());
    }

    /** The sticky session this request belongs to; empty when {@code routing.sessions} does not apply to it. */
    private static Optional<StickySessions.Key> stickyKey(GatewayConfig cfg, ObjectNode body, String requestedModel,
                                                          ClientContext client) {
        if (!StickySessions.applies(cfg, body, client.routeBypass(), true)) {
            return Optional.empty();
        }
        String scope = ExactCache.scopeHash(client.credential(), GatewayConfig.CacheScope.KEY);
        SessionTag tag = SessionExtractor.extract(null, body, scope);
        return tag.isPresent() ? Optional.of(new StickySessions.Key(scope, tag.id(), requestedModel))
                : Optional.empty();
    }

    @Override
    public void answered(ObjectNode body, ClientContext client, String model, Usage usage, JsonNode message) {
        StickySessions.Key key = sessionOfBody.getIfPresent(body);
        if (key == null) {
            return;
        }
        sticky.answered(key, model, usage);
        if (message != null) { // a weak answer streamed live could not be retried: the session moves up next time
            escalation.trigger(message, config.get()).ifPresent(t -> sticky.signal(key, model, t));
        }
    }

    /** Sends layer-3 classifier calls upstream with the caller's own credential. */
    private LlmTransport transportFor(ClientContext client) {
        return json -> {
            CompletableFuture<LlmTransport.LlmReply> reply = new CompletableFuture<>();
            long start = clock.nanoTime();
            upstream.newClassifierRequest()
                    .headers(h -> {
                        h.put("anthropic-version", "2023-06-01");
                        String credential = client.credential();
                        if (credential.regionMatches(true, 0, "Bearer ", 0, 7)) {
                            h.put("authorization", credential);
                        } else if (!credential.isEmpty()) {
                            h.put("x-api-key", credential);
                        }
                    })
                    .timeout(config.get().classifier().llmTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                    .body(new BytesRequestContent("application/json", json))
                    .send(new BufferingResponseListener(1 << 20) {
                        @Override
                        public void onComplete(org.eclipse.jetty.client.Result result) {
                            if (result.isFailed()) {
                                reply.completeExceptionally(result.getFailure());
                            } else {
                                reply.complete(new LlmTransport.LlmReply(result.getResponse().getStatus(),
                                        getContent(), TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start)));
                            }
                        }
                    });
            return reply;
        };
    }

    // ---- caches ----

    /** {@link ExactCache#key}, once per request body (a changed scope or mode, e.g. a config reload, recomputes). */
    private CacheKey exactKey(ObjectNode body, String scope, String mode) {
        ExactKeyMemo memo = exactKeys.getIfPresent(body);
        if (memo != null && memo.scope().equals(scope) && memo.mode().equals(mode)) {
            return memo.key();
        }
        CacheKey key = ExactCache.key(body, scope, mode);
        exactKeys.put(body, new ExactKeyMemo(scope, mode, key));
        return key;
    }

    private static String routingMode(GatewayConfig cfg, ClientContext client) {
        return client.routeBypass() ? "off" : cfg.routing().mode().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<CacheHit> lookup(ObjectNode body, ClientContext client) {
        GatewayConfig cfg = config.get();
        String scope = ExactCache.scopeHash(client.credential(), cfg.cache().scope());
        String mode = routingMode(cfg, client);
        Optional<CachedAnswer> hit = exact.get().get(exactKey(body, scope, mode));
        if (hit.isPresent()) {
            CachedAnswer a = hit.get();
            return Optional.of(new CacheHit(CacheKind.EXACT, a.messageJson(), a.model(), a.usage(), "identical request"));
        }
        return semantic.lookup(body, scope, mode, registeredOnUse(body), client.queryId())
                .map(GatewayPolicy::semanticHit);
    }

    private static CacheHit semanticHit(dev.costgateway.core.cache.SemanticHit s) {
        return new CacheHit(CacheKind.SEMANTIC, s.answer().messageJson(), s.answer().model(), s.answer().usage(),
                String.format(Locale.ROOT, "similarity %.3f", s.similarity()));
    }

    @Override
    public Optional<CacheHit> lookupAfterRouting(ObjectNode body, ClientContext client) {
        PromptEmbedding prompt = requestEmbeddings.getIfPresent(body);
        if (prompt == null) {
            return Optional.empty();
        }
        GatewayConfig cfg = config.get();
        String scope = ExactCache.scopeHash(client.credential(), cfg.cache().scope());
        return semantic.lookupAgainIfLate(body, scope, routingMode(cfg, client), prompt, client.queryId())
                .map(GatewayPolicy::semanticHit);
    }

    @Override
    public void semanticHitServed(String queryId, byte[] originalBody, org.eclipse.jetty.http.HttpFields headers,
                                  String clientCredential) {
        replays.remember(queryId, originalBody, headers, clientCredential);
    }

    @Override
    public InFlight joinInFlight(ObjectNode body, ClientContext client) {
        GatewayConfig cfg = config.get();
        String scope = ExactCache.scopeHash(client.credential(), cfg.cache().scope());
        return flights.join(exactKey(body, scope, routingMode(cfg, client)));
    }

    @Override
    public void store(ObjectNode body, ClientContext client, JsonNode message, String model, Usage usage) {
        GatewayConfig cfg = config.get();
        if (!ExactCache.shouldStore(message, cfg.cache())) {
            return;
        }
        String scope = ExactCache.scopeHash(client.credential(), cfg.cache().scope());
        String mode = routingMode(cfg, client);
        CachedAnswer answer = new CachedAnswer(message.toString().getBytes(StandardCharsets.UTF_8), model, usage,
                clock.instant());
        exact.get().put(exactKey(body, scope, mode), answer);
        exactKeys.invalidate(body);
        PromptEmbedding prompt = requestEmbeddings.asMap().remove(body);
        semantic.store(body, scope, mode, answer, prompt != null ? prompt : PromptEmbedding.lazy(embedder));
    }

    /**
     * This request's embeddings for the lookup, remembered for the store only once something is embedded: a
     * request nothing can match leaves no trace (the common case costs no map insertion).
     */
    private PromptEmbedding registeredOnUse(ObjectNode body) {
        PromptEmbedding known = requestEmbeddings.getIfPresent(body);
        if (known != null) {
            return known;
        }
        PromptEmbedding prompt = PromptEmbedding.lazy(embedder);
        return new PromptEmbedding() {
            @Override
            public Optional<float[]> vector(String text) {
                requestEmbeddings.asMap().putIfAbsent(body, prompt);
                return requestEmbeddings.asMap().getOrDefault(body, prompt).vector(text);
            }

            @Override
            public CompletableFuture<Optional<float[]>> vectorOn(String text, java.util.concurrent.Executor executor) {
                requestEmbeddings.asMap().putIfAbsent(body, prompt);
                return requestEmbeddings.asMap().getOrDefault(body, prompt).vectorOn(text, executor);
            }

            @Override
            public Optional<float[]> ifComputed(String text) {
                return prompt.ifComputed(text);
            }
        };
    }

    @Override
    public byte[] replayAsSse(byte[] messageJson) {
        return SseReplay.render(messageJson);
    }

    // ---- escalation and money ----

    @Override
    public Optional<Escalation> escalate(JsonNode message, String requestedModel, RouteDecision current,
                                         int escalationsSoFar) {
        GatewayConfig cfg = config.get();
        if (current.tier() == null || current.ceiling() == null) {
            return Optional.empty(); // unrouted requests are the client's choice
        }
        StickyTurn turn = stickyTurns.getIfPresent(current);
        if (turn != null) {
            return escalateSession(cfg, turn, message, current, escalationsSoFar);
        }
        Optional<String> trigger = escalation.trigger(message, cfg);
        if (trigger.isEmpty()) {
            return Optional.empty();
        }
        Optional<Tier> next = escalation.nextTier(current.tier(), current.ceiling(), escalationsSoFar, cfg);
        if (next.isEmpty()) {
            LOG.debug("answer triggered {} but no stronger tier is allowed", trigger.get());
            return Optional.empty();
        }
        Tier t = next.get();
        boolean ceilingReached = t == current.ceiling() && !Router.AUTO_MODEL.equals(requestedModel);
        String model = ceilingReached && cfg.tierOf(requestedModel).orElse(null) == t ? requestedModel : cfg.modelFor(t);
        return Optional.of(new Escalation(current.escalatedTo(model, t, trigger.get()), trigger.get()));
    }

    /**
     * A sticky session moves up once, to the requested model, and stays there: this request is retried there when it
     * may move, else its answer stands and the session moves at its next turn that may.
     */
    private Optional<Escalation> escalateSession(GatewayConfig cfg, StickyTurn turn, JsonNode message,
                                                 RouteDecision current, int escalationsSoFar) {
        if (escalationsSoFar >= cfg.maxEscalations()) {
            return Optional.empty();
        }
        Optional<String> trigger = escalation.trigger(message, cfg);
        if (trigger.isEmpty()) {
            return Optional.empty();
        }
        return sticky.escalated(cfg, turn.key(), current, trigger.get(), turn.mayMove()).map(up -> {
            stickyTurns.put(up, turn);
            return new Escalation(up, trigger.get());
        });
    }

    @Override
    public boolean bufferStreams() {
        return config.get().escalation().streaming() == GatewayConfig.StreamingEscalation.BUFFER;
    }

    @Override
    public Double cost(String model, Usage usage) {
        return CostCalculator.costOrNull(model, usage, config.get());
    }

    @Override
    public Double counterfactual(String requestedModel, Usage usage) {
        return Savings.counterfactual(requestedModel, usage, config.get());
    }
}
