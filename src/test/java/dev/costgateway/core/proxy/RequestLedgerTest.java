package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.decision.RoutingThresholds;
import dev.costgateway.testing.ManualClock;

/** The ledger's money and timing rules, without HTTP: a manual clock and a price list of two models. */
class RequestLedgerTest {

    private static final String CHEAP = "cheap-model";
    private static final String DEAR = "dear-model";
    /** USD per token: input, output. */
    private static final Map<String, double[]> PRICES = Map.of(CHEAP, new double[] {1e-6, 5e-6},
            DEAR, new double[] {3e-6, 15e-6});
    private static final Pricing PRICING = new Pricing() {
        @Override
        public Double cost(String model, Usage u) {
            double[] p = PRICES.get(model);
            return p == null ? null : u.inputTokens() * p[0] + u.outputTokens() * p[1];
        }

        @Override
        public Double counterfactual(String requestedModel, Usage u) {
            return cost(requestedModel, u);
        }
    };
    private static final Usage ANSWER = new Usage(100, 20, 0, 0, 0, 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = new ManualClock();
    private final RequestLedger ledger = new RequestLedger("q-1", clock, PRICING);

    private static ParsedRequest request(String model, boolean stream) throws InvalidRequest {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":50,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
        return RequestParser.parse(body.getBytes(StandardCharsets.UTF_8),
                HttpFields.build().put("x-api-key", "sk-test-1"), ConfigLoader.defaults(), () -> null);
    }

    private static RouteDecision routed(Tier tier, String model, ClassifierLayer layer,
                                        RouteDecision.ClassifierCall... calls) {
        return new RouteDecision(DEAR, model, Tier.PREMIUM, tier, layer, "because", true, List.of(calls));
    }

    private static JsonNode message(String text) throws Exception {
        return JSON.readTree("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}");
    }

    @Test
    void aRoutedAnswerCostsItsAttemptAndTheClassifierCallAndSavesTheRest() throws Exception {
        ledger.request(request(DEAR, false), -1);
        clock.advanceMillis(30);
        RouteDecision.ClassifierCall call = new RouteDecision.ClassifierCall(CHEAP, new Usage(50, 1, 0, 0, 0, 0),
                55e-6, 30, 200, "SIMPLE");
        ledger.routed(routed(Tier.FAST, CHEAP, ClassifierLayer.HAIKU, call));
        long start = ledger.now();
        clock.advanceMillis(200);
        ledger.answerAttempt("initial", 200, ANSWER, start);
        clock.advanceMillis(5);
        ledger.firstByte();
        clock.advanceMillis(10);
        ledger.firstByte(); // the first time stays

        double answerCost = 100e-6 + 100e-6;
        assertThat(ledger.savings(ANSWER)).isCloseTo(300e-6 + 300e-6 - answerCost - 55e-6, within(1e-12));
        RequestRecord r = ledger.closeAnswered(200, null, ANSWER, message("Paris")).orElseThrow();

        assertThat(r.queryId()).isEqualTo("q-1");
        assertThat(r.timestamp()).isEqualTo(new ManualClock().instant());
        assertThat(r.callerKeyHash()).isNotEmpty().doesNotContain("sk-test-1");
        assertThat(r.requestedModel()).isEqualTo(DEAR);
        assertThat(r.finalModel()).isEqualTo(CHEAP);
        assertThat(r.tier()).isEqualTo("fast");
        assertThat(r.classifierLayer()).isEqualTo("haiku");
        assertThat(r.classifierReason()).isEqualTo("because");
        assertThat(r.cacheKind()).isEqualTo("none");
        assertThat(r.costUsd()).isCloseTo(answerCost + 55e-6, within(1e-12));
        assertThat(r.counterfactualUsd()).isCloseTo(600e-6, within(1e-12));
        assertThat(r.savedUsd()).isCloseTo(600e-6 - answerCost - 55e-6, within(1e-12));
        assertThat(r.latencyMillis()).isEqualTo(245);
        assertThat(r.ttfbMillis()).isEqualTo(235);
        assertThat(r.upstreamMillis()).isEqualTo(200);
        assertThat(r.promptPreview()).isNull();
        assertThat(r.answerPreview()).isNull();
        assertThat(r.attempts()).extracting(AttemptRecord::index, AttemptRecord::purpose, AttemptRecord::model,
                        AttemptRecord::trigger, AttemptRecord::latencyMillis)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "classifier", CHEAP, "classifier:SIMPLE", 30L),
                        org.assertj.core.groups.Tuple.tuple(1, "answer", CHEAP, "initial", 200L));
    }

    @Test
    void aScoredRouteIsRecordedAsNumbersAndKeepsThemThroughAnEscalation() throws Exception {
        ledger.request(request(DEAR, false), -1);
        DifficultyScore score = new DifficultyScore(0.31, 0.72, DifficultyScore.WITH_EMBEDDING);
        RoutingThresholds thresholds = new RoutingThresholds(0.55, Double.NEGATIVE_INFINITY, "share");
        ledger.routed(routed(Tier.BALANCED, CHEAP, ClassifierLayer.SCORE).withScore(score, thresholds));
        ledger.escalated(ledger.route().escalatedTo(DEAR, Tier.PREMIUM, "max_tokens"));
        ledger.answerAttempt("initial", 200, ANSWER, ledger.now());

        RequestRecord r = ledger.closeAnswered(200, null, ANSWER, null).orElseThrow();
        assertThat(r.routerScores()).isEqualTo(new RouterScores(0.31, 0.72, "embedding+features", 0.55,
                Double.NEGATIVE_INFINITY, "share", "premium"));
        assertThat(r.tier()).isEqualTo("premium");
    }

    @Test
    void aRouteWithoutAScoreRecordsNoScores() throws Exception {
        ledger.request(request(DEAR, false), -1);
        ledger.routed(routed(Tier.FAST, CHEAP, ClassifierLayer.HEURISTIC));
        ledger.answerAttempt("initial", 200, ANSWER, ledger.now());

        assertThat(ledger.closeAnswered(200, null, ANSWER, null).orElseThrow().routerScores()).isNull();
    }

    @Test
    void aClassifierCallOfUnknownCostLeavesCostAndSavingsUnknownButKeepsTheKnownAttemptCosts() throws Exception {
        ledger.request(request(DEAR, true), -1);
        RouteDecision.ClassifierCall timedOut = new RouteDecision.ClassifierCall(CHEAP, Usage.ZERO, null, 300, 0,
                "timeout");
        ledger.routed(routed(Tier.PREMIUM, DEAR, ClassifierLayer.NONE, timedOut));
        assertThat(ledger.route().classifierCostUsd()).isNull();
        assertThat(ledger.liveSavings(new Usage(100, 0, 0, 0, 0, 0))).isNull();
        ledger.answerAttempt("initial", 200, ANSWER, ledger.now());

        RequestRecord r = ledger.closeAnswered(200, null, ANSWER, null).orElseThrow();
        assertThat(r.costUsd()).isNull();
        assertThat(r.savedUsd()).isNull();
        assertThat(r.counterfactualUsd()).isCloseTo(600e-6, within(1e-12));
        assertThat(r.attempts().get(0).costUsd()).isNull();
        assertThat(r.attempts().get(1).costUsd()).isCloseTo(600e-6, within(1e-12));
        assertThat(r.stream()).isTrue();
    }

    @Test
    void theLiveSavingsEstimateCountsTheStreamsEarlyCostAndTheClassifierCalls() throws Exception {
        ledger.request(request(DEAR, true), -1);
        ledger.routed(routed(Tier.FAST, CHEAP, ClassifierLayer.HAIKU,
                new RouteDecision.ClassifierCall(CHEAP, new Usage(50, 1, 0, 0, 0, 0), 55e-6, 30, 200, "SIMPLE")));
        Usage early = new Usage(100, 1, 0, 0, 0, 0);
        assertThat(ledger.liveSavings(early)).isCloseTo((300e-6 + 15e-6) - (100e-6 + 5e-6) - 55e-6, within(1e-12));
    }

    @Test
    void anEscalationChargesBothAnswersAndRecordsTheStrongerModel() throws Exception {
        ledger.request(request(DEAR, false), 200);
        RouteDecision first = routed(Tier.FAST, CHEAP, ClassifierLayer.HEURISTIC);
        ledger.routed(first);
        ledger.answerAttempt("initial", 200, ANSWER, ledger.now());
        ledger.escalated(first.escalatedTo(DEAR, Tier.PREMIUM, "hedging"));
        ledger.answerAttempt("hedging", 200, ANSWER, ledger.now());

        RequestRecord r = ledger.closeAnswered(200, null, ANSWER, message("Paris.")).orElseThrow();
        assertThat(r.escalations()).isEqualTo(1);
        assertThat(r.finalModel()).isEqualTo(DEAR);
        assertThat(r.tier()).isEqualTo("premium");
        assertThat(r.classifierLayer()).isEqualTo("heuristic");
        assertThat(r.classifierReason()).isEqualTo("because; escalated (hedging)");
        assertThat(r.costUsd()).isCloseTo(200e-6 + 600e-6, within(1e-12));
        assertThat(r.savedUsd()).isCloseTo(-200e-6, within(1e-12));
        assertThat(r.attempts()).extracting(AttemptRecord::model).containsExactly(CHEAP, DEAR);
        assertThat(r.promptPreview()).isEqualTo("What is the capital of France?");
        assertThat(r.answerPreview()).isEqualTo("Paris.");
    }

    @Test
    void failedAttemptsAreNotBilledAndAFailedRequestCostsWhatWasSpent() throws Exception {
        ledger.request(request(DEAR, false), -1);
        ledger.routed(routed(Tier.FAST, CHEAP, ClassifierLayer.HEURISTIC));
        ledger.answerAttempt("initial", 0, Usage.ZERO, ledger.now());

        RequestRecord r = ledger.closeFailed(502, "api_error").orElseThrow();
        assertThat(r.attempts()).extracting(AttemptRecord::status, AttemptRecord::costUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, null));
        assertThat(r.costUsd()).isZero();
        assertThat(r.counterfactualUsd()).isNull();
        assertThat(r.savedUsd()).isNull();
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.errorType()).isEqualTo("api_error");
        assertThat(r.finalModel()).isEqualTo(CHEAP);
    }

    @Test
    void aRequestRefusedBeforeAnyAttemptHasNoCostAndNoCaller() {
        RequestRecord r = ledger.closeFailed(400, "invalid_request_error").orElseThrow();
        assertThat(r.costUsd()).isNull();
        assertThat(r.callerKeyHash()).isEmpty();
        assertThat(r.requestedModel()).isEmpty();
        assertThat(r.classifierLayer()).isEqualTo("n/a");
        assertThat(r.tier()).isNull();
        assertThat(r.ttfbMillis()).isEqualTo(-1);
    }

    @Test
    void anAnswerWithoutAPriceMakesTheCostUnknown() throws Exception {
        ledger.request(request(DEAR, false), -1);
        ledger.routed(routed(Tier.FAST, "unpriced-model", ClassifierLayer.HEURISTIC));
        ledger.answerAttempt("initial", 200, ANSWER, ledger.now());
        assertThat(ledger.savings(ANSWER)).isNull();
        assertThat(ledger.closeAnswered(200, null, ANSWER, null).orElseThrow().costUsd()).isNull();
    }

    @Test
    void aCachedAnswerCostsNothingAndSavesWhatTheRequestedModelWouldHaveCost() throws Exception {
        ledger.request(request(DEAR, false), -1);
        MessagePolicy.CacheHit hit = new MessagePolicy.CacheHit(CacheKind.EXACT, new byte[0], CHEAP, ANSWER,
                "identical request");
        ledger.routed(ledger.cacheRoute(hit));
        assertThat(ledger.cacheSavings(ANSWER)).isCloseTo(600e-6, within(1e-12));

        RequestRecord r = ledger.closeFromCache(hit, null).orElseThrow();
        assertThat(r.cacheKind()).isEqualTo("exact");
        assertThat(r.costUsd()).isZero();
        assertThat(r.savedUsd()).isCloseTo(600e-6, within(1e-12));
        assertThat(r.finalModel()).isEqualTo(CHEAP);
        assertThat(r.tier()).isNull();
        assertThat(r.classifierLayer()).isEqualTo("n/a");
        assertThat(r.classifierReason()).isEqualTo("exact cache: identical request");
        assertThat(r.attempts()).isEmpty();
    }

    @Test
    void theRecordIsWrittenOnceWhateverEndsTheRequestFirst() throws Exception {
        ledger.request(request(DEAR, false), -1);
        assertThat(ledger.closeFailed(0, "client_closed")).isPresent();
        assertThat(ledger.isClosed()).isTrue();
        assertThat(ledger.closeAnswered(200, null, ANSWER, null)).isEmpty();
        assertThat(ledger.closeFailed(502, "api_error")).isEmpty();
    }
}
