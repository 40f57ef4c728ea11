package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.DifficultyScore;

class WhatIfTest {

    private static final GatewayConfig CFG = TestConfigs.defaults();
    private static final RouterModel MODEL = RouterModel.load();

    private static GatewayConfig.Routing raw(double premium, double fast) {
        return new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12, true, true, true, true,
                true, 0.25, 0.07, premium, fast);
    }

    private static WhatIf.Scored req(double premium, double balanced, String requested, long in, long out) {
        return new WhatIf.Scored(new DifficultyScore(premium, balanced, DifficultyScore.WITH_EMBEDDING),
                CFG.tierOf(requested).orElseThrow(), requested, new Usage(in, out, 0, 0, 0, 0));
    }

    @Test
    void sharesSpendAndSavingsOfAHandComputedCase() {
        // Thresholds premium >= 0.5, fast below 0.3. Prices per MTok: haiku 1/5, sonnet 3/15, opus 5/25.
        List<WhatIf.Scored> rows = List.of(
                req(0.10, 0.20, "claude-opus-4-7", 1000, 100),   // fast: 1000*1 + 100*5 = 1500 µ$; opus 7500
                req(0.20, 0.60, "claude-opus-4-7", 2000, 200),   // balanced: 6000 + 3000 = 9000; opus 15000
                req(0.80, 0.90, "claude-opus-4-7", 1000, 1000),  // premium: 5000 + 25000 = 30000; opus 30000
                req(0.90, 0.95, "claude-sonnet-4-6", 1000, 0));  // premium capped at the ceiling: 3000; 3000
        WhatIf.Result r = WhatIf.evaluate(rows, raw(0.5, 0.3), MODEL, CFG);
        assertThat(r.requests()).isEqualTo(4);
        assertThat(r.share().get(Tier.FAST)).isEqualTo(0.25);
        assertThat(r.share().get(Tier.BALANCED)).isEqualTo(0.5);
        assertThat(r.share().get(Tier.PREMIUM)).isEqualTo(0.25);
        assertThat(r.spendUsd()).isCloseTo((1500 + 9000 + 30000 + 3000) / 1e6, within(1e-12));
        assertThat(r.counterfactualUsd()).isCloseTo((7500 + 15000 + 30000 + 3000) / 1e6, within(1e-12));
        assertThat(r.savedUsd()).isCloseTo((55500 - 43500) / 1e6, within(1e-12));
    }

    @Test
    void aLargerPremiumShareNeverLowersTheSpend() {
        List<WhatIf.Scored> rows = List.of(req(0.1, 0.2, "claude-opus-4-7", 500, 300),
                req(0.4, 0.7, "claude-opus-4-7", 800, 400), req(0.7, 0.9, "claude-opus-4-7", 900, 600));
        double previous = -1;
        for (double share = 0; share <= 1.0001; share += 0.1) {
            GatewayConfig.Routing r = new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12,
                    true, true, true, true, true, share, 0.07, null, null);
            double spend = WhatIf.evaluate(rows, r, MODEL, CFG).spendUsd();
            assertThat(spend).isGreaterThanOrEqualTo(previous);
            previous = spend;
        }
    }

    @Test
    void noRequestsGiveZeros() {
        WhatIf.Result r = WhatIf.evaluate(List.of(), raw(0.5, 0.3), MODEL, CFG);
        assertThat(r.requests()).isZero();
        assertThat(r.share()).containsEntry(Tier.FAST, 0.0).containsEntry(Tier.PREMIUM, 0.0);
        assertThat(r.spendUsd()).isZero();
    }
}
