package dev.costgateway.core.cache;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.costgateway.core.config.GatewayConfig;

/**
 * The exact cache: a request whose canonical form (see {@link #key}) was answered before gets the same answer.
 *
 * <p>Entries live in Caffeine ({@code cache.max_entries}, {@code cache.exact_ttl} after write) or, when
 * {@code cache.redis_url} is set, in Redis with the same keys and TTL. Redis calls sit on the request path, so
 * they time out fast ({@link #REDIS_TIMEOUT}); when Redis fails the cache carries on in memory, logs the outage
 * once, reports {@link BackendStatus.Kind#REDIS_DOWN} and lets one request re-probe after a back-off that doubles
 * from {@link #RETRY_FIRST} up to {@link #RETRY_MAX} (no retry storms against a dead server).
 *
 * <p>Thread-safe. {@link #get} and {@link #put} never throw for backend failures.
 */
public final class ExactCache implements Closeable {

    /** Connect and socket timeout of every Redis call. */
    public static final Duration REDIS_TIMEOUT = Duration.ofMillis(200);
    /** Wait after Redis first fails before one request tries it again. */
    public static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    /** Longest wait between two re-probes of a Redis that stays down. */
    public static final Duration RETRY_MAX = Duration.ofSeconds(30);
    /** Prefix of every key this gateway writes to Redis. */
    public static final String REDIS_PREFIX = "cost-gateway:exact:";

    private static final Logger LOG = LoggerFactory.getLogger(ExactCache.class);
    private static final String SCOPE_SALT = "cost-gateway/cache-scope/v1:";
    private static final int SCOPE_HASH_BYTES = 16;

    private final CaffeineExactStore memory;
    private final RedisExactStore redis;
    private final Ticker ticker;
    private final long retryFirstNanos;
    private final long retryMaxNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Object stateLock = new Object();
    private volatile boolean redisDown;
    private volatile String downReason = "";
    private long retryAtNanos;
    private long backoffNanos;

    ExactCache(CaffeineExactStore memory, RedisExactStore redis, Ticker ticker, Duration retryFirst,
            Duration retryMax) {
        this.memory = Objects.requireNonNull(memory);
        this.redis = redis;
        this.ticker = Objects.requireNonNull(ticker);
        this.retryFirstNanos = retryFirst.toNanos();
        this.retryMaxNanos = retryMax.toNanos();
        this.backoffNanos = retryFirstNanos;
    }

    /**
     * Builds the cache the configuration asks for. With a Redis URL it pings Redis once (at most
     * {@link #REDIS_TIMEOUT}) so {@link #status()} is right from the start; a down Redis is not an error.
     *
     * @param ticker source of nanoseconds for TTLs and back-off ({@link Ticker#systemTicker()} in production)
     * @throws IllegalArgumentException when {@code cache.redis_url} is not a redis:// or rediss:// URL
     */
    public static ExactCache create(GatewayConfig.Cache cfg, Ticker ticker) {
        CaffeineExactStore memory = new CaffeineExactStore(cfg.maxEntries(), cfg.exactTtl(), ticker);
        if (cfg.redisUrl() == null || cfg.redisUrl().isBlank()) {
            return new ExactCache(memory, null, ticker, RETRY_FIRST, RETRY_MAX);
        }
        RedisExactStore redis = new RedisExactStore(cfg.redisUrl().strip(), REDIS_PREFIX, cfg.exactTtl(),
                REDIS_TIMEOUT);
        ExactCache cache = new ExactCache(memory, redis, ticker, RETRY_FIRST, RETRY_MAX);
        cache.probe();
        return cache;
    }

    /**
     * The key of a request: SHA-256 over the canonical JSON of the requested model (the ceiling), the routing
     * mode, {@code system}, {@code messages}, {@code tools}, {@code tool_choice}, {@code thinking},
     * {@code temperature}, {@code top_p}, {@code top_k}, {@code stop_sequences}, {@code max_tokens} and the scope.
     * Key order, whitespace and number spelling do not matter; {@code stream} and {@code metadata} are not part
     * of it, so a streamed answer serves a non-streamed request and back.
     *
     * @param scopeHash   {@link #scopeHash} of the caller ("" for global scope)
     * @param routingMode the routing mode in force (e.g. {@code auto}, {@code off}): a routed answer is not reused
     *                    for a request that asked for its exact model, and back
     */
    public static CacheKey key(ObjectNode body, String scopeHash, String routingMode) {
        return new CacheKey(Canonical.sha256Hex(
                Canonical.keyMaterial(body, body.get("messages"), scopeHash, routingMode, "exact")));
    }

