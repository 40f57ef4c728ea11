package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.metrics.MetricsQueries.ScoredRequest;
import dev.costgateway.core.metrics.RouterScores;

/** The what-if over recorded rows: monotone in the knob, calibrated on traffic like the reference, rules kept. */
class RecordedTrafficTest {

    private static final RouterModel SHIPPED = RouterModel.load();
    private static final GatewayConfig CFG = TestConfigs.defaults();
    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    private static GatewayConfig.Routing shares(double premium, double fast) {
        return new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12, true, true, true, true,
                true, premium, fast, null, null);
    }

    private static ScoredRequest row(String id, String layer, String ceiling, double premium, double balanced) {
        String requested = switch (ceiling) {
            case "premium" -> "claude-opus-4-7";
            case "balanced" -> "claude-sonnet-4-6";
            default -> "claude-haiku-4-5-20251001";
        };
        return new ScoredRequest(id, T, requested, ceiling, layer, new Usage(1500, 400, 0, 0, 0, 0), 0.01, 0,
                new RouterScores(premium, balanced, RouterModel.WITH_EMBEDDING, 0.5, 0.2, "share", ceiling));
    }

    private static List<ScoredRequest> randomRows(long seed, int n) {
        Random random = new Random(seed);
        String[] ceilings = {"premium", "premium", "balanced", "fast"};
        List<ScoredRequest> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double p = random.nextDouble();
            rows.add(row("r" + i, random.nextInt(10) == 0 ? "rule" : "score", ceilings[random.nextInt(4)], p,
                    Math.max(p, random.nextDouble())));
        }
        return rows;
    }

    @Test
    void raisingThePremiumShareNeverMovesARecordedRequestDownNorLowersThePremiumShareOrTheSpend() {
        List<ScoredRequest> rows = randomRows(3, 200);
        RecordedTraffic traffic = RecordedTraffic.of(rows, SHIPPED);
        Tier[] previous = new Tier[rows.size()];
        double previousPremium = -1;
        double previousSpend = -1;
        for (int step = 0; step <= 20; step++) {
            GatewayConfig.Routing setting = shares(step / 20.0, 0.07);
            RecordedTraffic.Report report = traffic.evaluate(setting, CFG);
            assertThat(report.proposed().share().get(Tier.PREMIUM)).isGreaterThanOrEqualTo(previousPremium);
            assertThat(report.proposed().spendUsd()).isGreaterThanOrEqualTo(previousSpend - 1e-12);
            previousPremium = report.proposed().share().get(Tier.PREMIUM);
            previousSpend = report.proposed().spendUsd();
            for (int i = 0; i < rows.size(); i++) {
                Tier t = RecordedTraffic.of(List.of(rows.get(i)), SHIPPED).evaluate(setting, CFG).proposed().share()
                        .entrySet().stream().filter(e -> e.getValue() == 1.0).findFirst().orElseThrow().getKey();
                if (previous[i] != null) {
                    assertThat(previous[i].isAbove(t)).as("%s at %.2f", rows.get(i), step / 20.0).isFalse();
                }
                previous[i] = t;
            }
        }
    }

    @Test
    void onTrafficDrawnLikeTheReferenceAShareGivesAboutThatShare() {
        double[] premium = SHIPPED.reference(RouterModel.WITH_EMBEDDING, RouterModel.HEAD_PREMIUM);
        double[] balanced = SHIPPED.reference(RouterModel.WITH_EMBEDDING, RouterModel.HEAD_BALANCED);
        List<ScoredRequest> premiumRows = new ArrayList<>();
        for (int i = 0; i < premium.length; i++) {
            premiumRows.add(row("p" + i, "score", "premium", premium[i], 1.0));
        }
        List<ScoredRequest> fastRows = new ArrayList<>();
        for (int i = 0; i < balanced.length; i++) {
            fastRows.add(row("f" + i, "score", "premium", 0.0, balanced[i]));
        }
        RecordedTraffic p = RecordedTraffic.of(premiumRows, SHIPPED);
        RecordedTraffic f = RecordedTraffic.of(fastRows, SHIPPED);
        for (double share : new double[] {0.05, 0.15, 0.25, 0.5, 0.8}) {
            assertThat(p.evaluate(shares(share, 0.07), CFG).proposed().share().get(Tier.PREMIUM))
                    .as("premium share %.2f", share).isCloseTo(share, within(0.02));
            assertThat(f.evaluate(shares(0.25, share), CFG).proposed().share().get(Tier.FAST))
                    .as("fast share %.2f", share).isCloseTo(share, within(0.02));
        }
    }

    @Test
    void aRuleDecidedRequestKeepsItsCeilingUnderEverySettingAndRoutingOffKeepsEveryCeiling() {
        RecordedTraffic t = RecordedTraffic.of(List.of(row("rule", "rule", "premium", 0.0, 0.0),
                row("scored", "score", "premium", 0.0, 0.0)), SHIPPED);
        RecordedTraffic.Report r = t.evaluate(shares(0, 1), CFG);
        assertThat(r.proposed().share()).containsEntry(Tier.PREMIUM, 0.5).containsEntry(Tier.FAST, 0.5);
        GatewayConfig.Routing off = new GatewayConfig.Routing(GatewayConfig.RoutingMode.OFF, false, 50000, 12, true,
                true, true, true, true, 0, 1, null, null);
        assertThat(t.evaluate(off, CFG).proposed().share()).containsEntry(Tier.PREMIUM, 1.0);
    }

    @Test
    void rowsWithoutUsableScoresAreLeftOutAndTheChangesAreListed() {
        List<ScoredRequest> rows = new ArrayList<>(List.of(row("a", "score", "premium", 0.01, 0.02),
                row("b", "score", "premium", 0.99, 0.99)));
        rows.add(new ScoredRequest("no-scores", T, "claude-opus-4-7", "premium", "score",
                new Usage(1, 1, 0, 0, 0, 0), 0.0, 0, null));
        rows.add(new ScoredRequest("no-ceiling", T, "x", null, "score", new Usage(1, 1, 0, 0, 0, 0), 0.0, 0,
                new RouterScores(0.5, 0.5, RouterModel.WITH_EMBEDDING, 0.5, 0.2, "share", null)));
        RecordedTraffic t = RecordedTraffic.of(rows, SHIPPED);
        assertThat(t.size()).isEqualTo(2);
        RecordedTraffic.Report r = t.evaluate(shares(1, 0.07), CFG);
        assertThat(r.changedTier()).isEqualTo(1);
        assertThat(r.examples()).containsExactly(new RecordedTraffic.Change("a",
                WhatIf.tierOf(new WhatIf.Scored(new dev.costgateway.core.decision.DifficultyScore(0.01, 0.02,
                        RouterModel.WITH_EMBEDDING), Tier.PREMIUM, "claude-opus-4-7",
                        new Usage(1500, 400, 0, 0, 0, 0)), CFG.routing(), SHIPPED), Tier.PREMIUM));
        assertThat(r.actual().costUsd()).isCloseTo(0.02, within(1e-12));
    }
}
