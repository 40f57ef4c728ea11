package dev.costgateway.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class BudgetTrackerTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    final AtomicReference<Instant> now =
            new AtomicReference<>(ZonedDateTime.of(2026, 12, 2, 15, 0, 0, 0, BERLIN).toInstant());
    final InstantSource clock = now::get;

    static Budget daily(String name, double limit, Budget.Scope scope, Budget.Action action) {
        return new Budget(name, Budget.Period.DAY, limit, scope, 80, action);
    }

    BudgetTracker tracker(List<Budget> budgets) {
        return new BudgetTracker(budgets, BERLIN, clock, SpendSource.NONE);
    }

    @Test
    void aBlockingBudgetRefusesOnceTheLimitIsReachedNotBefore() {
        BudgetTracker t = tracker(List.of(daily("daily-all", 5.00, Budget.Scope.ALL, Budget.Action.BLOCK)));
        t.recordSpend(now.get(), "k1", "abcd", "", 4.99);
        assertThat(t.blocking("k1", "")).isEmpty();
        assertThat(t.states().get(0).level()).isEqualTo(BudgetState.Level.WARNING);

        t.recordSpend(now.get(), "k2", "wxyz", "", 0.01);
        BudgetState refused = t.blocking("k3", "").orElseThrow();
        assertThat(refused.budget().name()).isEqualTo("daily-all");
        assertThat(refused.spentUsd()).isCloseTo(5.00, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(refused.refusalMessage(BERLIN))
                .contains("\"daily-all\"", "$5.00 spent of its $5.00 daily limit", "2026-12-03 00:00 Europe/Berlin");
    }

    @Test
    void aWarnBudgetNeverBlocksButSaysItIsExceeded() {
        BudgetTracker t = tracker(List.of(daily("soft", 1.00, Budget.Scope.ALL, Budget.Action.WARN)));
        t.recordSpend(now.get(), "k1", "", "", 3.0);
        assertThat(t.blocking("k1", "")).isEmpty();
        BudgetState st = t.states().get(0);
        assertThat(st.level()).isEqualTo(BudgetState.Level.EXCEEDED);
        assertThat(st.blocking()).isFalse();
        assertThat(st.percent()).isCloseTo(300.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void cacheHitsAndUnknownPricesCountNothing() {
        BudgetTracker t = tracker(List.of(daily("d", 0.01, Budget.Scope.ALL, Budget.Action.BLOCK)));
        t.recordSpend(now.get(), "k1", "", "", 0.0);
        t.recordSpend(now.get(), "k1", "", "", null);
        assertThat(t.blocking("k1", "")).isEmpty();
        assertThat(t.states().get(0).spentUsd()).isZero();
    }

    @Test
    void theDayResetsAtMidnightInTheBudgetTimeZoneAndTheMonthKeepsCounting() {
        now.set(ZonedDateTime.of(2026, 12, 2, 23, 59, 0, 0, BERLIN).toInstant());
        Budget day = daily("day", 1.00, Budget.Scope.ALL, Budget.Action.BLOCK);
        Budget month = new Budget("month", Budget.Period.MONTH, 10.00, Budget.Scope.ALL, 80, Budget.Action.BLOCK);
        BudgetTracker t = tracker(List.of(day, month));
        t.recordSpend(now.get(), "k", "", "", 1.50);
        assertThat(t.blocking("k", "")).map(s -> s.budget().name()).contains("day");

        // 00:00:01 in Berlin is 23:00:01 UTC: a UTC day would not have reset yet
        now.set(ZonedDateTime.of(2026, 12, 3, 0, 0, 1, 0, BERLIN).toInstant());
        assertThat(t.blocking("k", "")).isEmpty();
        List<BudgetState> states = t.states();
        assertThat(states.get(0).spentUsd()).isZero();
        assertThat(states.get(1).spentUsd()).isEqualTo(1.50);

        now.set(ZonedDateTime.of(2027, 1, 1, 0, 0, 1, 0, BERLIN).toInstant());
        assertThat(t.states().get(1).spentUsd()).isZero();
        assertThat(t.states().get(1).resetsAt()).isEqualTo(ZonedDateTime.of(2027, 2, 1, 0, 0, 0, 0, BERLIN).toInstant());
    }

    @Test
    void anOverrideLetsRequestsThroughForItsDurationOnly() {
        BudgetTracker t = tracker(List.of(daily("d", 1.00, Budget.Scope.ALL, Budget.Action.BLOCK)));
        t.recordSpend(now.get(), "k", "", "", 2.0);
        assertThat(t.blocking("k", "")).isPresent();
        assertThat(t.allowFor("d", Duration.ofHours(1))).isTrue();
        assertThat(t.allowFor("no-such-budget", Duration.ofHours(1))).isFalse();
        assertThat(t.blocking("k", "")).isEmpty();
        assertThat(t.states().get(0).overriddenUntil()).isEqualTo(now.get().plus(Duration.ofHours(1)));

        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertThat(t.blocking("k", "")).isPresent();
        assertThat(t.states().get(0).overriddenUntil()).isNull();
    }

    @Test
    void aKeyBudgetCountsEachKeyAloneAndShowsOnlyItsLastFourCharacters() {
        BudgetTracker t = tracker(List.of(daily("per-key", 1.00, Budget.Scope.KEY, Budget.Action.BLOCK)));
        t.recordSpend(now.get(), "hashA", "aaaa", "", 1.20);
        t.recordSpend(now.get(), "hashB", "bbbb", "", 0.30);
        assertThat(t.blocking("hashA", "")).isPresent();
        assertThat(t.blocking("hashB", "")).isEmpty();
        assertThat(t.states()).extracting(BudgetState::scopeLabel).containsExactly("key …aaaa", "key …bbbb");
    }

    @Test
    void aProjectBudgetAppliesOnlyToRequestsOfThatProject() {
        BudgetTracker t = tracker(List.of(daily("per-project", 1.00, Budget.Scope.PROJECT, Budget.Action.BLOCK)));
        t.recordSpend(now.get(), "k", "", "/home/dev/a", 1.50);
        assertThat(t.blocking("k", "/home/dev/a")).isPresent();
        assertThat(t.blocking("k", "/home/dev/b")).isEmpty();
        assertThat(t.blocking("k", "")).isEmpty();
    }

    @Test
    void spendBeforeARestartIsReadFromTheStoreSplitByPeriod() {
        List<Instant[]> asked = new ArrayList<>();
        SpendSource store = (monthStart, dayStart) -> {
            asked.add(new Instant[] {monthStart, dayStart});
            return List.of(new SpendSource.Row("k", "", 7.0, 2.0), new SpendSource.Row("k2", "/p", 1.0, 0.0));
        };
        Budget day = daily("day", 2.00, Budget.Scope.ALL, Budget.Action.BLOCK);
        Budget month = new Budget("month", Budget.Period.MONTH, 100, Budget.Scope.ALL, 80, Budget.Action.BLOCK);
        BudgetTracker t = new BudgetTracker(List.of(day, month), BERLIN, clock, store);
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)[0]).isEqualTo(ZonedDateTime.of(2026, 12, 1, 0, 0, 0, 0, BERLIN).toInstant());
        assertThat(asked.get(0)[1]).isEqualTo(ZonedDateTime.of(2026, 12, 2, 0, 0, 0, 0, BERLIN).toInstant());
        assertThat(t.blocking("any", "")).map(s -> s.budget().name()).contains("day");
        assertThat(t.states().get(1).spentUsd()).isEqualTo(8.0);
    }

    @Test
    void aFailingStoreAtStartLeavesBudgetsCountingFromNow() {
        BudgetTracker t = new BudgetTracker(List.of(daily("d", 1, Budget.Scope.ALL, Budget.Action.BLOCK)), BERLIN,
                clock, (m, d) -> {
                    throw new IllegalStateException("database is down");
                });
        t.recordSpend(now.get(), "k", "", "", 1.0);
        assertThat(t.blocking("k", "")).isPresent();
    }

    @Test
    void eachThresholdAlertsOncePerPeriod() {
        BudgetTracker t = tracker(List.of(daily("d", 1.00, Budget.Scope.ALL, Budget.Action.BLOCK)));
        List<BudgetAlert> alerts = new ArrayList<>();
        t.addAlertListener(alerts::add);
        t.recordSpend(now.get(), "k", "", "", 0.5);
        assertThat(alerts).isEmpty();
        t.recordSpend(now.get(), "k", "", "", 0.3);
        t.recordSpend(now.get(), "k", "", "", 0.1);
        assertThat(alerts).extracting(BudgetAlert::level).containsExactly(BudgetState.Level.WARNING);
        t.recordSpend(now.get(), "k", "", "", 0.2);
        t.recordSpend(now.get(), "k", "", "", 0.2);
        assertThat(alerts).extracting(BudgetAlert::level)
                .containsExactly(BudgetState.Level.WARNING, BudgetState.Level.EXCEEDED);

        now.set(now.get().plus(Duration.ofDays(1)));
        t.recordSpend(now.get(), "k", "", "", 5.0); // straight past the limit: one alert, the higher one
        assertThat(alerts).extracting(BudgetAlert::level).containsExactly(BudgetState.Level.WARNING,
                BudgetState.Level.EXCEEDED, BudgetState.Level.EXCEEDED);
    }

    @Test
    void reconfiguringKeepsTheSpendSoFar() {
        BudgetTracker t = tracker(List.of());
        t.recordSpend(now.get(), "k", "", "", 3.0);
        assertThat(t.blocking("k", "")).isEmpty();
        t.reconfigure(List.of(daily("new", 2.0, Budget.Scope.ALL, Budget.Action.BLOCK)), BERLIN);
        assertThat(t.blocking("k", "")).isPresent();
    }

    @Test
    void requestsRacingPastTheLimitOverrunItByAtMostWhatWasInFlight() throws Exception {
        double limit = 1.00;
        double cost = 0.01;
        int workers = 8;
        BudgetTracker t = tracker(List.of(daily("d", limit, Budget.Scope.ALL, Budget.Action.BLOCK)));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 2_000; i++) {
                    if (t.blocking("k", "").isEmpty()) { // admitted: this request is now in flight
                        admitted.incrementAndGet();
                        t.recordSpend(now.get(), "k", "", "", cost); // ... and completes
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (var f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        double spent = t.states().get(0).spentUsd();
        assertThat(spent).isGreaterThanOrEqualTo(limit - 1e-9);
        // at most one request per worker can be between its check and its completion when the limit is reached
        assertThat(spent).isLessThanOrEqualTo(limit + workers * cost + 1e-9);
        assertThat(admitted.get()).isBetween(100, 100 + workers);
    }
}
