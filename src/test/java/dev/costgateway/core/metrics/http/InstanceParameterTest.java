package dev.costgateway.core.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.MutableClock;
import dev.costgateway.core.metrics.Records;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.SessionTag;
import dev.costgateway.testing.PostgresServer;

/**
 * {@code instance=} on the metrics endpoints: two gateways wrote one PostgreSQL (the team setup), and each
 * endpoint narrowed to one of them answers with exactly that gateway's requests; bad values are a 400 in the
 * Anthropic error shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceParameterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private final List<MetricsStore> stores = new ArrayList<>();
    private MetricsStore a;
    private MetricsStore b;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        MutableClock clock = new MutableClock(Records.T0.plus(Duration.ofDays(2)));
        GatewayConfig.Metrics cfg = new GatewayConfig.Metrics(url, false, 500, 90, 1000);
        a = MetricsStore.open(cfg, dataDir.resolve("a"), clock);
        b = MetricsStore.open(cfg, dataDir.resolve("b"), clock);
        stores.add(a);
        stores.add(b);
        for (int i = 0; i < 5; i++) {
            a.record(tagged(Records.plain("a-" + i, Records.T0.plusSeconds(i)), "sess-a"));
        }
        for (int i = 0; i < 3; i++) {
            b.record(tagged(Records.escalated("b-" + i, Records.T0.plusSeconds(10 + i)), "sess-b"));
        }
        a.flush();
        b.flush();
        server = new TestServer(new MetricsHandler(a, () -> 0, clock));
    }

    private static RequestRecord tagged(RequestRecord r, String session) {
        return r.withSession(new SessionTag(session, SessionTag.Source.HEADER, "/work/" + session, 1));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        for (MetricsStore s : stores) {
            s.close();
        }
    }

    private static String q(String instance) {
        return URLEncoder.encode(instance, StandardCharsets.UTF_8);
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void metricsCountsOnlyTheNamedInstance() throws Exception {
        assertThat(a.instance()).isNotEqualTo(b.instance());
        assertThat(json("/v1/metrics").get("requests").asLong()).isEqualTo(8);
        assertThat(json("/v1/metrics?instance=" + q(a.instance())).get("requests").asLong()).isEqualTo(5);
        JsonNode ofB = json("/v1/metrics?instance=" + q(b.instance()) + "&from=2025-03-10&bucket=PT1H");
        assertThat(ofB.get("requests").asLong()).isEqualTo(3);
        assertThat(ofB.get("escalated_requests").asLong()).isEqualTo(3);
        long inTimeline = 0;
        for (JsonNode p : ofB.get("timeline")) {
            inTimeline += p.get("requests").asLong();
        }
        assertThat(inTimeline).isEqualTo(3);
        assertThat(json("/v1/metrics?instance=nobody%2F00000000").get("requests").asLong()).isZero();
    }

    @Test
    void recentListsOnlyTheNamedInstance() throws Exception {
        assertThat(ids(json("/v1/metrics/recent?n=100&instance=" + q(b.instance())).get("data"), "query_id"))
                .containsExactly("b-0", "b-1", "b-2");
        assertThat(ids(json("/v1/metrics/recent?n=100").get("data"), "query_id")).hasSize(8);
    }

    @Test
    void sessionsListsOnlyTheNamedInstance() throws Exception {
        assertThat(ids(json("/v1/sessions?instance=" + q(a.instance())).get("data"), "session_id"))
                .containsExactly("sess-a");
        assertThat(ids(json("/v1/sessions").get("data"), "session_id")).containsExactly("sess-a", "sess-b");
    }

    @Test
    void costReportHoldsOnlyTheNamedInstance() throws Exception {
        HttpResponse<String> r = server.get("/v1/reports/costs.csv?group=request&instance=" + q(a.instance()));
        assertThat(r.statusCode()).isEqualTo(200);
        List<List<String>> rows = CsvParser.parse(r.body());
        Set<String> keys = new TreeSet<>();
        rows.subList(1, rows.size()).forEach(row -> keys.add(row.get(0)));
        assertThat(keys).containsExactly("a-0", "a-1", "a-2", "a-3", "a-4");
        List<List<String>> byDay = CsvParser.parse(server.get("/v1/reports/costs.csv?group=day&instance="
                + q(b.instance())).body());
        assertThat(byDay).hasSize(2);
        assertThat(byDay.get(1).get(1)).isEqualTo("3");
    }

    @Test
    void aBlankInstanceMeansEveryInstance() throws Exception {
        assertThat(json("/v1/metrics?instance=").get("requests").asLong()).isEqualTo(8);
        assertThat(json("/v1/metrics?instance=%20").get("requests").asLong()).isEqualTo(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/metrics", "/v1/metrics/recent", "/v1/sessions", "/v1/reports/costs.csv"})
    void aBadInstanceIsA400InTheAnthropicShape(String path) throws Exception {
        for (String bad : List.of("x".repeat(201), "host%01/abc")) {
            HttpResponse<String> r = server.get(path + "?instance=" + (bad.contains("%") ? bad : q(bad)));
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("type").asText()).isEqualTo("error");
            assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
            assertThat(body.at("/error/message").asText()).contains("instance");
        }
    }

    private static List<String> ids(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        out.sort(null);
        return out;
    }
}
