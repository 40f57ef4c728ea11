package dev.costgateway.core.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.MutableClock;
import dev.costgateway.core.metrics.Records;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE_MODEL = "=cmd|' /C calc'!A0,\"evil\"\nx";

    @TempDir
    static Path dataDir;

    private MetricsStore store;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        MutableClock clock = new MutableClock(Records.T0.plus(Duration.ofDays(2)));
        store = MetricsStore.open(Records.config(true, 1000), dataDir, clock);
        Instant day1 = Records.T0;
        Instant day2 = Records.T0.plus(Duration.ofDays(1));
        store.record(Records.plain("q-1", day1));
        store.record(Records.escalated("q-2", day1.plusSeconds(60)));
        store.record(Records.exactHit("q-3", day1.plusSeconds(120)));
        store.record(Records.semanticHit("q-4", day2));
        store.record(Records.upstreamError("q-5", day2.plusSeconds(5)));
        store.record(Records.withText(Records.clientHangUp("q-6", day2.plusSeconds(10)), HOSTILE_MODEL,
                "-2+3 <script>alert(1)</script>", null));
        store.flush();
        server = new TestServer(new MetricsHandler(store, () -> 7, clock));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        store.close();
    }

    @Test
    void metricsReportsTotalsAndBreakdowns() throws Exception {
        HttpResponse<String> r = server.get("/v1/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> v.startsWith("application/json"));
        JsonNode m = JSON.readTree(r.body());

        assertThat(m.get("requests").asLong()).isEqualTo(6);
        assertThat(m.get("cost_usd").asDouble()).isCloseTo(0.0003 + 0.09 + 0.00006, within(1e-12));
        assertThat(m.get("saved_usd").asDouble()).isCloseTo(0.0009 + 0.0475 + 0.0012 + 0.0039 + 0.00014,
                within(1e-12));
        assertThat(m.get("savings_percent").asDouble()).isPositive();
        assertThat(m.at("/cache/exact_hits").asLong()).isEqualTo(1);
        assertThat(m.at("/cache/semantic_hits").asLong()).isEqualTo(1);
        assertThat(m.at("/cache/hit_rate").asDouble()).isCloseTo(2 / 6.0, within(1e-12));
        assertThat(m.get("escalated_requests").asLong()).isEqualTo(1);
        assertThat(m.get("errors").asLong()).isEqualTo(2);
        assertThat(m.at("/latency_ms/p95").asLong()).isPositive();
        assertThat(m.at("/by_model/claude-opus-4-7/requests").asLong()).isEqualTo(1);
        assertThat(m.at("/by_tier/fast").asLong()).isEqualTo(3);
        assertThat(m.at("/by_classifier_layer/heuristic").asLong()).isEqualTo(4);
        assertThat(m.get("dropped_records").asLong()).isEqualTo(7);
        assertThat(m.has("timeline")).isFalse();
    }

    @Test
    void metricsTakesDatesAndInstantsAsRange() throws Exception {
        JsonNode byDate = JSON.readTree(server.get("/v1/metrics?from=2025-03-11&to=2025-03-11").body());
        assertThat(byDate.get("requests").asLong()).isEqualTo(3);
        assertThat(byDate.get("from").asText()).isEqualTo("2025-03-11T00:00:00Z");
        assertThat(byDate.get("to").asText()).isEqualTo("2025-03-12T00:00:00Z");

        JsonNode byInstant = JSON.readTree(
                server.get("/v1/metrics?from=2025-03-10T12:00:30Z&to=2025-03-11T12:00:05.123456Z").body());
        assertThat(byInstant.get("requests").asLong()).isEqualTo(3);
    }

    @Test
    void metricsAddsATimelineWhenABucketIsGiven() throws Exception {
        JsonNode m = JSON.readTree(server.get("/v1/metrics?from=2025-03-10&bucket=PT1H").body());
        JsonNode timeline = m.get("timeline");
        assertThat(timeline).hasSize(2);
        assertThat(timeline.get(0).get("start").asText()).isEqualTo("2025-03-10T12:00:00Z");
        assertThat(timeline.get(0).get("requests").asLong()).isEqualTo(3);
        assertThat(timeline.get(1).at("/by_tier/balanced").asLong()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/metrics?from=yesterday", "/v1/metrics?to=2025-13-01",
        "/v1/metrics?from=2025-03-12&to=2025-03-10", "/v1/metrics?from=2025-03-10&bucket=PT1S",
        "/v1/metrics?bucket=PT1H", "/v1/metrics?from=2025-03-10&bucket=hourly",
        "/v1/metrics?from=2020-01-01&to=2025-01-01&bucket=PT1M", "/v1/metrics/recent?n=0",
        "/v1/metrics/recent?n=1001", "/v1/metrics/recent?n=abc", "/v1/metrics/recent?n=",
        "/v1/reports/costs.csv?from=2025-3-1", "/v1/reports/costs.csv?group=week",
        "/v1/reports/costs.csv?from=2025-03-12&to=2025-03-10"})
    void rejectsBadParametersInTheAnthropicErrorShape(String url) throws Exception {
        HttpResponse<String> r = server.get(url);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.at("/error/message").asText()).isNotBlank();
    }

    @Test
    void aRequestCarriesItsRouterScoresAndAnInfiniteThresholdAsNull() {
        JsonNode scored = MetricsJson.request(Records.scored("q-s", Records.T0));
        assertThat(scored.at("/router_scores/premium").asDouble()).isEqualTo(0.08);
        assertThat(scored.at("/router_scores/balanced").asDouble()).isEqualTo(0.21);
        assertThat(scored.at("/router_scores/model").asText()).isEqualTo("embedding+features");
        assertThat(scored.at("/router_scores/threshold_premium").isNull()).isTrue();
        assertThat(scored.at("/router_scores/threshold_fast").asDouble()).isEqualTo(0.3);
        assertThat(scored.at("/router_scores/threshold_source").asText()).isEqualTo("raw/share");
        assertThat(scored.at("/router_scores/ceiling").asText()).isEqualTo("balanced");
        assertThat(MetricsJson.request(Records.plain("q-p", Records.T0)).get("router_scores").isNull()).isTrue();
    }

    @Test
    void recentListsTheLastRequestsNewestFirst() throws Exception {
        JsonNode r = JSON.readTree(server.get("/v1/metrics/recent?n=2").body());

        assertThat(r.get("count").asInt()).isEqualTo(2);
        JsonNode newest = r.get("data").get(0);
        assertThat(newest.get("query_id").asText()).isEqualTo("q-6");
        assertThat(newest.get("status").asInt()).isZero();
        assertThat(newest.get("error_type").asText()).isEqualTo("client_closed");
        assertThat(newest.get("ttfb_ms").asLong()).isEqualTo(-1);
        assertThat(newest.get("final_model").asText()).isEqualTo(HOSTILE_MODEL);
        assertThat(newest.at("/usage/cache_creation/ephemeral_5m_input_tokens").asLong()).isEqualTo(20);
        assertThat(newest.get("attempts")).hasSize(1);
        assertThat(r.get("data").get(1).get("usage").isNull()).isTrue();

        JsonNode all = JSON.readTree(server.get("/v1/metrics/recent").body());
        assertThat(all.get("data")).hasSize(6);
        JsonNode escalated = all.get("data").get(4);
        assertThat(escalated.get("escalations").asInt()).isEqualTo(2);
        assertThat(escalated.get("attempts")).extracting(a -> a.get("trigger").asText())
                .containsExactly("initial", "max_tokens", "phrase:I cannot");
    }

    @Test
    void prometheusExportsCountersAndALatencyHistogram() throws Exception {
        HttpResponse<String> r = server.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        String text = r.body();
        assertThat(text).contains("# TYPE costgateway_requests_total counter\n")
                .contains("costgateway_requests_total{model=\"claude-haiku-4-5-20251001\",tier=\"fast\","
                        + "cache=\"exact\"} 1\n")
                .contains("costgateway_tokens_total{model=\"claude-opus-4-7\",tier=\"premium\",cache=\"none\","
                        + "type=\"output\"} 1500\n")
                .contains("# TYPE costgateway_request_latency_seconds histogram\n")
                .contains("costgateway_request_latency_seconds_bucket{le=\"+Inf\"} 6\n")
                .contains("costgateway_request_latency_seconds_count 6\n")
                .contains("costgateway_request_latency_seconds_bucket{le=\"0.01\"} 1\n")
                .contains("costgateway_metrics_dropped_records_total 7\n")
                .contains("model=\"=cmd|' /C calc'!A0,\\\"evil\\\"\\nx\"");
        long[] buckets = text.lines().filter(l -> l.startsWith("costgateway_request_latency_seconds_bucket"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).toArray();
        assertThat(buckets).isSorted();
        assertThat(Arrays.stream(text.split("\n")).filter(l -> !l.startsWith("#")))
                .allMatch(l -> l.matches("[a-z_]+(\\{.*\\})? -?[0-9.E+-]+"));
    }

    @Test
    void costsCsvIsAnAttachmentWhoseTotalsMatchTheMetricsEndpoint() throws Exception {
        for (String group : List.of("day", "model", "tier", "request")) {
            HttpResponse<String> r = server.get("/v1/reports/costs.csv?from=2025-03-10&to=2025-03-11&group=" + group);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("text/csv; charset=utf-8");
            assertThat(r.headers().firstValue("content-disposition"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("attachment; filename=\"costs_2025-03-10_"));
            JsonNode m = JSON.readTree(server.get("/v1/metrics?from=2025-03-10&to=2025-03-11").body());

            List<List<String>> rows = CsvParser.parse(r.body());
            assertThat(rows.get(0).get(0)).isEqualTo(group.equals("request") ? "query_id"
                    : group.equals("day") ? "date" : group);
            List<List<String>> data = rows.subList(1, rows.size());
            assertThat(data.stream().mapToLong(row -> Long.parseLong(row.get(1))).sum())
                    .isEqualTo(m.get("requests").asLong());
            assertThat(data.stream().mapToDouble(row -> Double.parseDouble(row.get(6))).sum())
                    .isCloseTo(m.get("cost_usd").asDouble(), within(1e-12));
            assertThat(data.stream().mapToDouble(row -> Double.parseDouble(row.get(7))).sum())
                    .isCloseTo(m.get("counterfactual_usd").asDouble(), within(1e-12));
            assertThat(data.stream().mapToDouble(row -> Double.parseDouble(row.get(8))).sum())
                    .isCloseTo(m.get("saved_usd").asDouble(), within(1e-12));
            assertThat(data.stream().mapToLong(row -> Long.parseLong(row.get(9))).sum())
                    .isEqualTo(m.at("/cache/exact_hits").asLong() + m.at("/cache/semantic_hits").asLong());
        }
    }

    @Test
    void costsCsvByModelNeutralisesAHostileModelName() throws Exception {
        String body = server.get("/v1/reports/costs.csv?group=model").body();

        List<List<String>> rows = CsvParser.parse(body);
        assertThat(rows).extracting(row -> row.get(0)).contains("'" + HOSTILE_MODEL);
        assertThat(body).contains("\"'=cmd|' /C calc'!A0,\"\"evil\"\"\nx\"");
    }

    @Test
    void dashboardIsHtmlWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> r = server.get("/dashboard");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        String csp = r.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'").contains("script-src 'nonce-");
        String nonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertThat(r.body()).contains("nonce=\"" + nonce + "\"").doesNotContain("__CSP_NONCE__");
        assertThat(server.get("/dashboard").headers().firstValue("content-security-policy")).isNotEqualTo(csp);
    }

    @Test
    void leavesOtherPathsAndMethodsToTheNextHandler() throws Exception {
        for (String path : List.of("/v1/messages", "/", "/v1/metrics/other", "/dashboard/x", "/metricsx")) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).isEqualTo("fallback");
        }
        assertThat(server.post("/v1/metrics").body()).isEqualTo("fallback");
    }

    @Test
    void answers500InTheErrorShapeWhenTheStoreFails() throws Exception {
        MetricsStore closed = MetricsStore.open(Records.config(false, 10), dataDir.resolve("other"),
                new MutableClock(Records.T0));
        closed.close();
        try (TestServer failing = new TestServer(new MetricsHandler(closed, () -> 0))) {
            HttpResponse<String> r = failing.get("/v1/metrics");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("api_error");
        }
    }

}
