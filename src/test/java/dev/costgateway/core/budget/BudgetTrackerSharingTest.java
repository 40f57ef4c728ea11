package dev.costgateway.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.ManualClock;

/**
 * Shared budgets (ADR 0065): the other gateways' spend, read by {@link BudgetTracker#refreshOthers} from a fake
 * shared store that keeps each instance's records apart, is added to this gateway's own count, never counted twice,
 * kept (and reported stale) while the store is away, and split at midnight in the budget time zone.
 */
class BudgetTrackerSharingTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final String ME = "host-a/1111";
    static final String OTHER = "host-b/2222";

    final ManualClock clock = new ManualClock(ZonedDateTime.of(2026, 12, 2, 15, 0, 0, 0, BERLIN).toInstant());

    /** A shared metrics store: each instance's priced records, as its writer would have stored them. */
    static final class FakeSharedStore {
        record Spend(String instance, Instant at, String key, String project, double usd) {
        }

        final List<Spend> rows = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicInteger ownReads = new AtomicInteger();
        /** Reads of the others' spend with no upper bound (today's) and with one (the month's earlier days). */
        final AtomicInteger todayReads = new AtomicInteger();
        final AtomicInteger earlierReads = new AtomicInteger();

        void written(String instance, Instant at, String key, String project, double usd) {
            rows.add(new Spend(instance, at, key, project, usd));
        }

        /** Like the SQL: this instance's rows of the month, grouped by key and project, split at the day. */
        SpendSource own(String instance) {
            return (monthStart, dayStart) -> {
                ownReads.incrementAndGet();
                failIfDown();
                Map<List<String>, double[]> sums = new ConcurrentHashMap<>();
                for (Spend s : rows) {
                    if (!s.instance().equals(instance) || s.at().isBefore(monthStart)) {
                        continue;
                    }
                    double[] sum = sums.computeIfAbsent(List.of(s.key(), s.project()), k -> new double[2]);
                    sum[0] += s.usd();
                    if (!s.at().isBefore(dayStart)) {
                        sum[1] += s.usd();
                    }
                }
                List<SpendSource.Row> out = new ArrayList<>();
                sums.forEach((k, v) -> out.add(new SpendSource.Row(k.get(0), k.get(1), v[0], v[1])));
                return out;
            };
        }

        /** Like the SQL: every other instance's rows in [from, to), grouped by key and project. */
        OthersSpend others(String instance) {
            return (from, to) -> {
                (to == null ? todayReads : earlierReads).incrementAndGet();
                failIfDown();
                Map<List<String>, double[]> sums = new ConcurrentHashMap<>();
                for (Spend s : rows) {
                    if (s.instance().equals(instance) || s.at().isBefore(from) || to != null && !s.at().isBefore(to)) {
                        continue;
                    }
                    sums.computeIfAbsent(List.of(s.key(), s.project()), k -> new double[1])[0] += s.usd();
                }
                List<OthersSpend.KeySpend> out = new ArrayList<>();
                sums.forEach((k, v) -> out.add(new OthersSpend.KeySpend(k.get(0), k.get(1), v[0])));
                return out;
            };
        }

        private void failIfDown() {
            RuntimeException down = failure.get();
            if (down != null) {
                throw down;
            }
        }
    }

    final FakeSharedStore store = new FakeSharedStore();

    static Budget budget(String name, Budget.Period period, double limit, Budget.Scope scope) {
        return new Budget(name, period, limit, scope, 80, Budget.Action.BLOCK);
    }

    BudgetTracker tracker(List<Budget> budgets) {
        return new BudgetTracker(budgets, BERLIN, clock, store.own(ME), store.others(ME));
    }

    /** This gateway serves a request: counted at once, written to the store later (by its writer). */
    void servedHere(BudgetTracker t, String key, double usd) {
        t.recordSpend(clock.instant(), key, "", "", usd);
        store.written(ME, clock.instant(), key, "", usd);
    }

    @Test
    void theOtherInstancesSpendCountsFromTheNextRefreshAndBlocksHereToo() {
        BudgetTracker t = tracker(List.of(budget("daily-all", Budget.Period.DAY, 5.00, Budget.Scope.ALL)));
        servedHere(t, "k1", 2.00);
        store.written(OTHER, clock.instant(), "k2", "", 2.50);
        assertThat(t.blocking("k1", "")).as("not read yet").isEmpty();
        assertThat(t.states().get(0).spentUsd()).isCloseTo(2.00, offset(1e-9));

        t.refreshOthers();
        BudgetState st = t.states().get(0);
        assertThat(st.spentUsd()).isCloseTo(4.50, offset(1e-9));
        assertThat(st.othersUsd()).isCloseTo(2.50, offset(1e-9));
        assertThat(t.blocking("k1", "")).isEmpty();

        clock.advance(BudgetTracker.REFRESH_PERIOD);
        store.written(OTHER, clock.instant(), "k2", "", 0.50);
        t.refreshOthers();
        BudgetState refused = t.blocking("k1", "").orElseThrow();
        assertThat(refused.spentUsd()).isCloseTo(5.00, offset(1e-9));
        assertThat(refused.refusalMessage(BERLIN)).contains("$5.00 spent of its $5.00 daily limit");
    }

    @Test
    void ownRecordsWrittenToTheStoreAreNotAddedAgainAndRefreshesReplaceRatherThanAdd() {
        BudgetTracker t = tracker(List.of(budget("month-all", Budget.Period.MONTH, 100, Budget.Scope.ALL)));
        store.written(OTHER, clock.instant(), "k2", "", 1.25);
        for (int i = 0; i < 4; i++) {
            servedHere(t, "k1", 0.50);
            t.refreshOthers();
            clock.advance(BudgetTracker.REFRESH_PERIOD);
        }
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).as("own 4 x $0.50 once, the other's $1.25 once")
                .isCloseTo(3.25, offset(1e-9));
        assertThat(store.ownReads.get()).as("own spend read once, at start").isEqualTo(1);
        assertThat(store.todayReads.get()).as("start + 5 refreshes").isEqualTo(6);
        assertThat(store.earlierReads.get()).as("the month's earlier days: at start only, within a minute")
                .isEqualTo(1);
    }

    @Test
    void aRestartReadsItsOwnSpendOnceAndTheOthersApart() {
        store.written(ME, clock.instant(), "k1", "", 1.00);
        store.written(OTHER, clock.instant(), "k1", "", 2.00);
        BudgetTracker t = tracker(List.of(budget("key", Budget.Period.DAY, 10, Budget.Scope.KEY)));
        BudgetState k1 = t.states().get(0);
        assertThat(k1.scopeValue()).isEqualTo("k1");
        assertThat(k1.spentUsd()).isCloseTo(3.00, offset(1e-9));
        assertThat(k1.othersUsd()).isCloseTo(2.00, offset(1e-9));
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).isCloseTo(3.00, offset(1e-9));
    }

    @Test
    void aKeyOrProjectSpentOnlyOnAnotherInstanceIsListedAndBlocked() {
        BudgetTracker t = tracker(List.of(budget("per-key", Budget.Period.DAY, 1.00, Budget.Scope.KEY),
                budget("per-project", Budget.Period.DAY, 1.00, Budget.Scope.PROJECT)));
        store.written(OTHER, clock.instant(), "k9", "apollo", 1.50);
        t.refreshOthers();
        assertThat(t.states()).extracting(BudgetState::scopeValue).containsExactly("k9", "apollo");
        assertThat(t.blocking("k9", "").orElseThrow().budget().name()).isEqualTo("per-key");
        assertThat(t.blocking("k1", "apollo").orElseThrow().budget().name()).isEqualTo("per-project");
        assertThat(t.blocking("k1", "")).isEmpty();
    }

    @Test
    void theOthersDaySpendEndsAtMidnightInTheBudgetZoneAndTheirMonthGoesOn() {
        clock.advance(Duration.between(clock.instant(),
                ZonedDateTime.of(2026, 12, 2, 23, 59, 30, 0, BERLIN).toInstant()));
        BudgetTracker t = tracker(List.of(budget("day", Budget.Period.DAY, 10, Budget.Scope.ALL),
                budget("month", Budget.Period.MONTH, 100, Budget.Scope.ALL)));
        store.written(OTHER, clock.instant(), "k2", "", 3.00);
        servedHere(t, "k1", 1.00);
        t.refreshOthers();
        assertThat(t.states()).extracting(BudgetState::spentUsd).containsExactly(4.00, 4.00);

        clock.advance(Duration.ofSeconds(40)); // 00:00:10 Berlin, 23:00:10 UTC: a new day here, not in UTC
        assertThat(t.states().get(0).spentUsd()).as("yesterday's figure does not leak into today").isZero();
        assertThat(t.states().get(1).spentUsd()).isCloseTo(4.00, offset(1e-9));
        store.written(OTHER, clock.instant(), "k2", "", 0.25);
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).isCloseTo(0.25, offset(1e-9));
        assertThat(t.states().get(0).periodStart())
                .isEqualTo(ZonedDateTime.of(2026, 12, 3, 0, 0, 0, 0, BERLIN).toInstant());
        assertThat(t.states().get(1).spentUsd()).isCloseTo(4.25, offset(1e-9));
    }

    @Test
    void spendWrittenLateIntoAnEarlierDayCountsForTheMonthWithinAMinute() {
        BudgetTracker t = tracker(List.of(budget("month", Budget.Period.MONTH, 100, Budget.Scope.ALL)));
        Instant yesterday = clock.instant().minus(Duration.ofDays(1));
        store.written(OTHER, yesterday, "k2", "", 4.00); // a writer held back by an outage, catching up
        store.written(OTHER, clock.instant(), "k2", "", 1.00);
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).as("today's read at once; the earlier days' as of the start")
                .isCloseTo(1.00, offset(1e-9));
        clock.advance(BudgetTracker.EARLIER_REFRESH);
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).isCloseTo(5.00, offset(1e-9));
        assertThat(store.earlierReads.get()).isEqualTo(2);
    }

    @Test
    void whileTheStoreIsAwayAcrossMidnightTheEndedDayStillCountsForTheMonth() {
        clock.advance(Duration.between(clock.instant(),
                ZonedDateTime.of(2026, 12, 2, 23, 59, 50, 0, BERLIN).toInstant()));
        BudgetTracker t = tracker(List.of(budget("day", Budget.Period.DAY, 10, Budget.Scope.ALL),
                budget("month", Budget.Period.MONTH, 100, Budget.Scope.ALL)));
        store.written(OTHER, clock.instant(), "k2", "", 3.00);
        t.refreshOthers();
        store.failure.set(new IllegalStateException("spend query failed: Connection refused"));
        clock.advance(Duration.ofSeconds(20));
        t.refreshOthers();
        assertThat(t.states()).extracting(BudgetState::spentUsd).containsExactly(0.0, 3.00);
        assertThat(t.sharing().state(clock.instant())).isEqualTo("stale");
    }

    @Test
    void whileTheStoreIsAwayTheLastFigureIsKeptAndReportedStaleWithItsAge() {
        BudgetTracker t = tracker(List.of(budget("daily-all", Budget.Period.DAY, 5.00, Budget.Scope.ALL)));
        store.written(OTHER, clock.instant(), "k2", "", 2.00);
        t.refreshOthers();
        Instant goodRead = clock.instant();
        assertThat(t.sharing().state(clock.instant())).isEqualTo("fresh");

        store.failure.set(new IllegalStateException("spend query failed: Connection refused"));
        store.written(OTHER, clock.instant(), "k2", "", 10.00); // written while this gateway cannot read it
        clock.advance(Duration.ofSeconds(7));
        t.refreshOthers();
        BudgetTracker.Sharing s = t.sharing();
        assertThat(s.state(clock.instant())).isEqualTo("stale");
        assertThat(s.othersAsOf()).isEqualTo(goodRead);
        assertThat(s.ageSeconds(clock.instant())).isEqualTo(7);
        assertThat(s.problem()).contains("Connection refused");
        assertThat(t.states().get(0).spentUsd()).as("the last known figure").isCloseTo(2.00, offset(1e-9));
        servedHere(t, "k1", 1.00);
        assertThat(t.blocking("k1", "")).as("still under the limit by what it knows").isEmpty();

        store.failure.set(null);
        t.refreshOthers();
        assertThat(t.sharing().state(clock.instant())).isEqualTo("fresh");
        assertThat(t.sharing().problem()).isNull();
        assertThat(t.blocking("k1", "")).isPresent();
    }

    @Test
    void aStoreAwayAtStartIsNotWaitedForTwiceAndTheFirstRefreshCatchesUp() {
        store.failure.set(new IllegalStateException("spend query failed: Connection refused"));
        store.written(OTHER, clock.instant(), "k2", "", 2.00);
        BudgetTracker t = tracker(List.of(budget("daily-all", Budget.Period.DAY, 5.00, Budget.Scope.ALL)));
        assertThat(store.todayReads.get() + store.earlierReads.get()).isZero();
        assertThat(t.sharing().state(clock.instant())).isEqualTo("stale");
        assertThat(t.sharing().ageSeconds(clock.instant())).isEqualTo(-1);

        store.failure.set(null);
        t.refreshOthers();
        assertThat(t.states().get(0).spentUsd()).isCloseTo(2.00, offset(1e-9));
        assertThat(t.sharing().state(clock.instant())).isEqualTo("fresh");
    }

    @Test
    void aReadThatStopsComingIsStaleAfterThreePeriods() {
        BudgetTracker t = tracker(List.of());
        t.refreshOthers();
        clock.advance(BudgetTracker.STALE_AFTER);
        assertThat(t.sharing().state(clock.instant())).isEqualTo("fresh");
        clock.advanceMillis(1);
        assertThat(t.sharing().state(clock.instant())).isEqualTo("stale");
    }

    @Test
    void crossingALimitThroughTheOthersSpendAlertsOnce() {
        BudgetTracker t = tracker(List.of(budget("daily-all", Budget.Period.DAY, 5.00, Budget.Scope.ALL)));
        List<BudgetAlert> alerts = new ArrayList<>();
        t.addAlertListener(alerts::add);
        store.written(OTHER, clock.instant(), "k2", "", 6.00);
        t.refreshOthers();
        t.refreshOthers();
        assertThat(alerts).extracting(BudgetAlert::level).containsExactly(BudgetState.Level.EXCEEDED);
    }

    @Test
    void oneGatewayReadsNoOthersAndSaysSharingIsOff() {
        BudgetTracker t = new BudgetTracker(List.of(budget("d", Budget.Period.DAY, 5, Budget.Scope.ALL)), BERLIN,
                clock, store.own(ME));
        store.written(OTHER, clock.instant(), "k2", "", 6.00);
        t.refreshOthers();
        assertThat(t.sharing().state(clock.instant())).isEqualTo("off");
        assertThat(t.sharing().ageSeconds(clock.instant())).isEqualTo(-1);
        assertThat(t.states().get(0).spentUsd()).isZero();
        assertThat(store.ownReads.get()).as("its own spend, at start").isEqualTo(1);
        assertThat(store.todayReads.get() + store.earlierReads.get()).isZero();
    }
}
