package dev.costgateway.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.session.CacheHealth.Kind;
import dev.costgateway.core.session.CacheHealth.Turn;
import dev.costgateway.core.session.CacheHealth.Warning;

class CacheHealthTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Map<String, Double> INPUT = Map.of("opus", 5.0, "haiku", 1.0);
    private static final CacheHealth.Prices PRICES = new CacheHealth.Prices(
            m -> INPUT.containsKey(m) ? OptionalDouble.of(INPUT.get(m)) : OptionalDouble.empty(), 1.25, 2.0, 0.1);

    private static Turn turn(int second, String model, long in, long write5m, long write1h, long read) {
        Instant start = T0.plusSeconds(second);
        return new Turn("q" + second, start, start.plusSeconds(3), model,
                new Usage(in, 10, write5m + write1h, write5m, write1h, read), 2, true);
    }

    @Test
    void readsAfterTheFirstWriteAreHealthy() {
        assertThat(CacheHealth.check(List.of(turn(0, "opus", 5, 30_000, 0, 0), turn(30, "opus", 5, 800, 0, 30_000),
                turn(60, "opus", 5, 900, 0, 30_800)), PRICES)).isEmpty();
    }

    @Test
    void gatewayCacheHitsAndRequestsWithoutBreakpointsAreNotJudged() {
        Turn hit = new Turn("h", T0.plusSeconds(20), T0.plusSeconds(20), "opus", new Usage(900, 5, 0, 0, 0, 0), 2,
                false);
        Turn title = new Turn("t", T0.plusSeconds(25), T0.plusSeconds(26), "haiku", new Usage(90, 5, 0, 0, 0, 0), 0,
                true);
        assertThat(CacheHealth.check(List.of(turn(0, "opus", 5, 30_000, 0, 0), hit, title,
                turn(40, "opus", 5, 800, 0, 30_000)), PRICES)).isEmpty();
    }

    @Test
    void aModelSwitchIsPricedAsTheWriteLessTheReadItReplaced() {
        List<Warning> w = CacheHealth.check(List.of(turn(0, "opus", 5, 30_000, 0, 0),
                turn(30, "haiku", 5, 30_500, 0, 0)), PRICES);
        assertThat(w).singleElement().satisfies(x -> {
            assertThat(x.kind()).isEqualTo(Kind.MODEL_SWITCH);
            assertThat(x.tokens()).isEqualTo(30_000);
            // the shared notes' example: $0.0375 to write on Haiku instead of $0.015 to read on Opus
            assertThat(x.costUsd()).isCloseTo(0.0375 - 0.015, within(1e-12));
        });
    }

    @Test
    void idleGapsAreMeasuredAgainstTheTtlInUse() {
        List<Warning> fiveMinutes = CacheHealth.check(List.of(turn(0, "opus", 5, 10_000, 0, 0),
                turn(400, "opus", 5, 10_000, 0, 0)), PRICES);
        assertThat(fiveMinutes).extracting(Warning::kind).containsExactly(Kind.IDLE_REWRITE);
        assertThat(fiveMinutes.get(0).costUsd()).isCloseTo(10_000 * 5 * 1.15 / 1e6, within(1e-12));
        List<Warning> oneHour = CacheHealth.check(List.of(turn(0, "opus", 5, 0, 10_000, 0),
                turn(400, "opus", 5, 0, 10_000, 0)), PRICES);
        assertThat(oneHour).extracting(Warning::kind).containsExactly(Kind.REWRITE_WITHIN_TTL);
        assertThat(oneHour.get(0).costUsd()).isCloseTo(10_000 * 5 * 1.9 / 1e6, within(1e-12));
        assertThat(CacheHealth.check(List.of(turn(0, "opus", 5, 0, 10_000, 0),
                turn(3700, "opus", 5, 0, 10_000, 0)), PRICES)).extracting(Warning::kind)
                .containsExactly(Kind.IDLE_REWRITE);
    }

    @Test
    void belowTheMinimumOnlyWhenCachingWasAskedFor() {
        Turn small = new Turn("s", T0, T0.plusSeconds(1), "claude-opus-4-7", new Usage(3000, 5, 0, 0, 0, 0), 1, true);
        Turn big = new Turn("b", T0, T0.plusSeconds(1), "claude-opus-4-7", new Usage(5000, 5, 0, 0, 0, 0), 1, true);
        Turn unasked = new Turn("u", T0, T0.plusSeconds(1), "claude-opus-4-7", new Usage(3000, 5, 0, 0, 0, 0), 0,
                true);
        assertThat(CacheHealth.check(List.of(small), PRICES)).extracting(Warning::kind)
                .containsExactly(Kind.BELOW_MINIMUM);
        assertThat(CacheHealth.check(List.of(big), PRICES)).isEmpty();
        assertThat(CacheHealth.check(List.of(unasked), PRICES)).isEmpty();
        assertThat(CacheHealth.minimumTokens("claude-sonnet-4-6")).isEqualTo(2048);
        assertThat(CacheHealth.minimumTokens("some-new-model")).isEqualTo(CacheHealth.DEFAULT_MINIMUM_TOKENS);
    }

    @Test
    void unknownPricesCostNothingButStillWarn() {
        List<Warning> w = CacheHealth.check(List.of(turn(0, "mystery", 5, 10_000, 0, 0),
                turn(1000, "mystery", 5, 10_000, 0, 0)), PRICES);
        assertThat(w).singleElement().extracting(Warning::costUsd).isEqualTo(0.0);
    }
}
