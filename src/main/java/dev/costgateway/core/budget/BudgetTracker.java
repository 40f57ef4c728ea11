package dev.costgateway.core.budget;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend per period (day and month, in the budget time zone) for everybody, per caller key and per project, and the
 * budgets over it. This gateway's own spend is read once from the metrics store at start ({@link SpendSource}) and
 * then counted as each record is handed to the metrics queue ({@link #recordSpend}), so a budget can be overrun
 * neither by the writer's delay nor by a restart. A request is counted when it completes: requests racing past a
 * limit overrun it by at most what was already in flight when the limit was reached.
 *
 * <p>With a metrics store shared by several gateways (PostgreSQL), the other instances' spend is added: a
 * snapshot read from the store by {@link #refreshOthers}, which the caller runs on a background executor every
 * {@link #REFRESH_PERIOD}, never on a request thread. The snapshot holds only rows of other instances, so this
 * gateway's records are never counted twice; it replaces the previous one whole, and when a read fails the last
 * one is kept and {@link #sharing()} says how old it is. Across instances a limit is then overrun by at most what
 * the others spent since their last refresh plus what was in flight
 * (docs/adr/0065-shared-budgets-refreshed-from-the-store.md).
 *
 * <p>Every spend is kept whatever budgets are configured, so a budget added or changed in {@code config.yaml} at run
 * time applies at once to the spend so far. Thread-safe; {@link #recordSpend} and {@link #blocking} are cheap
 * (hash look-ups and adders) and run on request threads. Alerts are delivered on the thread that recorded the spend
 * that crossed the threshold; listeners must hand off anything slow.
 */
public final class BudgetTracker {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetTracker.class);

    /** How often the gateway reads the other instances' spend from a shared store ({@link #refreshOthers}). */
    public static final Duration REFRESH_PERIOD = Duration.ofSeconds(1);

    /**
     * How often the other instances' spend before today is read again. Each {@link #refreshOthers} reads only
     * today's quarter hours (a small range of {@code budget_spend}); the earlier days of the month are closed and
     * read again at midnight, and otherwise at this pace, which picks up records written late (a writer that was
     * held back by an outage across midnight).
     */
    public static final Duration EARLIER_REFRESH = Duration.ofMinutes(1);

    /** The other instances' spend counts as stale once the last good read is older than this (3 periods). */
    public static final Duration STALE_AFTER = REFRESH_PERIOD.multipliedBy(3);

    /**
     * Where the other instances' spend stands, for {@code /health} and {@code GET /v1/budgets}.
     *
     * @param shared    false with one gateway (H2, or no store): the fields below are then null
     * @param othersAsOf when the last good read of the other instances' spend was made; null before the first
     * @param lastTry   when the last read (good or not) finished
     * @param problem   why the last read failed (no secret); null when it worked
     */
    public record Sharing(boolean shared, Instant othersAsOf, Instant lastTry, String problem) {

        static final Sharing OFF = new Sharing(false, null, null, null);

        /** {@code off}, {@code fresh}, or {@code stale} (the last read failed or is older than {@link #STALE_AFTER}). */
        public String state(Instant now) {
            if (!shared) {
                return "off";
            }
            return problem == null && othersAsOf != null && !othersAsOf.plus(STALE_AFTER).isBefore(now) ? "fresh"
                    : "stale";
        }

        /** Seconds since the last good read (rounded down); -1 when there was none or sharing is off. */
        public long ageSeconds(Instant now) {
            return othersAsOf == null ? -1 : Math.max(0, Duration.between(othersAsOf, now).toSeconds());
        }
    }

    /** The other instances' spend as last read, by bucket; replaced whole on each good read. */
    private record Others(Map<Bucket, Double> spend, Sharing sharing) {
    }

    /** The other instances' spend from the month's start to today's, and when it was read. */
    private record Earlier(Instant monthStart, Instant dayStart, List<OthersSpend.KeySpend> rows, Instant readAt) {
    }

    private record Settings(List<Budget> budgets, ZoneId zone) {
    }

    private record Bucket(Budget.Period period, Instant start, Budget.Scope scope, String value) {
    }

    private final InstantSource clock;
    private final SpendSource source;
    /** The other instances' spend; null when this gateway shares its store with nobody. */
    private final OthersSpend othersSource;
    /** Written only under the lock of {@link #refreshOthers}. */
    private Earlier earlier;
    private volatile Settings settings;
    private final Map<Bucket, DoubleAdder> spend = new ConcurrentHashMap<>();
    private volatile Others others;
    private final Map<String, String> keyHints = new ConcurrentHashMap<>();
    private final Map<String, Instant> overrides = new ConcurrentHashMap<>();
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();
    private final List<Consumer<BudgetAlert>> listeners = new CopyOnWriteArrayList<>();

    /** Reads the spend so far from {@code source} (once, here) and tracks it from then on; one gateway. */
    public BudgetTracker(List<Budget> budgets, ZoneId zone, InstantSource clock, SpendSource source) {
        this(budgets, zone, clock, source, null);
    }

    /**
     * Reads this gateway's spend so far from {@code source} (once, here) and the other instances' from
     * {@code others} (here, then at each {@link #refreshOthers}).
     *
     * @param others the spend of the other gateways sharing the metrics store, never including this one's; null
     *               when there are none (H2)
     */
    public BudgetTracker(List<Budget> budgets, ZoneId zone, InstantSource clock, SpendSource source,
            OthersSpend others) {
        this.clock = Objects.requireNonNull(clock);
        this.source = Objects.requireNonNull(source);
        this.othersSource = others;
        this.others = new Others(Map.of(), others == null ? Sharing.OFF : new Sharing(true, null, null, null));
        this.settings = new Settings(List.copyOf(budgets), Objects.requireNonNull(zone));
        if (load(zone)) {
            refreshOthers();
        } else if (others != null) {
            // the store is away: do not make the start wait for it twice; the first scheduled refresh tries again
            this.others = new Others(Map.of(), new Sharing(true, null, clock.instant(),
                    "not read yet: the metrics store could not be read at start"));
        }
    }

    /** @return false when the store could not be read (budgets then count from now) */
    private boolean load(ZoneId zone) {
        Instant now = clock.instant();
        Instant month = start(Budget.Period.MONTH, now, zone);
        Instant day = start(Budget.Period.DAY, now, zone);
        List<SpendSource.Row> rows;
        try {
            rows = source.spendSince(month, day);
        } catch (RuntimeException e) {
            // budgets then count from now on; the health report says the metrics store is failing
            LOG.warn("could not read the spend so far from the metrics store; budgets count from now: {}",
                    e.toString());
            return false;
        }
        for (SpendSource.Row r : rows) {
            add(Budget.Period.MONTH, month, r.callerKeyHash(), r.project(), r.sinceMonthStartUsd());
            add(Budget.Period.DAY, day, r.callerKeyHash(), r.project(), r.sinceDayStartUsd());
        }
        return true;
    }

    /**
     * Reads the other instances' spend since the month began (in the budget time zone) and puts it in place of the
     * last read; budgets crossed by it alert. Reads today's part each time and the month's earlier days when
     * {@link #EARLIER_REFRESH} has passed or the day changed. When a read fails, the last figure is kept (a day
     * that ended meanwhile keeps counting for its month) and {@link #sharing()} reports the failure and its age.
     * Blocks on the store: run it on a background executor every {@link #REFRESH_PERIOD}. Does nothing with one
     * gateway.
     */
    public synchronized void refreshOthers() {
        if (othersSource == null) {
            return;
        }
        ZoneId zone = settings.zone();
        Instant now = clock.instant();
        Instant month = start(Budget.Period.MONTH, now, zone);
        Instant day = start(Budget.Period.DAY, now, zone);
        Others last = others;
        List<OthersSpend.KeySpend> today;
        Earlier before = earlier;
        try {
            today = othersSource.spendBetween(day, null);
            if (before == null || !before.monthStart().equals(month) || !before.dayStart().equals(day)
                    || !now.isBefore(before.readAt().plus(EARLIER_REFRESH))) {
                before = new Earlier(month, day, month.equals(day) ? List.of()
                        : othersSource.spendBetween(month, day), now);
            }
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (last.sharing().problem() == null) {
                LOG.warn("could not read the other gateways' spend from the metrics store; budgets keep the "
                        + "figure of {}: {}", last.sharing().othersAsOf() == null ? "none (never read)"
                        : last.sharing().othersAsOf(), why);
            }
            others = new Others(last.spend(), new Sharing(true, last.sharing().othersAsOf(), clock.instant(), why));
            return;
        }
        earlier = before;
        Map<Bucket, Double> next = new java.util.HashMap<>();
        for (OthersSpend.KeySpend r : before.rows()) {
            put(next, Budget.Period.MONTH, month, r.callerKeyHash(), r.project(), r.usd());
        }
        for (OthersSpend.KeySpend r : today) {
            put(next, Budget.Period.MONTH, month, r.callerKeyHash(), r.project(), r.usd());
            put(next, Budget.Period.DAY, day, r.callerKeyHash(), r.project(), r.usd());
        }
        if (last.sharing().problem() != null) {
            LOG.info("the other gateways' spend is read from the metrics store again");
        }
        others = new Others(Map.copyOf(next), new Sharing(true, now, clock.instant(), null));
        java.util.Set<List<String>> crossed = new java.util.HashSet<>();
        java.util.stream.Stream.concat(today.stream(), before.rows().stream()).forEach(r -> crossed.add(
                List.of(r.callerKeyHash() == null ? "" : r.callerKeyHash(), r.project() == null ? "" : r.project())));
        for (List<String> keyAndProject : crossed) {
            alertIfCrossed(keyAndProject.get(0), keyAndProject.get(1));
        }
    }

    /** Whether the other instances' spend is read, and how fresh the figure is. */
    public Sharing sharing() {
        return others.sharing();
    }

    private static void put(Map<Bucket, Double> into, Budget.Period period, Instant start, String key,
            String project, double usd) {
        if (!(usd > 0)) {
            return;
        }
        forEachBucket(period, start, key == null ? "" : key, project == null ? "" : project,
                b -> into.merge(b, usd, Double::sum));
    }

    /** The buckets one spend counts in: everybody's, the caller key's, and the project's when there is one. */
    private static void forEachBucket(Budget.Period period, Instant start, String key, String project,
            Consumer<Bucket> action) {
        action.accept(new Bucket(period, start, Budget.Scope.ALL, ""));
        action.accept(new Bucket(period, start, Budget.Scope.KEY, key));
        if (!project.isEmpty()) {
            action.accept(new Bucket(period, start, Budget.Scope.PROJECT, project));
        }
    }

    /**
     * Applies a new {@code budgets:} list. Spend so far is kept; a change of time zone moves the period boundaries,
     * so the spend is read again from the store (records still in the queue at that moment are then missed until
     * the next restart: a rare, documented edge).
     */
    public void reconfigure(List<Budget> budgets, ZoneId zone) {
        Settings old = settings;
        settings = new Settings(List.copyOf(budgets), zone);
        if (!old.zone().equals(zone)) {
            spend.clear();
            load(zone);
            refreshOthers();
        }
        overrides.keySet().removeIf(name -> budgets.stream().noneMatch(b -> b.name().equals(name)));
    }

    public List<Budget> budgets() {
        return settings.budgets();
    }

    public ZoneId zone() {
        return settings.zone();
    }

    /** The tracker's clock's instant (what its periods and the sharing's age are measured against). */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Counts one finished request. Called as its record enters the metrics queue.
     *
     * @param callerKeyHash the salted hash the metrics store keeps (empty for no key); never the key
     * @param keyHint       the key's last four characters, for display; may be empty
     * @param project       empty when none
     * @param costUsd       null or zero (a cache hit, an unknown price) counts nothing
     */
    public void recordSpend(Instant at, String callerKeyHash, String keyHint, String project, Double costUsd) {
        if (costUsd == null || !(costUsd > 0)) {
            return;
        }
        String key = callerKeyHash == null ? "" : callerKeyHash;
        String proj = project == null ? "" : project;
        if (keyHint != null && !keyHint.isEmpty()) {
            keyHints.putIfAbsent(key, keyHint);
        }
        ZoneId zone = settings.zone();
        add(Budget.Period.DAY, start(Budget.Period.DAY, at, zone), key, proj, costUsd);
        add(Budget.Period.MONTH, start(Budget.Period.MONTH, at, zone), key, proj, costUsd);
        alertIfCrossed(key, proj);
    }

    private void add(Budget.Period period, Instant start, String key, String project, double usd) {
        if (!(usd > 0)) {
            return;
        }
        forEachBucket(period, start, key, project,
                bucket -> spend.computeIfAbsent(bucket, x -> new DoubleAdder()).add(usd));
    }

    /**
     * The first blocking budget that refuses a request from this caller and project right now, if any. Warn-only
     * budgets and overridden ones never block.
     */
    public Optional<BudgetState> blocking(String callerKeyHash, String project) {
        Settings s = settings;
        Instant now = clock.instant();
        for (Budget b : s.budgets()) {
            if (b.action() != Budget.Action.BLOCK) {
                continue;
            }
            String value = scopeValue(b, callerKeyHash, project);
            if (value == null) {
                continue;
            }
            double spent = spent(b.period(), start(b.period(), now, s.zone()), b.scope(), value);
            if (spent >= b.limitUsd()) {
                BudgetState st = state(b, value, spent, now, s.zone());
                if (st.blocking()) {
                    return Optional.of(st);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Every budget's state now: one entry for an {@code all} budget, one per caller key or project with spend in
     * the period for the others (or a single zero entry when there is none yet), highest share of the limit first
     * within each budget.
     */
    public List<BudgetState> states() {
        Settings s = settings;
        Instant now = clock.instant();
        prune(now, s.zone());
        List<BudgetState> out = new ArrayList<>();
        for (Budget b : s.budgets()) {
            Instant start = start(b.period(), now, s.zone());
            if (b.scope() == Budget.Scope.ALL) {
                out.add(state(b, "", spent(b.period(), start, Budget.Scope.ALL, ""), now, s.zone()));
                continue;
            }
            java.util.Set<String> values = new java.util.HashSet<>();
            for (Map<Bucket, ?> m : List.of(spend, others.spend())) {
                for (Bucket bucket : m.keySet()) {
                    if (bucket.period() == b.period() && bucket.start().equals(start) && bucket.scope() == b.scope()) {
                        values.add(bucket.value());
                    }
                }
            }
            List<BudgetState> per = new ArrayList<>();
            for (String value : values) {
                per.add(state(b, value, spent(b.period(), start, b.scope(), value), now, s.zone()));
            }
            if (per.isEmpty()) {
                per.add(state(b, "", 0, now, s.zone()));
            }
            per.sort(Comparator.comparingDouble(BudgetState::spentUsd).reversed());
            out.addAll(per);
        }
        return out;
    }

    /** Remembers a key's last four characters for display ("key …abcd"); never the key itself. */
    public void noteKeyHint(String callerKeyHash, String lastFour) {
        if (callerKeyHash != null && !callerKeyHash.isEmpty() && lastFour != null && lastFour.length() == 4) {
            keyHints.putIfAbsent(callerKeyHash, lastFour);
        }
    }

    /** Lets requests past budget {@code name}'s limit for {@code duration} (the app's "allow for the next hour"). */
    public boolean allowFor(String name, Duration duration) {
        if (settings.budgets().stream().noneMatch(b -> b.name().equals(name))) {
            return false;
        }
        overrides.put(name, clock.instant().plus(duration));
        return true;
    }

    public void clearOverride(String name) {
        overrides.remove(name);
    }

    /** @return closes the subscription */
    public dev.costgateway.core.observe.Observable.Subscription addAlertListener(Consumer<BudgetAlert> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void alertIfCrossed(String key, String project) {
        Settings s = settings;
        if (s.budgets().isEmpty() || listeners.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        for (Budget b : s.budgets()) {
            String value = scopeValue(b, key, project);
            if (value == null) {
                continue;
            }
            Instant start = start(b.period(), now, s.zone());
            BudgetState st = state(b, value, spent(b.period(), start, b.scope(), value), now, s.zone());
            if (st.level() == BudgetState.Level.OK) {
                continue;
            }
            // a limit crossed in one step also counts as its warning: deliver only the higher level
            if (alerted.add(b.name() + '\u0000' + start + '\u0000' + value + '\u0000' + st.level())) {
                if (st.level() == BudgetState.Level.EXCEEDED) {
                    alerted.add(b.name() + '\u0000' + start + '\u0000' + value + '\u0000' + BudgetState.Level.WARNING);
                }
                for (Consumer<BudgetAlert> l : listeners) {
                    try {
                        l.accept(new BudgetAlert(st));
                    } catch (RuntimeException e) {
                        LOG.warn("budget alert listener failed", e);
                    }
                }
            }
        }
    }

    private static String scopeValue(Budget b, String key, String project) {
        return switch (b.scope()) {
            case ALL -> "";
            case KEY -> key == null ? "" : key;
            case PROJECT -> project == null || project.isEmpty() ? null : project;
        };
    }

    /** This gateway's spend plus the other instances' as last read. */
    private double spent(Budget.Period period, Instant start, Budget.Scope scope, String value) {
        Bucket bucket = new Bucket(period, start, scope, value);
        DoubleAdder a = spend.get(bucket);
        return (a == null ? 0 : a.sum()) + othersSpent(bucket);
    }

    private double othersSpent(Bucket bucket) {
        Double o = others.spend().get(bucket);
        return o == null ? 0 : o;
    }

    private BudgetState state(Budget b, String value, double spent, Instant now, ZoneId zone) {
        Instant start = start(b.period(), now, zone);
        Instant end = end(b.period(), start, zone);
        long period = Duration.between(start, end).toMillis();
        // before an hour (day) or a day (month) has passed, a linear projection says more about chance than rate
        long floor = b.period() == Budget.Period.DAY ? Duration.ofHours(1).toMillis() : Duration.ofDays(1).toMillis();
        long elapsed = Math.max(floor, Duration.between(start, now).toMillis());
        double projected = spent * period / (double) Math.min(period, elapsed);
        BudgetState.Level level = spent >= b.limitUsd() ? BudgetState.Level.EXCEEDED
                : spent >= b.warnAtUsd() ? BudgetState.Level.WARNING : BudgetState.Level.OK;
        Instant until = overrides.get(b.name());
        if (until != null && !until.isAfter(now)) {
            overrides.remove(b.name(), until);
            until = null;
        }
        double fromOthers = Math.min(spent, othersSpent(new Bucket(b.period(), start, b.scope(), value)));
        return new BudgetState(b, value, label(b.scope(), value), spent, projected, level, start, end, until,
                fromOthers);
    }

    private String label(Budget.Scope scope, String value) {
        return switch (scope) {
            case ALL -> "all callers";
            case KEY -> value.isEmpty() ? "each key" : "key …" + keyHints.getOrDefault(value, "????");
            case PROJECT -> value.isEmpty() ? "each project" : "project " + value;
        };
    }

    private void prune(Instant now, ZoneId zone) {
        Instant day = start(Budget.Period.DAY, now, zone);
        Instant month = start(Budget.Period.MONTH, now, zone);
        spend.keySet().removeIf(b -> b.start().isBefore(b.period() == Budget.Period.DAY ? day : month));
    }

    static Instant start(Budget.Period period, Instant at, ZoneId zone) {
        LocalDate date = at.atZone(zone).toLocalDate();
        if (period == Budget.Period.MONTH) {
            date = date.withDayOfMonth(1);
        }
        return date.atStartOfDay(zone).toInstant();
    }

    static Instant end(Budget.Period period, Instant start, ZoneId zone) {
        ZonedDateTime s = start.atZone(zone);
        LocalDate next = period == Budget.Period.DAY ? s.toLocalDate().plusDays(1) : s.toLocalDate().plusMonths(1);
        return next.atStartOfDay(zone).toInstant();
    }
}
