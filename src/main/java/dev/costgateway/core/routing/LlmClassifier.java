package dev.costgateway.core.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.RouteDecision.ClassifierCall;

/**
 * Layer 3 of the classifier: asks the fast tier's model whether a prompt is SIMPLE, MODERATE or COMPLEX.
 *
 * <p>The request is a short non-streaming Messages call (template {@code classifier-prompt.txt}, the prompt cut to
 * {@value #MAX_PROMPT_CHARS} characters, {@code max_tokens} {@value #MAX_TOKENS}, temperature 0). Verdicts are cached
 * by the SHA-256 of the full prompt text, so a repeated prompt costs nothing; a reply that arrives after the timeout
 * is still cached for next time. A timeout ({@code classifier.llm_timeout_ms}), a transport failure, an error status
 * or a reply without one of the three words gives no verdict: the caller falls back to the ceiling, the request
 * never fails because of the classifier.
 *
 * <p>Thread-safe. Non-blocking: work runs on the transport's completion threads and, for the timeout, the JDK's
 * {@code CompletableFuture} delay scheduler.
 */
public final class LlmClassifier {

    static final int MAX_PROMPT_CHARS = 4000;
    static final int MAX_TOKENS = 5;
    static final long DEFAULT_CACHE_ENTRIES = 10_000;
    static final Duration DEFAULT_CACHE_TTL = Duration.ofDays(1);

    private static final String TEMPLATE_RESOURCE = "classifier-prompt.txt";
    private static final String PLACEHOLDER = "{{prompt}}";
    private static final Pattern LABEL = Pattern.compile("\\b(SIMPLE|MODERATE|COMPLEX)\\b");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlmTransport transport;
    private final Supplier<GatewayConfig> config;
    private final InstantSource clock;
    private final String template;
    private final Cache<String, String> verdicts;

    /** What one classification produced: maybe a verdict, and the upstream call if one was made. */
    public record Outcome(Optional<LlmVerdict> verdict, Optional<ClassifierCall> call) {
    }

    public LlmClassifier(LlmTransport transport, Supplier<GatewayConfig> config, InstantSource clock) {
        this(transport, config, clock, DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_TTL);
    }

    /**
     * @param cacheEntries most verdicts kept
     * @param cacheTtl     how long a verdict stays valid after it was written
     */
    public LlmClassifier(LlmTransport transport, Supplier<GatewayConfig> config, InstantSource clock,
                         long cacheEntries, Duration cacheTtl) {
        this.transport = transport;
        this.config = config;
        this.clock = clock;
        this.template = loadTemplate();
        this.verdicts = Caffeine.newBuilder()
                .maximumSize(cacheEntries)
                .expireAfterWrite(cacheTtl)
                .ticker(() -> nanos(clock.instant()))
                .executor(Runnable::run)
                .build();
    }

    private LlmClassifier(LlmClassifier shared, LlmTransport transport) {
        this.transport = transport;
        this.config = shared.config;
        this.clock = shared.clock;
        this.template = shared.template;
        this.verdicts = shared.verdicts;
    }

    /**
     * The same classifier (same verdict cache) sending through another transport: the gateway makes one per
     * request so the classifier call carries that caller's credentials.
     */
    public LlmClassifier withTransport(LlmTransport perRequest) {
        return new LlmClassifier(this, perRequest);
    }

    /**
     * The verdict for a prompt, or empty on timeout, error or an unusable reply.
     *
     * @param promptText   the text to classify (the last user turn)
     * @param ceilingModel the model the request may use at most; when it is already the fast tier's model and
     *                     upgrades are off there is nothing cheaper to find, so no call is made
     */
    public CompletableFuture<Optional<LlmVerdict>> classify(String promptText, String ceilingModel) {
        return classifyWithCall(promptText, ceilingModel).thenApply(Outcome::verdict);
    }

