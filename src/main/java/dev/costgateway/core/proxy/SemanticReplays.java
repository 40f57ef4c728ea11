package dev.costgateway.core.proxy;

import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * "Re-ask upstream" after a wrong semantic hit: remembers the requests that were answered from the semantic cache
 * (body and headers, in memory only, for {@value #REMEMBERED} hits and at most {@link #KEPT}), and after the hit was
 * rejected sends the same request through this gateway again. The replay is an ordinary request: routed, priced,
 * counted against budgets, recorded, and its answer stored in the cache, so the prompt and its paraphrases get the
 * new answer from then on. The rejection evicted the wrong entry and keeps the pair as a negative, so the replay
 * cannot be served the same answer.
 *
 * <p>A request that carried the caller's own credential is only re-asked for a caller that presents the same one
 * (a loopback neighbour who learnt a query id cannot spend someone else's key or read their answer); the desktop
 * app, which owns the gateway, may re-ask any. Credentials stay in memory and are never logged. Thread-safe.
 */
public final class SemanticReplays implements AutoCloseable {

    /** Semantic hits remembered for a re-ask at most. */
    public static final int REMEMBERED = 1_000;
    /** How long a semantic hit can be re-asked after it was served. */
    public static final Duration KEPT = Duration.ofHours(1);
    /** A replayed answer larger than this is refused (a Messages answer is far smaller). */
    static final int MAX_ANSWER_BYTES = 32 * 1024 * 1024;

    /** Request headers that belong to the client's connection to the gateway, not to the request. */
    private static final Set<String> CONNECTION_HEADERS = Set.of("host", "content-length", "expect", "connection",
            "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "accept-encoding", "x-gateway-query-id", "x-gateway-cache");

    /** Who asks for a replay. */
    public sealed interface Asker {
        /** The desktop app, in the gateway's process: may re-ask every remembered hit. */
        Asker OWNER = new Owner();

        /** An HTTP caller, with the credential it sent ({@code x-api-key} or {@code authorization}), or null. */
        static Asker withCredential(String credential) {
            return new Caller(credential);
        }

        /** An HTTP caller, with the credential of its request's headers. */
        static Asker fromHeaders(HttpFields headers) {
            return new Caller(ProxyHeaders.credential(headers));
        }
    }

    private record Owner() implements Asker {
    }

    private record Caller(String credential) implements Asker {
        @Override
        public String toString() {
            return "Caller[credential=***]";
        }
    }

    /** What became of a re-ask. */
    public enum Outcome {
        /** The request went through the gateway again; see {@link Replay#status()}. */
        ASKED,
        /** No rejected semantic hit is remembered under the id (never a hit, not rejected, too old, asked already). */
        UNKNOWN,
        /** The hit was made with another credential than the asker's. */
        FORBIDDEN,
        /** The gateway could not be reached or answered nothing readable. */
        FAILED
    }

    /**
     * The replay's answer, as the gateway sent it.
     *
     * @param queryId the replay's own {@code X-Gateway-Query-ID} (empty unless {@code ASKED})
     * @param detail  why, when not {@code ASKED}
     */
    public record Replay(Outcome outcome, int status, HttpFields headers, byte[] body, String queryId, String detail) {

        static Replay not(Outcome outcome, String detail) {
            return new Replay(outcome, 0, HttpFields.EMPTY, new byte[0], "", detail);
        }
    }

    /** A request answered from the semantic cache, as it arrived. */
    private record Kept(byte[] body, HttpFields headers, String ownCredential, boolean rejected) {
        @Override
        public String toString() {
            return "Kept[" + body.length + " bytes]";
        }
    }

    private final Supplier<String> gatewayUrl;
    private final Supplier<Duration> timeout;
    private final Cache<String, Kept> kept;
    private volatile HttpClient client;

    /**
     * @param gatewayUrl this gateway's {@code http://host:port} while it listens, else null
     * @param timeout    the upstream timeout: a replay waits for the gateway at most that plus half a minute
     * @param clock      times out remembered hits
     */
    public SemanticReplays(Supplier<String> gatewayUrl, Supplier<Duration> timeout, InstantSource clock) {
        this.gatewayUrl = Objects.requireNonNull(gatewayUrl);
        this.timeout = Objects.requireNonNull(timeout);
        Objects.requireNonNull(clock);
        this.kept = Caffeine.newBuilder().maximumSize(REMEMBERED).expireAfterWrite(KEPT)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).executor(Runnable::run).build();
    }

    /**
     * Called when request {@code queryId} was answered from the semantic cache.
     *
     * @param clientCredential the credential the client sent, or null when the gateway supplied its own key
     */
    public void remember(String queryId, byte[] body, HttpFields headers, String clientCredential) {
        if (queryId.isEmpty()) {
            return;
        }
        HttpFields.Mutable copy = HttpFields.build();
        for (HttpField f : headers) {
            if (!CONNECTION_HEADERS.contains(f.getLowerCaseName())) {
                copy.add(f);
            }
        }
        kept.put(queryId, new Kept(body, copy.asImmutable(), clientCredential, false));
    }

    /** The hit {@code queryId} was rejected: from now on it may be re-asked (once). */
    public void rejected(String queryId) {
        kept.asMap().computeIfPresent(queryId, (id, k) -> new Kept(k.body(), k.headers(), k.ownCredential(), true));
    }

    /** Whether {@code queryId} was rejected and can be re-asked now. */
    public boolean canReask(String queryId) {
        Kept k = kept.getIfPresent(queryId);
        return k != null && k.rejected();
    }

    /**
     * Sends the rejected hit's request through the gateway again. Never blocks the caller: the future completes
     * when the gateway has answered (non-streaming or streaming, buffered). A remembered request is replayed once.
     */
    public CompletableFuture<Replay> reask(String queryId, Asker asker) {
        Kept k = kept.getIfPresent(queryId);
        if (k == null || !k.rejected()) {
            return CompletableFuture.completedFuture(Replay.not(Outcome.UNKNOWN,
                    "no rejected semantic hit is remembered for query " + queryId
                            + " (reject it first; hits are kept for " + KEPT.toMinutes() + " minutes)"));
        }
        if (k.ownCredential() != null && asker instanceof Caller c && !k.ownCredential().equals(c.credential())) {
            return CompletableFuture.completedFuture(Replay.not(Outcome.FORBIDDEN,
                    "query " + queryId + " was made with another credential; re-ask it with the same x-api-key "
                            + "or authorization header"));
        }
        if (!kept.asMap().remove(queryId, k)) {
            return CompletableFuture.completedFuture(Replay.not(Outcome.UNKNOWN,
                    "query " + queryId + " is being re-asked already"));
        }
        String base = gatewayUrl.get();
        if (base == null) {
            return CompletableFuture.completedFuture(Replay.not(Outcome.FAILED, "the gateway is not listening"));
        }
        CompletableFuture<Replay> done = new CompletableFuture<>();
        HttpClient http;
        try {
            http = client();
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Replay.not(Outcome.FAILED,
                    "could not start the replay client: " + e.getMessage()));
        }
        http.newRequest(URI.create(base + "/v1/messages")).method(HttpMethod.POST)
                .headers(h -> h.add(k.headers()).put(GatewayHeaders.CACHE, "refresh"))
                .body(new BytesRequestContent(k.body()))
                .timeout(timeout.get().toMillis() + 30_000, TimeUnit.MILLISECONDS)
                .send(new BufferingResponseListener(MAX_ANSWER_BYTES) {
                    @Override
                    public void onComplete(org.eclipse.jetty.client.Result result) {
                        if (result.isFailed()) {
                            done.complete(Replay.not(Outcome.FAILED,
                                    "the replay through the gateway failed: " + result.getFailure().getMessage()));
                            return;
                        }
                        var response = result.getResponse();
                        String id = Optional.ofNullable(response.getHeaders().get(GatewayHeaders.QUERY_ID)).orElse("");
                        done.complete(new Replay(Outcome.ASKED, response.getStatus(), response.getHeaders(),
                                getContent(), id, ""));
                    }
                });
        return done;
    }

    private HttpClient client() throws Exception {
        HttpClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (client == null) {
                HttpClient created = new HttpClient();
                QueuedThreadPool pool = new QueuedThreadPool(8, 1);
                pool.setName("semantic-replay");
                pool.setDaemon(true);
                created.setExecutor(pool);
                created.setFollowRedirects(false);
                created.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
                created.setUserAgentField(null);
                created.start();
                // after start, which installs the defaults: the answer goes back as the gateway sent it
                created.getContentDecoderFactories().clear();
                created.getProtocolHandlers().clear();
                created.getRequestListeners().addBeginListener(r -> r.headers(ProxyHeaders::maskCredentials));
                client = created;
            }
            return client;
        }
    }

    @Override
    public void close() {
        HttpClient c = client;
        if (c != null) {
            try {
                c.stop();
            } catch (Exception ignored) {
                // stopping at shutdown; nothing to recover
            }
        }
        kept.invalidateAll();
    }
}
