package dev.costgateway.core.cache;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Exact entries in Redis under {@code prefix + key hex}, written with SETEX so Redis expires them. Every call is
 * on the request path, so connect and socket timeouts are short; failures surface as exceptions for
 * {@link ExactCache} to fall back on memory.
 */
final class RedisExactStore implements ExactStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisExactStore.class);

    private final JedisPooled redis;
    private final String prefix;
    private final long ttlSeconds;
    private final String address;

    RedisExactStore(String redisUrl, String prefix, Duration ttl, Duration timeout) {
        URI uri = URI.create(redisUrl);
        if (!JedisURIHelper.isValid(uri)) {
            throw new IllegalArgumentException("not a redis:// or rediss:// URL");
        }
        HostAndPort hostAndPort = JedisURIHelper.getHostAndPort(uri);
        int timeoutMillis = Math.toIntExact(timeout.toMillis());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .clientName("cost-gateway");
        String user = JedisURIHelper.getUser(uri);
        String password = JedisURIHelper.getPassword(uri);
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        this.redis = new JedisPooled(hostAndPort, config.build());
        this.prefix = prefix;
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.address = (JedisURIHelper.isRedisSSLScheme(uri) ? "rediss://" : "redis://") + hostAndPort;
    }

    /** The server address without credentials, for status messages. */
    String address() {
        return address;
    }

    /** Round trip to the server; throws when it is unreachable. */
    void ping() {
        redis.ping();
    }

    @Override
    public Optional<CachedAnswer> get(CacheKey key) {
        byte[] value = redis.get(redisKey(key));
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CachedAnswer.fromBytes(value));
        } catch (IOException e) {
            LOG.warn("ignoring an unreadable exact-cache entry in Redis: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void put(CacheKey key, CachedAnswer answer) {
        redis.setex(redisKey(key), ttlSeconds, answer.toBytes());
    }

    @Override
    public void close() {
        redis.close();
    }

    private byte[] redisKey(CacheKey key) {
        return (prefix + key.hex()).getBytes(StandardCharsets.US_ASCII);
    }
}
