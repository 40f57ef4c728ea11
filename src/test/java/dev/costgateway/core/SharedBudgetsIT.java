package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.budget.BudgetTracker;
import dev.costgateway.core.cache.RedisServerProcess;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.Closer;
import dev.costgateway.testing.PostgresServer;

/**
 * Shared budgets (issue 17, ADR 0065): two gateways configured with only the team keys ({@code metrics.jdbc_url}
 * on one real PostgreSQL, {@code cache.redis_url} on one real redis-server) and the same budget count each other's
 * spend: what A spends makes B refuse within a few refresh periods, and B's {@code GET /v1/budgets} shows it. With
 * PostgreSQL away, B keeps the last figure it read, says it is stale, and keeps serving while under the limit.
 * One fake answer costs 14 input + 9 output tokens on Sonnet = $0.000177.
 */
class SharedBudgetsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double ONE_ANSWER_USD = 0.000177;
    /** A few refresh periods: A's writer commits within 250 ms, B reads every second. */
    private static final Duration WITHIN = BudgetTracker.REFRESH_PERIOD.multipliedBy(5);

    private final Closer open = new Closer();
    private PostgresServer postgres;
    private RedisServerProcess redis;

    @BeforeEach
    void startServices() throws Exception {
        postgres = open.add(PostgresServer.start()); // our own: one test stops it
        redis = open.add(RedisServerProcess.start());
    }

    @AfterEach
    void stopAll() throws Exception {
        open.close();
    }

    private GatewayHarness gateway(String jdbcUrl, double limitUsd) throws Exception {
        GatewayHarness h = GatewayHarness.start("metrics:\n  jdbc_url: \"" + jdbcUrl + "\"\n"
                + "cache:\n  redis_url: \"" + redis.url() + "\"\n"
                + "routing:\n  mode: \"off\"\n"
                + "budgets:\n  - name: team-daily\n    period: day\n    limit_usd: " + limitUsd + "\n"
                + "    scope: all\n    action: block\n"
                + "budget_time_zone: Europe/Berlin\n");
        open.add(h);
        return h;
    }

    private static HttpResponse<byte[]> ask(GatewayHarness g, String prompt) throws Exception {
        return g.post("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":"
                + "\"user\",\"content\":" + JSON.valueToTree(prompt) + "}]}", "content-type", "application/json",
                "x-api-key", "test-team-key-budget", "anthropic-version", "2023-06-01");
    }

    private static String queryId(HttpResponse<byte[]> r) {
        return r.headers().firstValue("X-Gateway-Query-ID").orElseThrow();
    }

    private static JsonNode budgets(GatewayHarness g) throws Exception {
        return JSON.readTree(g.get("/v1/budgets").body());
    }

    private static JsonNode health(GatewayHarness g) throws Exception {
        return JSON.readTree(g.get("/health").body());
    }

    @Test
    void spendOnOneGatewayMakesTheOtherRefuseAndShowsInItsBudgets() throws Exception {
        String url = postgres.freshDatabase();
        GatewayHarness a = gateway(url, 0.0003);
        GatewayHarness b = gateway(url, 0.0003);
        assertThat(budgets(b).path("sharing").path("state").asText()).isEqualTo("fresh");

        for (String prompt : List.of("What is the capital of France?", "And of Spain?")) {
            HttpResponse<byte[]> r = ask(a, prompt);
            assertThat(r.statusCode()).isEqualTo(200);
            a.recorded(queryId(r));
        }
        assertThat(ask(a, "And of Italy?").statusCode()).as("A counts its own spend at once").isEqualTo(429);

        JsonNode team = Await.value(WITHIN, "B did not see A's spend within " + WITHIN, () -> {
            JsonNode budget = budgets(b).path("budgets").get(0);
            return budget.path("spent_usd").asDouble() >= 2 * ONE_ANSWER_USD - 1e-9
                    ? java.util.Optional.of(budget) : java.util.Optional.<JsonNode>empty();
        });
        assertThat(team.path("spent_usd").asDouble()).as("A's two answers, counted once")
                .isCloseTo(2 * ONE_ANSWER_USD, offset(1e-9));
        assertThat(team.path("others_spent_usd").asDouble()).isCloseTo(2 * ONE_ANSWER_USD, offset(1e-9));
        assertThat(team.path("level").asText()).isEqualTo("exceeded");
        assertThat(team.path("blocking").asBoolean()).isTrue();

        HttpResponse<byte[]> refused = ask(b, "And of Portugal?");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("x-should-retry")).contains("false");
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText())
                .contains("\"team-daily\"", "$0.000354 spent of its $0.0003 daily limit");
        assertThat(b.upstream.received()).as("B sent nothing upstream").isEmpty();
        assertThat(ask(b, "What is the capital of France?").statusCode())
                .as("A's answer, from the shared Redis: a hit costs nothing, so it is served").isEqualTo(200);

        // A's own rows are in the store now; A's next read of the others' spend must not add them again
        java.time.Instant written = java.time.Instant.now();
        Await.until(WITHIN, "A did not read the others' spend again", () -> java.time.Instant.parse(
                budgets(a).path("sharing").path("others_as_of").asText()).isAfter(written));
        JsonNode onA = budgets(a).path("budgets").get(0);
        assertThat(onA.path("spent_usd").asDouble()).isCloseTo(2 * ONE_ANSWER_USD, offset(1e-9));
        assertThat(onA.path("others_spent_usd").asDouble()).isZero();
        assertThat(health(b).path("budget_sharing").path("state").asText()).isEqualTo("fresh");
    }

    @Test
    void withPostgresAwayTheLastFigureIsKeptReportedStaleAndUsedForTheLimit() throws Exception {
        String url = postgres.freshDatabase();
        GatewayHarness a = gateway(url, 0.0005); // room for two answers, not three
        GatewayHarness b = gateway(url, 0.0005);
        a.recorded(queryId(ask(a, "What is the capital of France?")));
        Await.until(WITHIN, "B did not see A's spend", () ->
                budgets(b).path("budgets").get(0).path("others_spent_usd").asDouble() > 0);

        postgres.stop();
        // stale once a read fails (or the last good one is older than STALE_AFTER); the failure's reason follows
        // when the read gives up (a pool borrow waits up to 2 s for the absent database)
        JsonNode stale = Await.value(WITHIN.plus(BudgetTracker.STALE_AFTER), "B's health did not say stale", () -> {
            JsonNode s = health(b).path("budget_sharing");
            return s.path("state").asText().equals("stale") && !s.path("detail").asText().isEmpty()
                    ? java.util.Optional.of(s) : java.util.Optional.<JsonNode>empty();
        });
        assertThat(stale.path("detail").asText()).doesNotContain(postgres.password());
        assertThat(stale.path("others_as_of").asText()).isNotEmpty();
        assertThat(stale.path("age_seconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(health(b).path("status").asText()).isEqualTo("ok");

        long started = System.nanoTime();
        assertThat(ask(b, "And of Spain?").statusCode()).as("under the limit by the last known figure")
                .isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the request never waits on the database")
                .isLessThan(Duration.ofSeconds(2));
        JsonNode budget = budgets(b);
        assertThat(budget.path("sharing").path("state").asText()).isEqualTo("stale");
        assertThat(budget.path("sharing").path("age_seconds").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(budget.path("budgets").get(0).path("spent_usd").asDouble())
                .as("A's answer as last read + B's own").isCloseTo(2 * ONE_ANSWER_USD, offset(1e-9));
        assertThat(ask(b, "And of Italy?").statusCode()).isEqualTo(200);
        assertThat(ask(b, "And of Portugal?").statusCode()).as("three answers are over the limit").isEqualTo(429);
    }
}
