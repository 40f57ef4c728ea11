package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

class SavingsTest {

    private final GatewayConfig cfg = TestConfigs.defaults();
    private final Usage usage = new Usage(1000, 1000, 0, 0, 0, 0);

    @Test
    void savesTheDifferenceBetweenRequestedAndActualModel() {
        Double counterfactual = Savings.counterfactual("claude-opus-4-7", usage, cfg);   // 5*1000 + 25*1000
        Double actual = CostCalculator.costOrNull("claude-haiku-4-5-20251001", usage, cfg); // 1*1000 + 5*1000
        assertThat(Savings.saved(counterfactual, actual)).isCloseTo((30_000 - 6_000) / 1e6, within(1e-12));
    }

    @Test
    void pricesTheAutoAliasAsThePremiumTierModel() {
        assertThat(Savings.counterfactual("auto", usage, cfg))
                .isCloseTo(Savings.counterfactual("claude-opus-4-7", usage, cfg), within(1e-12));
    }

    @Test
    void chargesEveryEscalationAttemptAndTheClassifierCallAgainstSavings() {
        Usage first = new Usage(1000, 4096, 0, 0, 0, 0);
        Usage second = new Usage(1000, 800, 0, 0, 0, 0);
        Usage classifier = new Usage(200, 2, 0, 0, 0, 0);
        Double haiku = CostCalculator.costOrNull("claude-haiku-4-5-20251001", first, cfg);
        Double sonnet = CostCalculator.costOrNull("claude-sonnet-4-6", second, cfg);
        Double call = CostCalculator.costOrNull("claude-haiku-4-5-20251001", classifier, cfg);
        Double actual = Savings.total(List.of(haiku, sonnet, call));
        Double counterfactual = Savings.counterfactual("claude-sonnet-4-6", second, cfg);

        double expectedActual = (1000 + 4096 * 5 + 1000 * 3 + 800 * 15 + 200 + 2 * 5) / 1e6;
        assertThat(actual).isCloseTo(expectedActual, within(1e-12));
        // Escalating to the requested model itself makes the detour a loss, shown as such.
        assertThat(Savings.saved(counterfactual, actual)).isNegative()
                .isCloseTo((1000 * 3 + 800 * 15) / 1e6 - expectedActual, within(1e-12));
    }

    @Test
    void isUnknownWhenAnyPartIsUnknown() {
        assertThat(Savings.saved(null, 0.1)).isNull();
        assertThat(Savings.saved(0.1, null)).isNull();
        assertThat(Savings.counterfactual("mistral-large", usage, cfg)).isNull();
        assertThat(Savings.total(new ArrayList<>(Arrays.asList(0.1, null)))).isNull();
        assertThat(Savings.total(List.of())).isZero();
    }
}
