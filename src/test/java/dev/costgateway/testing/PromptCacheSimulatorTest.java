package dev.costgateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.PromptCacheSimulator.Entry;

/** The simulated prompt cache behaves as the API documents it (shared notes §4.5). */
class PromptCacheSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final PromptCacheSimulator sim = new PromptCacheSimulator(clock);

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private List<Entry> run(ClaudeCodeSessions.Spec spec) throws Exception {
        for (ClaudeCodeSessions.Turn t : ClaudeCodeSessions.generate(spec)) {
            clock.advance(t.idleBefore());
            sim.bill(spec.apiKey(), t.sessionId(), json(t.body()), 10);
        }
        return sim.ledger(spec.sessionId());
    }

    private static long promptTokens(Entry e) {
        return e.inputTokens() + e.cacheCreationTokens() + e.cacheReadTokens();
    }

    @Test
    void aCleanSessionWritesOnceThenReadsAndWritesOnlyWhatIsNew() throws Exception {
        List<Entry> turns = run(ClaudeCodeSessions.Spec.of(1, "k1").turns(5));
        Entry first = turns.get(0);
        assertThat(first.cacheReadTokens()).isZero();
        assertThat(first.cacheWrite5mTokens()).isEqualTo(promptTokens(first)); // breakpoint on the last block
        assertThat(first.inputTokens()).isZero();
        for (int i = 1; i < turns.size(); i++) {
            Entry prev = turns.get(i - 1);
            Entry e = turns.get(i);
            assertThat(e.cacheReadTokens()).as("turn %d reads last turn's prefix", i).isEqualTo(promptTokens(prev));
            assertThat(e.cacheWrite5mTokens()).isEqualTo(promptTokens(e) - promptTokens(prev)).isPositive();
            assertThat(e.cacheWrite1hTokens()).isZero();
        }
    }

    @Test
    void anIdleGapLongerThanTheTtlRewritesEverythingAndReadsRefreshTheTtl() throws Exception {
        ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(2, "k1").turns(6)
                .idle(1, Duration.ofMinutes(4)).idle(2, Duration.ofMinutes(4)).idle(3, Duration.ofMinutes(4))
                .idle(4, Duration.ofMinutes(6));
        List<Entry> turns = run(spec);
        // 4-minute gaps: each read refreshed the 5-minute TTL, so 12 minutes in the cache still hits
        assertThat(turns.subList(1, 4)).allMatch(e -> e.cacheReadTokens() > 0);
        Entry afterGap = turns.get(4);
        assertThat(afterGap.cacheReadTokens()).isZero();
        assertThat(afterGap.cacheWrite5mTokens()).isEqualTo(promptTokens(afterGap));
        assertThat(turns.get(5).cacheReadTokens()).isEqualTo(promptTokens(afterGap));
    }

    @Test
    void oneHourBreakpointsSurviveHalfAnHourAndAreBilledAsOneHourWrites() throws Exception {
        List<Entry> turns = run(ClaudeCodeSessions.Spec.of(3, "k1").turns(3).oneHourTtl()
                .idle(1, Duration.ofMinutes(30)).idle(2, Duration.ofMinutes(61)));
        assertThat(turns.get(0).cacheWrite1hTokens()).isEqualTo(promptTokens(turns.get(0)));
        assertThat(turns.get(0).cacheWrite5mTokens()).isZero();
        assertThat(turns.get(1).cacheReadTokens()).isEqualTo(promptTokens(turns.get(0)));
        assertThat(turns.get(2).cacheReadTokens()).isZero();
    }

    @Test
    void aPrefixBelowTheModelsMinimumIsNotCached() throws Exception {
        List<Entry> turns = run(ClaudeCodeSessions.Spec.of(4, "k1").tiny().turns(3));
        assertThat(turns).allMatch(e -> e.cacheCreationTokens() == 0 && e.cacheReadTokens() == 0);
        assertThat(turns).allMatch(e -> e.inputTokens() > 0 && e.inputTokens() < 4096);
    }

    @Test
    void aChangingSystemPromptMakesEveryTurnAWriteOfTheWholePrompt() throws Exception {
        List<Entry> turns = run(ClaudeCodeSessions.Spec.of(5, "k1").turns(4).changingPrefix());
        // tools are 2 500 tokens: under Opus's 4 096 minimum, so no breakpoint before the system one survives
        assertThat(turns).allMatch(e -> e.cacheReadTokens() == 0);
        assertThat(turns).allMatch(e -> e.cacheWrite5mTokens() == promptTokens(e));
    }

    @Test
    void cachesArePerModelAndPerKey() throws Exception {
        ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(6, "k1").turns(4)
                .switchModel(2, "claude-sonnet-4-6");
        List<Entry> turns = run(spec);
        assertThat(turns.get(2).model()).isEqualTo("claude-sonnet-4-6");
        assertThat(turns.get(2).cacheReadTokens()).isZero();
        assertThat(turns.get(2).cacheWrite5mTokens()).isEqualTo(promptTokens(turns.get(2)));
        assertThat(turns.get(3).cacheReadTokens()).isPositive();

        // the same conversation under another key starts cold
        PromptCacheSimulator other = new PromptCacheSimulator(clock);
        ClaudeCodeSessions.Turn t = ClaudeCodeSessions.generate(ClaudeCodeSessions.Spec.of(7, "k1")).get(0);
        other.bill("k1", null, json(t.body()), 1);
        assertThat(other.bill("k1", null, json(t.body()), 1).cacheReadTokens()).isPositive();
        assertThat(other.bill("k2", null, json(t.body()), 1).cacheReadTokens()).isZero();
    }

    @Test
    void tokenCountsAreDeterministic() throws Exception {
        ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(8, "k1").turns(3);
        assertThat(ClaudeCodeSessions.generate(spec)).isEqualTo(ClaudeCodeSessions.generate(spec));
        List<Entry> a = run(spec);
        PromptCacheSimulator again = new PromptCacheSimulator(new ManualClock(Instant.EPOCH));
        for (ClaudeCodeSessions.Turn t : ClaudeCodeSessions.generate(spec)) {
            again.bill("k1", t.sessionId(), json(t.body()), 10);
        }
        assertThat(a).hasSize(3);
        assertThat(PromptCacheSimulator.totals(again.ledger())).isEqualTo(PromptCacheSimulator.totals(a));
    }

    @Test
    void realSizedFirstTurnIsAboutTheObservedSize() {
        ClaudeCodeSessions.Turn t = ClaudeCodeSessions.generate(ClaudeCodeSessions.Spec.of(9, "k1").realSize())
                .get(0);
        assertThat(t.body().length()).isBetween(75_000, 100_000);
    }
}
