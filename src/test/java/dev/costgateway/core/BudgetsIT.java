package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.testing.GatewayHarness;

/**
 * Budgets over the wire: a blocking budget refuses {@code /v1/messages} with a non-retried 429 once its limit is
 * spent, other paths and cache hits keep working, an override lifts it, and the official SDK does not retry.
 * One fake answer costs 14 input + 9 output tokens on Sonnet = $0.000177.
 */
class BudgetsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "test-key-budget-wxyz";
    GatewayHarness h;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    static String body(String prompt) {
        return "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";
    }

    HttpResponse<byte[]> ask(String prompt) throws Exception {
        return h.post("/v1/messages", body(prompt), "x-api-key", KEY, "anthropic-version", "2023-06-01");
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static final String ONE_REQUEST_BUDGET = """
            routing:
              mode: "off"
            budgets:
              - name: daily-all
                period: day
                limit_usd: 0.0001
                scope: all
                action: block
            budget_time_zone: Europe/Berlin
            """;

    @Test
    void aBlockingBudgetRefusesWithANonRetried429NamingItsLimitAndReset() throws Exception {
        h = GatewayHarness.start(ONE_REQUEST_BUDGET);
        HttpResponse<byte[]> first = ask("What is the capital of France?");
        assertThat(first.statusCode()).isEqualTo(200);
        h.recorded(first.headers().firstValue("x-gateway-query-id").orElseThrow());

        HttpResponse<byte[]> refused = ask("And of Spain?");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("x-should-retry")).contains("false");
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(error.at("/error/message").asText()).contains("\"daily-all\"", "$0.000177 spent of its $0.0001 daily limit",
                "resets at", "Europe/Berlin");
        assertThat(h.upstream.received()).as("the refused request never went upstream").hasSize(1);
        assertThat(h.recorded(refused.headers().firstValue("x-gateway-query-id").orElseThrow()).status())
                .as("a refusal is recorded, not lost").isEqualTo(429);

        assertThat(ask("What is the capital of France?").statusCode()).as("a cache hit costs nothing: served")
                .isEqualTo(200);
        HttpResponse<byte[]> models = h.get("/v1/models", "x-api-key", KEY);
        assertThat(models.statusCode()).as("other /v1 paths pass through").isNotEqualTo(429);

        HttpResponse<byte[]> state = h.get("/v1/budgets");
        JsonNode daily = JSON.readTree(state.body()).get("budgets").get(0);
        assertThat(daily.get("level").asText()).isEqualTo("exceeded");
        assertThat(daily.get("blocking").asBoolean()).isTrue();
        assertThat(JSON.readTree(h.get("/health").body()).at("/budgets/0/name").asText()).isEqualTo("daily-all");

        assertThat(h.post("/v1/budgets/daily-all/allow?minutes=60", "").statusCode()).isEqualTo(200);
        assertThat(ask("And of Italy?").statusCode()).as("allowed for the next hour").isEqualTo(200);
    }

    @Test
    void theOfficialSdkDoesNotRetryTheRefusal() throws Exception {
        h = GatewayHarness.start(ONE_REQUEST_BUDGET);
        h.recorded(ask("What is the capital of France?").headers().firstValue("x-gateway-query-id").orElseThrow());
        AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(h.url()).apiKey(KEY).maxRetries(3)
                .timeout(Duration.ofSeconds(20)).build();
        try {
            assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder()
                    .model("claude-sonnet-4-6").maxTokens(64).addUserMessage("And of Portugal?").build()))
                    .isInstanceOf(RateLimitException.class).hasMessageContaining("daily-all");
        } finally {
            client.close();
        }
        h.gateway.flushMetrics();
        List<Integer> statuses = h.gateway.metrics().requests(MetricsQueries.RequestQuery.latest(10)).stream()
                .map(r -> r.status()).toList();
        assertThat(statuses).as("one refusal, no retries").containsExactlyInAnyOrder(200, 429);
    }

    @Test
    void manyRequestsRacingPastTheLimitOverrunItByAtMostThoseInFlight() throws Exception {
        // five answers' worth: $0.000885
        h = GatewayHarness.start(ONE_REQUEST_BUDGET.replace("0.0001", "0.000885"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String prompt = "Question number " + i;
                calls.add(pool.submit(() -> ask(prompt).statusCode()));
            }
            int ok = 0;
            for (Future<Integer> f : calls) {
                int status = f.get();
                assertThat(status).isIn(200, 429);
                ok += status == 200 ? 1 : 0;
            }
            // at least the five the limit allows; beyond them at most the 8 that can be in flight at once
            assertThat(ok).isBetween(5, 5 + 8);
            assertThat(h.upstream.received()).hasSize(ok);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBudgetAddedWhileRunningAppliesAtOnceToTheSpendSoFar() throws Exception {
        h = GatewayHarness.start("routing:\n  mode: \"off\"\n");
        assertThat(ask("What is the capital of France?").statusCode()).isEqualTo(200);
        assertThat(ask("And of Spain?").statusCode()).isEqualTo(200);
        h.gateway.flushMetrics();
        String yaml = Files.readString(h.dir.resolve("config.yaml"))
                + "budgets:\n  - {name: monthly, period: month, limit_usd: 0.0003, action: block}\n";
        h.gateway.saveAndReload(yaml);
        assertThat(ask("And of Greece?").statusCode()).isEqualTo(429);
    }

    @Test
    void theSpendSoFarSurvivesARestart() throws Exception {
        try (dev.costgateway.testing.FakeUpstream up = new dev.costgateway.testing.FakeUpstream()) {
            java.nio.file.Path dir = Files.createTempDirectory("budget-restart");
            java.nio.file.Path config = dir.resolve("config.yaml");
            Files.writeString(config, "server:\n  port: 0\nupstream:\n  base_url: " + up.baseUrl() + "\n"
                    + ONE_REQUEST_BUDGET);
            Gateway.Options options = new Gateway.Options(config, dir.resolve("data"), null, null, null, () -> null,
                    null, false);
            try (Gateway first = Gateway.open(options)) {
                first.start();
                assertThat(send(first, "What is the capital of France?")).isEqualTo(200);
            }
            try (Gateway second = Gateway.open(options)) {
                second.start();
                assertThat(send(second, "And of Spain?")).as("the spend before the restart counts").isEqualTo(429);
            }
        }
    }

    @Test
    void aProjectBudgetBlocksOnlyThatClaudeCodeProject() throws Exception {
        h = GatewayHarness.start("""
                routing:
                  mode: "off"
                budgets:
                  - {name: shop-api, period: day, limit_usd: 0.0001, scope: project, action: block}
                """);
        assertThat(askIn("/home/dev/shop/api", "Fix the failing test")).isEqualTo(200);
        h.gateway.flushMetrics();
        assertThat(askIn("/home/dev/shop/api", "Now the next one")).as("that project is over its limit")
                .isEqualTo(429);
        assertThat(askIn("/home/dev/blog", "Fix the failing test")).as("another project").isEqualTo(200);
        assertThat(ask("A request with no project").statusCode()).isEqualTo(200);
    }

    int askIn(String cwd, String prompt) throws Exception {
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"<system-reminder>\\n# Environment\\n"
                + "Primary working directory: " + cwd + "\\n</system-reminder>\"},{\"type\":\"text\",\"text\":\""
                + prompt + "\"}]}]}";
        return h.post("/v1/messages", body, "x-api-key", KEY, "anthropic-version", "2023-06-01").statusCode();
    }

    static int send(Gateway g, String prompt) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(g.status().get().listeningUrl()
                + "/v1/messages")).header("x-api-key", KEY).header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body(prompt))).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