    /** Like {@link #classify}, and also reports the upstream call (for cost accounting), including failed ones. */
    public CompletableFuture<Outcome> classifyWithCall(String promptText, String ceilingModel) {
        GatewayConfig cfg = config.get();
        if (!cfg.routing().allowUpgrade() && cfg.tierOf(ceilingModel).filter(t -> t == Tier.FAST).isPresent()) {
            return CompletableFuture.completedFuture(new Outcome(Optional.empty(), Optional.empty()));
        }
        String key = sha256(promptText);
        String cached = verdicts.getIfPresent(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(
                    new Outcome(Optional.of(new LlmVerdict(cached, tierOf(cached), true)), Optional.empty()));
        }
        String model = cfg.modelFor(Tier.FAST);
        long started = clock.millis();
        CompletableFuture<ClassifierCall> calls;
        try {
            calls = transport.send(request(model, promptText)).thenApply(reply -> toCall(model, reply, cfg));
        } catch (RuntimeException e) {
            calls = CompletableFuture.failedFuture(e);
        }
        calls.thenAccept(call -> {
            if (isLabel(call.outcome())) {
                verdicts.put(key, call.outcome());
            }
        });
        return calls.copy()
                .orTimeout(cfg.classifier().llmTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((call, error) -> {
                    if (error != null) {
                        boolean timeout = unwrap(error) instanceof TimeoutException;
                        // A timed-out call may still be billed: its cost is unknown, not zero.
                        ClassifierCall failed = new ClassifierCall(model, Usage.ZERO, timeout ? null : 0.0,
                                clock.millis() - started, 0, timeout ? "timeout" : "error");
                        return new Outcome(Optional.empty(), Optional.of(failed));
                    }
                    Optional<LlmVerdict> verdict = isLabel(call.outcome())
                            ? Optional.of(new LlmVerdict(call.outcome(), tierOf(call.outcome()), false))
                            : Optional.empty();
                    return new Outcome(verdict, Optional.of(call));
                });
    }

    /** SIMPLE → fast, MODERATE → balanced, COMPLEX → premium. */
    static Tier tierOf(String label) {
        switch (label) {
            case "SIMPLE":
                return Tier.FAST;
            case "MODERATE":
                return Tier.BALANCED;
            default:
                return Tier.PREMIUM;
        }
    }

    private byte[] request(String model, String promptText) {
        String prompt = promptText.length() > MAX_PROMPT_CHARS ? promptText.substring(0, MAX_PROMPT_CHARS) : promptText;
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", MAX_TOKENS);
        body.put("temperature", 0);
        ObjectNode message = body.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", template.replace(PLACEHOLDER, prompt));
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClassifierCall toCall(String model, LlmTransport.LlmReply reply, GatewayConfig cfg) {
        if (reply.status() / 100 != 2) {
            // Error responses are not billed.
            return new ClassifierCall(model, Usage.ZERO, 0.0, reply.latencyMillis(), reply.status(), "error");
        }
        JsonNode json;
        try {
            json = JSON.readTree(reply.body());
        } catch (java.io.IOException e) {
            return new ClassifierCall(model, Usage.ZERO, null, reply.latencyMillis(), reply.status(), "unparseable");
        }
        Usage usage = Usage.fromJson(json.get("usage"));
        Double cost = CostCalculator.costOrNull(model, usage, cfg);
        String text = EscalationPolicy.answerText(json).toUpperCase(Locale.ROOT);
        Matcher m = LABEL.matcher(text);
        String outcome = m.find() ? m.group(1) : "unparseable";
        return new ClassifierCall(model, usage, cost, reply.latencyMillis(), reply.status(), outcome);
    }

    private static boolean isLabel(String outcome) {
        return "SIMPLE".equals(outcome) || "MODERATE".equals(outcome) || "COMPLEX".equals(outcome);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String loadTemplate() {
        try (var in = LlmClassifier.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + TEMPLATE_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
