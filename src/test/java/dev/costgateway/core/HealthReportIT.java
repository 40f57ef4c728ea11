package dev.costgateway.core;

import static dev.costgateway.core.GatewayConfigReloadIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.GatewayHarness;

/** Issue 18.4: {@code /health} tells everything a person needs, and only liveness to callers without the token. */
class HealthReportIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode health(GatewayHarness h, String... headers) throws Exception {
        var r = h.get("/health", headers);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void everyDependencyIsReportedInOnePlace() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            JsonNode health = health(h);
            assertThat(health.path("status").asText()).isEqualTo("ok");
            assertThat(health.path("upstream").asText()).isEqualTo(h.upstream.baseUrl());
            assertThat(health.path("upstream_state").asText()).isIn("unknown", "reachable");
            assertThat(health.path("embedder").asText()).isEqualTo("disabled");
            assertThat(health.path("router_vectors").asText()).isEqualTo("disabled");
            assertThat(health.path("cache").path("exact").asText()).isEqualTo("memory");
            assertThat(health.path("metrics").path("store").asText()).isEqualTo("h2");
            assertThat(health.path("metrics").path("state").asText()).isEqualTo("up");
            assertThat(health.path("metrics").has("pending_records")).isTrue();
            assertThat(health.path("metrics").path("dropped_records").asLong()).isZero();
            assertThat(health.path("metrics_dropped").asLong()).isZero();
            assertThat(health.path("config").path("file").asText()).isEqualTo(h.gateway.configFile().toString());
            assertThat(health.path("config").path("last_reload").asText()).isEqualTo("none");
            assertThat(health.path("config").path("in_force").asText()).isEqualTo("file");

            // traffic makes the upstream's reachability known
            h.post("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":9,\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}]}", "content-type", "application/json", "x-api-key", "k");
            await(() -> h.gateway.status().get().upstream() == GatewayStatus.UpstreamState.REACHABLE, 10_000);
            assertThat(health(h).path("upstream_state").asText()).isEqualTo("reachable");
        }
    }

    @Test
    void aRefusedOutsideEditIsReportedWithFileFirstProblemAndThePreviousSettingsInForce() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            Path file = h.gateway.configFile();
            String good = Files.readString(file, StandardCharsets.UTF_8);
            Files.writeString(file, good + "routing:\n  mode: sideways\n");
            await(() -> h.gateway.status().get().configProblem() != null, 10_000);

            String problem = h.gateway.status().get().configProblem();
            assertThat(problem).contains(file.toString()).contains("routing.mode")
                    .endsWith("the previous settings stay in force");
            JsonNode config = health(h).path("config");
            assertThat(config.path("last_reload").asText()).isEqualTo("refused");
            assertThat(config.path("in_force").asText()).isEqualTo("previous settings");
            assertThat(config.path("problem").asText()).isEqualTo(problem);
            assertThat(config.path("last_reload_at").asText()).isNotEmpty();

            // a good edit clears it
            Files.writeString(file, good + "routing:\n  mode: off\n");
            await(() -> h.gateway.status().get().configProblem() == null, 10_000);
            config = health(h).path("config");
            assertThat(config.path("last_reload").asText()).isEqualTo("applied");
            assertThat(config.path("in_force").asText()).isEqualTo("file");
            assertThat(config.has("problem")).isFalse();
        }
    }

    @Test
    void withATokenCallersWithoutItGetOnlyLivenessAndTheFullReportNeedsTheToken() throws Exception {
        try (GatewayHarness h = GatewayHarness.startRaw("server:\n  port: 0\n  auth_token: health-test-token\n")) {
            var anonymous = h.get("/health");
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(new String(anonymous.body(), StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"ok\"}");
            assertThat(anonymous.headers().firstValue("content-type")).hasValue("application/json");

            var wrong = h.get("/health", "X-Gateway-Token", "not-it");
            assertThat(new String(wrong.body(), StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"ok\"}");

            JsonNode full = health(h, "X-Gateway-Token", "health-test-token");
            assertThat(full.has("version")).isTrue();
            assertThat(full.has("config")).isTrue();
            assertThat(full.has("metrics")).isTrue();
            assertThat(full.toString()).doesNotContain("health-test-token");

            // everything else still needs the token
            assertThat(h.get("/v1/metrics").statusCode()).isEqualTo(401);
        }
    }
}
