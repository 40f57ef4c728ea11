package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

class CostCalculatorTest {

    private final GatewayConfig cfg = TestConfigs.defaults();

    private double cost(String model, String usageJson) {
        return CostCalculator.cost(model, Usage.fromJson(TestConfigs.tree(usageJson)), cfg).orElseThrow();
    }

    @Test
    void costsPlainInputAndOutputAtTheModelsPrices() {
        // sonnet: $3 in, $15 out per MTok
        assertThat(cost("claude-sonnet-4-6", "{\"input_tokens\":1000,\"output_tokens\":500}"))
                .isCloseTo((1000 * 3 + 500 * 15) / 1e6, within(1e-12));
    }

    @Test
    void costsFiveMinuteCacheWritesAtOneAndAQuarterTimesInput() {
        String usage = "{\"input_tokens\":100,\"output_tokens\":10,\"cache_creation_input_tokens\":2000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":2000,\"ephemeral_1h_input_tokens\":0}}";
        assertThat(cost("claude-opus-4-7", usage)).isCloseTo((100 * 5 + 2000 * 5 * 1.25 + 10 * 25) / 1e6,
                within(1e-12));
    }

    @Test
    void costsOneHourCacheWritesAtTwiceInput() {
        String usage = "{\"input_tokens\":100,\"output_tokens\":10,\"cache_creation_input_tokens\":2000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":2000}}";
        assertThat(cost("claude-opus-4-7", usage)).isCloseTo((100 * 5 + 2000 * 5 * 2.0 + 10 * 25) / 1e6,
                within(1e-12));
    }

    @Test
    void costsMixedCacheWriteBreakdownPerTtl() {
        String usage = "{\"input_tokens\":0,\"output_tokens\":0,\"cache_creation_input_tokens\":3000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000}}";
        assertThat(cost("claude-haiku-4-5-20251001", usage)).isCloseTo((1000 * 1.25 + 2000 * 2.0) / 1e6,
                within(1e-12));
    }

    @Test
    void countsCacheWritesWithoutBreakdownAsFiveMinuteWrites() {
        String usage = "{\"input_tokens\":100,\"output_tokens\":10,\"cache_creation_input_tokens\":2000}";
        assertThat(cost("claude-opus-4-7", usage)).isCloseTo((100 * 5 + 2000 * 5 * 1.25 + 10 * 25) / 1e6,
                within(1e-12));
    }

    @Test
    void costsCacheReadsAtATenthOfInput() {
        String usage = "{\"input_tokens\":10,\"output_tokens\":100,\"cache_read_input_tokens\":10000}";
        assertThat(cost("claude-haiku-4-5-20251001", usage)).isCloseTo((10 + 10000 * 0.1 + 100 * 5) / 1e6,
                within(1e-12));
    }

    @Test
    void costsAStreamFromMessageStartMergedWithTheFinalDelta() {
        Usage start = Usage.fromJson(TestConfigs.tree("{\"input_tokens\":50,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":1000,\"output_tokens\":1}"));
        Usage end = start.merge(TestConfigs.tree("{\"output_tokens\":300}"));
        assertThat(CostCalculator.cost("claude-sonnet-4-6", end, cfg).orElseThrow())
                .isCloseTo((50 * 3 + 1000 * 3 * 0.1 + 300 * 15) / 1e6, within(1e-12));
    }

    @Test
    void pricesAPrefixMappedModelAtItsTierModelsPrices() {
        assertThat(cost("claude-3-7-sonnet-20250219", "{\"input_tokens\":1000000,\"output_tokens\":0}"))
                .isCloseTo(3.0, within(1e-12));
    }

    @Test
    void reportsUnknownModelAsUnknownNotZero() {
        Usage usage = Usage.fromJson(TestConfigs.tree("{\"input_tokens\":10,\"output_tokens\":10}"));
        assertThat(CostCalculator.cost("gpt-4o", usage, cfg)).isEmpty();
        assertThat(CostCalculator.costOrNull("gpt-4o", usage, cfg)).isNull();
    }

    @Test
    void followsEditedPricesInTheConfiguration() {
        GatewayConfig edited = TestConfigs.with("models:\n  claude-sonnet-4-6: {input: 10.0, output: 20.0}\n");
        Usage usage = Usage.fromJson(TestConfigs.tree("{\"input_tokens\":1000,\"output_tokens\":1000}"));
        assertThat(CostCalculator.cost("claude-sonnet-4-6", usage, edited).orElseThrow())
                .isCloseTo(30_000 / 1e6, within(1e-12));
    }
}