    /**
     * The scope part of cache keys: for {@link GatewayConfig.CacheScope#KEY} a salted SHA-256 of the caller's
     * credential (32 hex digits; the credential itself is never kept), for {@code GLOBAL} "". A
     * {@code Bearer } prefix is ignored, so the same key sent as {@code x-api-key} or {@code Authorization} has
     * the same scope. Callers without a credential share the scope of the empty credential.
     */
    public static String scopeHash(String apiKeyOrAuthorization, GatewayConfig.CacheScope scope) {
        if (scope == GatewayConfig.CacheScope.GLOBAL) {
            return "";
        }
        String credential = apiKeyOrAuthorization == null ? "" : apiKeyOrAuthorization.strip();
        if (credential.regionMatches(true, 0, "Bearer ", 0, 7)) {
            credential = credential.substring(7).strip();
        }
        byte[] digest = Canonical.sha256((SCOPE_SALT + credential).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, SCOPE_HASH_BYTES);
    }

    /**
     * Whether a complete non-streaming Message is worth storing: only {@code stop_reason} {@code end_turn} or
     * {@code stop_sequence}, plus {@code tool_use} when {@code cache.cache_tool_use} is on. Errors, truncated
     * ({@code max_tokens}), paused and refused answers are never stored, nor anything when the cache is off.
     */
    public static boolean shouldStore(JsonNode message, GatewayConfig.Cache cfg) {
        if (!cfg.enabled() || message == null || !message.isObject()) {
            return false;
        }
        if (!"message".equals(message.path("type").asText()) || !message.path("content").isArray()) {
            return false;
        }
        return switch (message.path("stop_reason").asText("")) {
            case "end_turn", "stop_sequence" -> true;
            case "tool_use" -> cfg.cacheToolUse();
            default -> false;
        };
    }

    /**
     * Whether the caller asked to bypass the caches (no lookup, no store): {@code X-Gateway-Cache: off} or a
     * {@code Cache-Control} with {@code no-cache} or {@code no-store}. Either argument may be null.
     */
    public static boolean requestOptsOut(String xGatewayCacheHeader, String cacheControlHeader) {
        if (xGatewayCacheHeader != null && xGatewayCacheHeader.strip().equalsIgnoreCase("off")) {
            return true;
        }
        if (cacheControlHeader == null) {
            return false;
        }
        for (String directive : cacheControlHeader.toLowerCase(Locale.ROOT).split(",")) {
            String d = directive.strip();
            if (d.equals("no-cache") || d.equals("no-store")) {
                return true;
            }
        }
        return false;
    }

    /** The stored answer for {@code key}, if any and not expired. Never throws for backend failures. */
    public Optional<CachedAnswer> get(CacheKey key) {
        if (redis != null && mayUseRedis()) {
            try {
                Optional<CachedAnswer> hit = redis.get(key);
                markUp();
                if (hit.isPresent()) {
                    return hit;
                }
            } catch (RuntimeException e) {
                markDown(e);
            }
        }
        // also after a Redis miss: answers stored during an outage stay usable
        return memory.get(key);
    }

    /** Stores an answer (Redis when reachable, else memory). Never throws for backend failures. */
    public void put(CacheKey key, CachedAnswer answer) {
        Objects.requireNonNull(answer);
        if (redis != null && mayUseRedis()) {
            try {
                redis.put(key, answer);
                markUp();
                return;
            } catch (RuntimeException e) {
                markDown(e);
            }
        }
        memory.put(key, answer);
    }

    /** Where entries go right now. */
    public BackendStatus status() {
        if (redis == null) {
            return new BackendStatus(BackendStatus.Kind.MEMORY, "in memory");
        }
        if (redisDown) {
            return new BackendStatus(BackendStatus.Kind.REDIS_DOWN,
                    "Redis at " + redis.address() + " unreachable (" + downReason + "); using memory");
        }
        return new BackendStatus(BackendStatus.Kind.REDIS, "Redis at " + redis.address());
    }

    @Override
    public void close() {
        memory.close();
        if (redis != null) {
            redis.close();
        }
    }

    private void probe() {
        try {
            redis.ping();
            markUp();
        } catch (RuntimeException e) {
            markDown(e);
        }
    }

    /** True while Redis is up; while it is down, true for the one caller that may re-probe it now. */
    private boolean mayUseRedis() {
        if (!redisDown) {
            return true;
        }
        synchronized (stateLock) {
            if (ticker.read() - retryAtNanos < 0) {
                return false;
            }
        }
        return probing.compareAndSet(false, true);
    }

    private void markUp() {
        if (redisDown) {
            synchronized (stateLock) {
                if (redisDown) {
                    redisDown = false;
                    backoffNanos = retryFirstNanos;
                    LOG.info("Redis exact cache at {} reachable again", redis.address());
                }
            }
        }
        probing.set(false);
    }

    private void markDown(RuntimeException e) {
        synchronized (stateLock) {
            if (!redisDown) {
                redisDown = true;
                downReason = e.getClass().getSimpleName();
                backoffNanos = retryFirstNanos;
                LOG.warn("Redis exact cache at {} unreachable ({}); caching in memory until it is back",
                        redis.address(), downReason);
            } else {
                backoffNanos = Math.min(retryMaxNanos, backoffNanos * 2);
            }
            retryAtNanos = ticker.read() + backoffNanos;
        }
        probing.set(false);
    }
}
