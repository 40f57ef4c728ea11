package dev.costgateway.core.routing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.MutableClock;
import dev.costgateway.core.metrics.Records;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.RouterModel;

/**
 * {@code GET /v1/routing/whatif} over scores written to a real metrics store, against a hand-computed case: raw
 * thresholds in the configuration (premium ≥ 0.7, fast below 0.15) and in the query (premium ≥ 0.5, fast below 0.3).
 * Prices per MTok: haiku 1/5, sonnet 3/15, opus 5/25.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPUS = "claude-opus-4-7";
    private static final String SONNET = "claude-sonnet-4-6";
    private static final Instant T = Records.T0;

    @TempDir
    static Path dataDir;

    private MetricsStore store;
    private Server server;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RequestRecord scored(String id, Instant at, String requested, String ceiling, String layer,
                                        String tier, double premium, double balanced, long in, long out,
                                        double cost) {
        return Records.plain(id, at).toBuilder().requestedModel(requested).tier(tier).classifierLayer(layer)
                .usage(new Usage(in, out, 0, 0, 0, 0)).costUsd(cost)
                .routerScores(new RouterScores(premium, balanced, "embedding+features", 0.7, 0.15, "raw", ceiling))
                .build();
    }

    @BeforeAll
    void start() throws Exception {
        MutableClock clock = new MutableClock(T.plus(Duration.ofDays(1)));
        store = MetricsStore.open(Records.config(false, 1000), dataDir, clock);
        // now: balanced (0.20 ≥ 0.15), sonnet 3000 + 1500 µ$; proposed: fast, haiku 1000 + 500; opus 7500
        store.record(scored("s1", T, OPUS, "premium", "score", "balanced", 0.10, 0.20, 1000, 100, 0.0045));
        // balanced either way: sonnet 6000 + 3000 µ$; opus 15000
        store.record(scored("s2", T.plusSeconds(1), OPUS, "premium", "score", "balanced", 0.20, 0.60, 2000, 200,
                0.009));
        // premium either way: opus 5000 + 25000 µ$ (escalated once, so it cost more than its estimate)
        store.record(scored("s3", T.plusSeconds(2), OPUS, "premium", "score", "premium", 0.80, 0.90, 1000, 1000,
                0.04).toBuilder().escalations(1).build());
        // a rule kept it at its ceiling: no setting moves it; sonnet 3000 µ$
        store.record(scored("s4", T.plusSeconds(3), SONNET, "balanced", "rule", "balanced", 0.05, 0.10, 1000, 0,
                0.003));
        // left out: no scores, a failed answer, and one outside the default seven days
        store.record(Records.plain("unscored", T.plusSeconds(4)));
        store.record(scored("failed", T.plusSeconds(5), OPUS, "premium", "score", "fast", 0.1, 0.1, 10, 0, 0)
                .toBuilder().status(529).build());
        store.record(scored("old", T.minus(Duration.ofDays(10)), OPUS, "premium", "score", "fast", 0.01, 0.05,
                1000, 100, 0.0015));
        store.flush();

        GatewayConfig cfg = ConfigLoader.parse("routing:\n  thresholds:\n    premium: 0.7\n    fast: 0.15\n",
                "test.yaml").config();
        RouterModel model = RouterModel.load();
        WhatIfHandler handler = new WhatIfHandler(
                (from, to) -> RecordedTraffic.of(store.scoredRequests(from, to, MetricsQueries.MAX_SCORED), model),
                () -> cfg, clock);
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("whatif-test-server");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
        store.close();
    }

    private JsonNode get(String pathAndQuery, int status) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(pathAndQuery + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    @Test
    void answersTheHandComputedCase() throws Exception {
        JsonNode r = get("/v1/routing/whatif?thresholds.premium=0.5&thresholds.fast=0.3", 200);

        assertThat(r.get("type").asText()).isEqualTo("routing_whatif");
        assertThat(r.get("from").asText()).isEqualTo(T.plus(Duration.ofDays(1)).minus(Duration.ofDays(7)).toString());
        assertThat(r.get("requests").asInt()).isEqualTo(4);
        assertThat(r.at("/setting/thresholds/premium").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/proposed/share/fast").asDouble()).isEqualTo(0.25);
        assertThat(r.at("/proposed/share/balanced").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/proposed/share/premium").asDouble()).isEqualTo(0.25);
        assertThat(r.at("/proposed/estimated_cost_usd").asDouble())
                .isCloseTo((1500 + 9000 + 30000 + 3000) / 1e6, within(1e-12));
        assertThat(r.at("/proposed/counterfactual_usd").asDouble())
                .isCloseTo((7500 + 15000 + 30000 + 3000) / 1e6, within(1e-12));
        assertThat(r.at("/proposed/estimated_saved_usd").asDouble()).isCloseTo(12000 / 1e6, within(1e-12));
        assertThat(r.at("/now/share/fast").asDouble()).isZero();
        assertThat(r.at("/now/share/balanced").asDouble()).isEqualTo(0.75);
        assertThat(r.at("/now/estimated_cost_usd").asDouble())
                .isCloseTo((4500 + 9000 + 30000 + 3000) / 1e6, within(1e-12));
        assertThat(r.at("/actual/cost_usd").asDouble()).isCloseTo(0.0045 + 0.009 + 0.04 + 0.003, within(1e-12));
        assertThat(r.at("/actual/share/premium").asDouble()).isEqualTo(0.25);
        assertThat(r.at("/actual/escalated_requests").asInt()).isEqualTo(1);
        assertThat(r.get("changed_tier").asInt()).isEqualTo(1);
        assertThat(r.at("/examples/0/query_id").asText()).isEqualTo("s1");
        assertThat(r.at("/examples/0/now").asText()).isEqualTo("balanced");
        assertThat(r.at("/examples/0/proposed").asText()).isEqualTo("fast");
    }

    @Test
    void aShareReplacesTheConfiguredRawThresholdOfItsHead() throws Exception {
        JsonNode r = get("/v1/routing/whatif?premium_share=0&thresholds.fast=0.3", 200);
        assertThat(r.at("/setting/premium_share").asDouble()).isZero();
        assertThat(r.at("/setting/thresholds/premium").isNull()).isTrue();
        // nothing reaches premium now: s3 drops to balanced, s1 to fast; the rule's request stays
        assertThat(r.at("/proposed/share/premium").asDouble()).isZero();
        assertThat(r.at("/proposed/share/fast").asDouble()).isEqualTo(0.25);
        assertThat(r.at("/proposed/share/balanced").asDouble()).isEqualTo(0.75);
        assertThat(r.get("changed_tier").asInt()).isEqualTo(2);
    }

    @Test
    void calibratingOnTheRangesOwnScoresGivesRawThresholdsToCopy() throws Exception {
        // the three requests the scores decide: premium 0.10, 0.20, 0.80 and balanced 0.20, 0.60, 0.90; type-7
        // quantiles: premium threshold at 0.75 → 0.2 + 0.5 × 0.6 = 0.5, fast threshold at 0.25 → 0.2 + 0.5 × 0.4 = 0.4
        JsonNode r = get("/v1/routing/whatif?calibrate=own&premium_share=0.25&fast_share=0.25", 200);
        assertThat(r.at("/setting/calibration").asText()).isEqualTo("own");
        assertThat(r.at("/setting/thresholds/premium").asDouble()).isCloseTo(0.5, within(1e-12));
        assertThat(r.at("/setting/thresholds/fast").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(r.at("/proposed/share/fast").asDouble()).isEqualTo(0.25);
        assertThat(r.at("/proposed/share/balanced").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/proposed/share/premium").asDouble()).isEqualTo(0.25);
        assertThat(get("/v1/routing/whatif?calibrate=own&premium_share=0", 400).at("/error/message").asText())
                .startsWith("calibrate=own needs shares strictly between 0 and 1");
        assertThat(get("/v1/routing/whatif?calibrate=mine", 400).at("/error/message").asText())
                .isEqualTo("calibrate must be reference (the default) or own");
        assertThat(get("/v1/routing/whatif", 200).at("/setting/calibration").asText()).isEqualTo("reference");
    }

    @Test
    void withoutASettingTheProposalIsTheSettingInForce() throws Exception {
        JsonNode r = get("/v1/routing/whatif", 200);
        assertThat(r.get("proposed")).isEqualTo(r.get("now"));
        assertThat(r.get("changed_tier").asInt()).isZero();
        assertThat(r.get("examples")).isEmpty();
    }

    @Test
    void theRangeSelectsTheRequests() throws Exception {
        assertThat(get("/v1/routing/whatif?from=2025-02-01", 200).get("requests").asInt()).isEqualTo(5);
        assertThat(get("/v1/routing/whatif?from=2025-02-01&to=2025-03-09", 200).get("requests").asInt())
                .isEqualTo(1);
        assertThat(get("/v1/routing/whatif?from=2025-03-10T12:00:01.5Z", 200).get("requests").asInt())
                .isEqualTo(2);
    }

    @Test
    void badParametersGet400InTheAnthropicShape() throws Exception {
        JsonNode share = get("/v1/routing/whatif?premium_share=1.5", 400);
        assertThat(share.get("type").asText()).isEqualTo("error");
        assertThat(share.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(share.at("/error/message").asText()).isEqualTo("premium_share must be a number from 0 to 1");
        assertThat(get("/v1/routing/whatif?thresholds.fast=abc", 400).at("/error/message").asText())
                .isEqualTo("thresholds.fast must be a number");
        assertThat(get("/v1/routing/whatif?from=2025-03-11&to=2025-03-09", 400).at("/error/message").asText())
                .isEqualTo("from must not be after to");
        assertThat(get("/v1/routing/whatif?to=yesterday", 400).at("/error/message").asText())
                .startsWith("to must be an ISO date");
    }
}
