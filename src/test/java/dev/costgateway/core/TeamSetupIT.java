package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.cache.RedisServerProcess;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.Closer;
import dev.costgateway.testing.PostgresServer;

/**
 * The team setup: two gateways (each with its own data folder) configured with nothing but
 * {@code metrics.jdbc_url} (one real PostgreSQL) and {@code cache.redis_url} (one real redis-server) share
 * the exact cache and one set of books; PostgreSQL going away costs no request and no queued record.
 */
class TeamSetupIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] HEADERS = {"content-type", "application/json", "x-api-key", "sk-ant-team-key-1",
        "anthropic-version", "2023-06-01"};

    private final Closer open = new Closer();
    private PostgresServer postgres;
    private RedisServerProcess redis;

    @BeforeEach
    void startServices() throws Exception {
        postgres = open.add(PostgresServer.start()); // our own: this test stops and restarts it
        redis = open.add(RedisServerProcess.start());
    }

    @AfterEach
    void stopAll() throws Exception {
        open.close();
    }

    private GatewayHarness gateway(String jdbcUrl) throws Exception {
        GatewayHarness h = GatewayHarness.start("metrics:\n  jdbc_url: \"" + jdbcUrl + "\"\n"
                + "cache:\n  redis_url: \"" + redis.url() + "\"\n");
        open.add(h);
        return h;
    }

    private static String body(String prompt) {
        return "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.valueToTree(prompt) + "}]}";
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void twoGatewaysShareTheExactCacheAndCountEachOthersRequestsOnce() throws Exception {
        String url = postgres.freshDatabase();
        GatewayHarness a = gateway(url);
        GatewayHarness b = gateway(url);

        HttpResponse<byte[]> first = a.post("/v1/messages", body("What is the capital of France?"), HEADERS);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Gateway-Cache")).hasValue("none");
        // the answer is cached right after the response is written, then recorded: once A has recorded the
        // request, the answer is in Redis
        String idA = first.headers().firstValue("X-Gateway-Query-ID").orElseThrow();
        a.recorded(idA);
        HttpResponse<byte[]> repeat = b.post("/v1/messages", body("What is the capital of France?"), HEADERS);
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(repeat.headers().firstValue("X-Gateway-Cache")).hasValue("exact");
        assertThat(b.upstream.received()).as("B answered from the shared Redis").isEmpty();
        assertThat(json(repeat).path("content")).isEqualTo(json(first).path("content"));
        HttpResponse<byte[]> other = b.post("/v1/messages", body("And of Spain?"), HEADERS);
        assertThat(other.statusCode()).isEqualTo(200);

        String idB = repeat.headers().firstValue("X-Gateway-Query-ID").orElseThrow();
        b.recorded(idB);
        b.recorded(other.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
        for (GatewayHarness g : List.of(a, b)) {
            assertThat(g.recorded(idA).cacheKind()).isEqualTo("none");
            assertThat(g.recorded(idB).cacheKind()).isEqualTo("exact");
            JsonNode m = json(g.get("/v1/metrics"));
            assertThat(m.path("requests").asLong()).as("/v1/metrics counts both instances once").isEqualTo(3);
            assertThat(m.path("cache").path("exact_hits").asLong()).isEqualTo(1);
            String csv = new String(g.get("/v1/reports/costs.csv?group=request").body(), StandardCharsets.UTF_8);
            List<String> rows = csv.lines().skip(1).toList();
            assertThat(rows).hasSize(3);
            assertThat(rows.stream().filter(r -> r.startsWith(idA + ",")).count()).isEqualTo(1);
            assertThat(rows.stream().filter(r -> r.startsWith(idB + ",")).count()).isEqualTo(1);
        }
        JsonNode healthA = json(a.get("/health")).path("metrics");
        JsonNode healthB = json(b.get("/health")).path("metrics");
        JsonNode instances = json(a.get("/v1/metrics/instances")).path("instances");
        assertThat(instances).hasSize(2);
        assertThat(instances.get(0).path("instance").asText()).isEqualTo(healthB.path("instance").asText());
        assertThat(instances.get(0).path("requests").asLong()).isEqualTo(2);
        assertThat(instances.get(1).path("instance").asText()).isEqualTo(healthA.path("instance").asText());
        assertThat(instances.get(1).path("requests").asLong()).isEqualTo(1);
        assertThat(healthA.path("store").asText()).isEqualTo("postgresql");
        assertThat(healthA.path("state").asText()).isEqualTo("up");
        assertThat(healthA.path("database").asText()).doesNotContain(postgres.password()).contains("password=***");
        assertThat(healthA.path("instance").asText()).isNotEqualTo(healthB.path("instance").asText());
        assertThat(json(a.get("/health")).path("cache").path("exact").asText()).isEqualTo("redis");
    }

    @Test
    void requestsAreServedWhilePostgresIsDownAndTheirRecordsWrittenWhenItReturns() throws Exception {
        String url = postgres.freshDatabase();
        GatewayHarness a = gateway(url);
        GatewayHarness b = gateway(url);
        a.recorded(a.post("/v1/messages", body("before the outage"), HEADERS).headers()
                .firstValue("X-Gateway-Query-ID").orElseThrow());

        postgres.stop();
        List<String> during = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            HttpResponse<byte[]> r = a.post("/v1/messages", body("during the outage " + i), HEADERS);
            assertThat(r.statusCode()).isEqualTo(200);
            during.add(r.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no request waits on the database")
                .isLessThan(Duration.ofSeconds(5));
        a.gateway.flushMetrics(); // returns once the writer has found the database away
        JsonNode down = json(a.get("/health"));
        assertThat(down.path("status").asText()).isEqualTo("ok");
        assertThat(down.path("metrics").path("state").asText()).isEqualTo("down");
        assertThat(down.path("metrics").path("detail").asText()).startsWith("unreachable");
        assertThat(down.path("metrics").path("pending_records").asLong()).isEqualTo(5);
        assertThat(down.path("metrics").path("dropped_records").asLong()).isZero();

        postgres.restart();
        for (String id : during) {
            a.recorded(id); // A's flush cuts its writer's retry pause short
            assertThat(b.gateway.metrics().request(id)).as("written by A, read through B").isPresent();
        }
        assertThat(json(b.get("/v1/metrics")).path("requests").asLong()).isEqualTo(6);
        JsonNode up = json(a.get("/health")).path("metrics");
        assertThat(up.path("state").asText()).isEqualTo("up");
        assertThat(up.path("pending_records").asLong()).isZero();
        assertThat(up.path("dropped_records").asLong()).isZero();
    }
}
