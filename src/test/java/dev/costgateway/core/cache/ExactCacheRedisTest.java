package dev.costgateway.core.cache;

import static dev.costgateway.core.cache.CacheFixtures.answer;
import static dev.costgateway.core.cache.CacheFixtures.config;
import static dev.costgateway.core.cache.CacheFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.Ticker;

import redis.clients.jedis.Jedis;

/** The exact cache against a real redis-server started by the test. */
class ExactCacheRedisTest {

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private RedisServerProcess redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void storesInRedisWithPrefixAndTtl() {
        try (ExactCache cache = ExactCache.create(config(redis.url(), false), ticker);
                Jedis direct = redis.client()) {
            CacheKey key = ExactCache.key(request("Hi"), "", "auto");
            cache.put(key, answer("Hello!"));

            assertThat(cache.status().kind()).isEqualTo(BackendStatus.Kind.REDIS);
            assertThat(cache.get(key)).contains(answer("Hello!"));
            String redisKey = ExactCache.REDIS_PREFIX + key.hex();
            assertThat(direct.exists(redisKey)).isTrue();
            assertThat(direct.ttl(redisKey)).isBetween(55L, 60L);
        }
    }

    @Test
    void entriesAreSharedBetweenTwoGatewaysOnOneRedis() {
        try (ExactCache first = ExactCache.create(config(redis.url(), false), ticker);
                ExactCache second = ExactCache.create(config(redis.url(), false), ticker)) {
            CacheKey key = ExactCache.key(request("Hi"), "", "auto");
            first.put(key, answer("Hello!"));
            assertThat(second.get(key)).contains(answer("Hello!"));
        }
    }

    @Test
    void fallsBackToMemoryWhileRedisIsDownAndReturnsAfterBackOff() throws Exception {
        try (ExactCache cache = ExactCache.create(config(redis.url(), false), ticker)) {
            CacheKey before = ExactCache.key(request("before"), "", "auto");
            cache.put(before, answer("stored in redis"));

            redis.stop();
            CacheKey during = ExactCache.key(request("during"), "", "auto");
            cache.put(during, answer("stored in memory"));
            assertThat(cache.status().kind()).isEqualTo(BackendStatus.Kind.REDIS_DOWN);
            assertThat(cache.status().message()).contains("127.0.0.1:" + redis.port());
            assertThat(cache.get(during)).contains(answer("stored in memory"));
            assertThat(cache.get(before)).isEmpty();

            redis.restart();
            CacheKey withinBackOff = ExactCache.key(request("within back-off"), "", "auto");
            cache.put(withinBackOff, answer("not yet retried"));
            try (Jedis direct = redis.client()) {
                assertThat(direct.exists(ExactCache.REDIS_PREFIX + withinBackOff.hex()))
                        .as("no Redis call before the back-off elapsed").isFalse();
            }

            nanos.addAndGet(ExactCache.RETRY_FIRST.toNanos());
            CacheKey after = ExactCache.key(request("after"), "", "auto");
            cache.put(after, answer("back in redis"));
            assertThat(cache.status().kind()).isEqualTo(BackendStatus.Kind.REDIS);
            try (Jedis direct = redis.client()) {
                assertThat(direct.exists(ExactCache.REDIS_PREFIX + after.hex())).isTrue();
            }
            assertThat(cache.get(during)).as("answers stored during the outage stay usable")
                    .contains(answer("stored in memory"));
        }
    }

    @Test
    void startsOnMemoryWhenRedisIsDownFromTheStart() throws Exception {
        redis.stop();
        try (ExactCache cache = ExactCache.create(config(redis.url(), false), ticker)) {
            assertThat(cache.status().kind()).isEqualTo(BackendStatus.Kind.REDIS_DOWN);
            CacheKey key = ExactCache.key(request("Hi"), "", "auto");
            cache.put(key, answer("Hello!"));
            assertThat(cache.get(key)).contains(answer("Hello!"));
        }
    }

    @Test
    void ignoresAnUnreadableEntryInRedis() {
        try (ExactCache cache = ExactCache.create(config(redis.url(), false), ticker);
                Jedis direct = redis.client()) {
            CacheKey key = ExactCache.key(request("Hi"), "", "auto");
            direct.set((ExactCache.REDIS_PREFIX + key.hex()).getBytes(StandardCharsets.US_ASCII),
                    "garbage".getBytes(StandardCharsets.US_ASCII));
            assertThat(cache.get(key)).isEmpty();
        }
    }
}
