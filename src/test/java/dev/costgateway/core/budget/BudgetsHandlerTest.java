package dev.costgateway.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class BudgetsHandlerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T12:00:00Z"));
    BudgetTracker tracker;
    Server server;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        tracker = new BudgetTracker(List.of(
                new Budget("daily-all", Budget.Period.DAY, 5.0, Budget.Scope.ALL, 80, Budget.Action.BLOCK),
                new Budget("per key", Budget.Period.MONTH, 20.0, Budget.Scope.KEY, 50, Budget.Action.WARN)),
                ZoneId.of("UTC"), (InstantSource) now::get, SpendSource.NONE);
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        server.addConnector(c);
        server.setHandler(new BudgetsHandler(tracker));
        server.start();
        base = "http://127.0.0.1:" + c.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).method(method,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsEveryBudgetWithSpendLimitProjectionAndReset() throws Exception {
        tracker.recordSpend(now.get(), "hashA", "wxyz", "", 4.5);
        HttpResponse<String> r = send("GET", "/v1/budgets");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("time_zone").asText()).isEqualTo("UTC");
        JsonNode daily = body.get("budgets").get(0);
        assertThat(daily.get("name").asText()).isEqualTo("daily-all");
        assertThat(daily.get("spent_usd").asDouble()).isEqualTo(4.5);
        assertThat(daily.get("percent").asDouble()).isEqualTo(90.0);
        assertThat(daily.get("level").asText()).isEqualTo("warning");
        assertThat(daily.get("projected_usd").asDouble()).isEqualTo(9.0); // half the day gone
        assertThat(daily.get("resets_at").asText()).isEqualTo("2026-12-03T00:00:00Z");
        JsonNode perKey = body.get("budgets").get(1);
        assertThat(perKey.get("scope_label").asText()).isEqualTo("key …wxyz");
        assertThat(r.body()).doesNotContain("hashA");
    }

    @Test
    void allowLiftsABlockForTheGivenMinutesAndDeleteEndsItEarly() throws Exception {
        tracker.recordSpend(now.get(), "k", "", "", 6.0);
        assertThat(tracker.blocking("k", "")).isPresent();
        HttpResponse<String> r = send("POST", "/v1/budgets/daily-all/allow?minutes=30");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("overridden_until").asText()).isEqualTo("2026-12-02T12:30:00Z");
        assertThat(tracker.blocking("k", "")).isEmpty();
        assertThat(send("DELETE", "/v1/budgets/daily-all/allow").statusCode()).isEqualTo(200);
        assertThat(tracker.blocking("k", "")).isPresent();
        assertThat(send("POST", "/v1/budgets/per%20key/allow").statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsGetAnthropicShapedErrors() throws Exception {
        HttpResponse<String> unknown = send("POST", "/v1/budgets/nope/allow");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).at("/error/type").asText()).isEqualTo("not_found_error");
        HttpResponse<String> bad = send("POST", "/v1/budgets/daily-all/allow?minutes=0");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).at("/error/message").asText()).contains("minutes");
        assertThat(send("PUT", "/v1/budgets").statusCode()).isEqualTo(405);
        assertThat(send("GET", "/v1/budgetsX").statusCode()).as("not ours").isEqualTo(404);
    }
}
