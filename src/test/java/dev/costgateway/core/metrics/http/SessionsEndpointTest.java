package dev.costgateway.core.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.SessionTag;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY1 = Records.T0;
    private static final Instant DAY2 = Records.T0.plus(Duration.ofDays(1));

    @TempDir
    static Path dataDir;

    private MetricsStore store;
    private TestServer server;
    private final List<RequestRecord> recorded = new ArrayList<>();

    private void record(RequestRecord r) {
        recorded.add(r);
        store.record(r);
    }

    @BeforeAll
    void start() throws Exception {
        MutableClock clock = new MutableClock(DAY2.plus(Duration.ofDays(1)));
        store = MetricsStore.open(Records.config(false, 1000), dataDir, clock);
        SessionTag a = new SessionTag("sess-a", SessionTag.Source.HEADER, "/home/ana/src/shop/api", 3);
        SessionTag b = new SessionTag("conv-0123", SessionTag.Source.DERIVED, "", 0);
        record(Records.plain("a1", DAY1).withSession(a));
        record(Records.escalated("a2", DAY1.plusSeconds(60)).withSession(a));
        record(Records.streamed("a3", DAY2.plusSeconds(30)).withSession(a)); // the session runs over midnight
        record(Records.exactHit("b1", DAY1.plusSeconds(90)).withSession(b));
        record(Records.classified("b2", DAY1.plusSeconds(200)).withSession(b));
        store.flush();
        server = new TestServer(new MetricsHandler(store, () -> 0, clock));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        store.close();
    }

    private JsonNode getJson(String path, int status) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> v.startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void listsSessionsNewestFirstWithTheirFigures() throws Exception {
        JsonNode list = getJson("/v1/sessions", 200);
        assertThat(list.get("type").asText()).isEqualTo("sessions");
        assertThat(list.get("count").asInt()).isEqualTo(2);
        JsonNode a = list.at("/data/0");
        assertThat(a.get("session_id").asText()).isEqualTo("sess-a");
        assertThat(a.get("source").asText()).isEqualTo("header");
        assertThat(a.get("project").asText()).isEqualTo("/home/ana/src/shop/api");
        assertThat(a.get("project_short").asText()).isEqualTo("…/shop/api");
        assertThat(a.get("started").asText()).isEqualTo(DAY1.toString());
        RequestRecord last = recorded.get(2);
        assertThat(a.get("last_activity").asText())
                .isEqualTo(last.timestamp().plusMillis(last.latencyMillis()).toString());
        assertThat(a.get("duration_ms").asLong())
                .isEqualTo(Duration.between(DAY1, last.timestamp().plusMillis(last.latencyMillis())).toMillis());
        assertThat(a.get("requests").asInt()).isEqualTo(3);
        assertThat(a.get("models")).extracting(JsonNode::asText)
                .containsExactly("claude-haiku-4-5-20251001", "claude-opus-4-7", "claude-sonnet-4-6");
        assertThat(a.get("cost_usd").asDouble()).isCloseTo(0.0003 + 0.09 + 0.0132, within(1e-12));
        assertThat(a.get("counterfactual_usd").asDouble()).isCloseTo(0.0012 + 0.1375 + 0.066, within(1e-12));
        assertThat(a.get("input_tokens").asLong()).isEqualTo(120 + 2000 + 900);
        assertThat(a.get("output_tokens").asLong()).isEqualTo(40 + 1500 + 700);
        assertThat(a.get("cache_creation_tokens").asLong()).isEqualTo(90);
        assertThat(a.get("cache_read_tokens").asLong()).isEqualTo(120);
        assertThat(a.get("prompt_cache_hit_ratio").asDouble())
                .isCloseTo(120.0 / (120 + 2000 + 900 + 90 + 120), within(1e-12));
        assertThat(a.get("escalations").asInt()).isEqualTo(2);
        JsonNode b = list.at("/data/1");
        assertThat(b.get("session_id").asText()).isEqualTo("conv-0123");
        assertThat(b.get("project").asText()).isEmpty();
        assertThat(b.get("cache_hits").asInt()).isEqualTo(1);
    }

    @Test
    void rangeProjectAndCountFilter() throws Exception {
        JsonNode day1 = getJson("/v1/sessions?from=2025-03-10&to=2025-03-10", 200);
        assertThat(day1.get("count").asInt()).isEqualTo(2);
        assertThat(day1.at("/data/0/requests").asInt() + day1.at("/data/1/requests").asInt()).isEqualTo(4);
        JsonNode day2 = getJson("/v1/sessions?from=2025-03-11", 200);
        assertThat(day2.get("data")).extracting(n -> n.get("session_id").asText()).containsExactly("sess-a");
        assertThat(day2.at("/data/0/requests").asInt()).isEqualTo(1);
        assertThat(getJson("/v1/sessions?n=1", 200).get("count").asInt()).isEqualTo(1);
        JsonNode project = getJson("/v1/sessions?project=/home/ana/src/shop/api", 200);
        assertThat(project.get("data")).extracting(n -> n.get("session_id").asText()).containsExactly("sess-a");
        assertThat(getJson("/v1/sessions?project=/nowhere", 200).get("count").asInt()).isZero();
    }

    @Test
    void sessionTotalsEqualMetricsForTheSameRange() throws Exception {
        for (String range : List.of("", "from=2025-03-10&to=2025-03-10", "from=2025-03-10T12:00:30Z",
                "to=2025-03-11T00:00:00Z")) {
            JsonNode sessions = getJson("/v1/sessions?n=1000&" + range, 200);
            JsonNode metrics = getJson("/v1/metrics?" + range, 200);
            long requests = 0;
            double cost = 0;
            double saved = 0;
            for (JsonNode s : sessions.get("data")) {
                requests += s.get("requests").asLong();
                cost += s.get("cost_usd").asDouble();
                saved += s.get("saved_usd").asDouble();
            }
            assertThat(requests).as(range).isEqualTo(metrics.get("requests").asLong());
            assertThat(cost).as(range).isCloseTo(metrics.get("cost_usd").asDouble(), within(1e-12));
            assertThat(saved).as(range).isCloseTo(metrics.get("saved_usd").asDouble(), within(1e-12));
        }
    }

    @Test
    void oneSessionListsItsRequestsInOrder() throws Exception {
        JsonNode s = getJson("/v1/sessions/sess-a", 200);
        assertThat(s.get("type").asText()).isEqualTo("session");
        assertThat(s.get("requests")).extracting(n -> n.get("query_id").asText()).containsExactly("a1", "a2", "a3");
        assertThat(s.at("/requests/1/attempts")).hasSize(3);
        assertThat(s.at("/requests/0/session_source").asText()).isEqualTo("header");
        assertThat(s.at("/requests/0/project").asText()).isEqualTo("/home/ana/src/shop/api");
        JsonNode missing = getJson("/v1/sessions/nope", 404);
        assertThat(missing.at("/error/type").asText()).isEqualTo("not_found_error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/sessions?n=0", "/v1/sessions?n=1001", "/v1/sessions?n=abc",
            "/v1/sessions?from=yesterday", "/v1/sessions?from=2025-03-12&to=2025-03-10",
            "/v1/sessions/a/b", "/v1/reports/costs.csv?group=sessions"})
    void badParametersGet400InTheAnthropicShape(String path) throws Exception {
        JsonNode e = getJson(path, 400);
        assertThat(e.get("type").asText()).isEqualTo("error");
        assertThat(e.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.at("/error/message").asText()).isNotBlank();
    }

    @Test
    void csvBySessionAndByProject() throws Exception {
        HttpResponse<String> bySession = server.get("/v1/reports/costs.csv?group=session");
        assertThat(bySession.statusCode()).isEqualTo(200);
        List<List<String>> rows = CsvParser.parse(bySession.body());
        assertThat(rows.get(0)).containsExactly("session_id", "requests", "input_tokens", "output_tokens",
                "cache_creation_tokens", "cache_read_tokens", "cost_usd", "counterfactual_usd", "saved_usd",
                "cache_hits", "escalations");
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.get(0) + "=" + r.get(1))
                .containsExactly("conv-0123=2", "sess-a=3");
        assertThat(bySession.headers().firstValue("content-disposition").orElseThrow()).contains("_session.csv");

        List<List<String>> byProject = CsvParser.parse(server.get("/v1/reports/costs.csv?group=project").body());
        assertThat(byProject.get(0).get(0)).isEqualTo("project");
        assertThat(byProject.subList(1, byProject.size())).extracting(r -> r.get(0) + "=" + r.get(1))
                .containsExactly("=2", "/home/ana/src/shop/api=3");
        List<List<String>> day2 = CsvParser.parse(
                server.get("/v1/reports/costs.csv?group=project&from=2025-03-11&to=2025-03-11").body());
        assertThat(day2.subList(1, day2.size())).extracting(r -> r.get(0) + "=" + r.get(1) + "=" + r.get(6))
                .containsExactly("/home/ana/src/shop/api=1=0.0132");
    }
}
