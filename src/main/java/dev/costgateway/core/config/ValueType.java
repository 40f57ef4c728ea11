package dev.costgateway.core.config;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The type of one config key: how a value is read from its text (a YAML scalar or a form field), what range
 * or choices it allows, and how a value is written back as text. One instance checks both the file and the
 * settings form, so both refuse the same values in the same words. Immutable.
 *
 * @param <T> the Java type the value has in {@link GatewayConfig}
 */
public final class ValueType<T> {

    /** How a value is held and edited; the settings form picks its input from this. */
    public enum Kind { TEXT, SECRET, INTEGER, DECIMAL, BOOLEAN, CHOICE, LIST, PRICES, BUDGETS }

    /** A value read from text, or why it was refused (then {@code value} is null). */
    public record Parsed<T>(T value, String problem) {
        static <T> Parsed<T> ok(T value) {
            return new Parsed<>(value, null);
        }

        static <T> Parsed<T> refused(String problem) {
            return new Parsed<>(null, problem);
        }

        public boolean isOk() {
            return problem == null;
        }
    }

    private final Kind kind;
    private final String range;
    private final List<String> choices;
    private final Function<String, Parsed<T>> parser;
    private final Function<T, String> writer;

    private ValueType(Kind kind, String range, List<String> choices, Function<String, Parsed<T>> parser,
                      Function<T, String> writer) {
        this.kind = kind;
        this.range = range;
        this.choices = List.copyOf(choices);
        this.parser = parser;
        this.writer = writer;
    }

    // ---- the types ----

    /** Free text; {@code check} returns a complaint or null. */
    public static ValueType<String> text(Function<String, String> check) {
        return new ValueType<>(Kind.TEXT, "", List.of(), v -> checked(v, check), s -> s);
    }

    /** Text never shown in clear (tokens, keys). */
    public static ValueType<String> secret() {
        return secretText(v -> null);
    }

    /**
     * Text that may carry a credential (a connection URL with a password in it): never shown in clear, checked like
     * {@link #text}; {@code check} must not quote the value back in its complaint.
     */
    public static ValueType<String> secretText(Function<String, String> check) {
        return new ValueType<>(Kind.SECRET, "", List.of(), v -> checked(v, check), s -> s);
    }

    public static ValueType<Integer> integer(long min, long max) {
        long hi = Math.min(max, Integer.MAX_VALUE);
        return new ValueType<>(Kind.INTEGER, min + "–" + hi, List.of(),
                v -> whole(v, min, hi, n -> (int) n), String::valueOf);
    }

    public static ValueType<Long> longInteger(long min, long max) {
        return new ValueType<>(Kind.INTEGER, min + "–" + max, List.of(), v -> whole(v, min, max, n -> n),
                String::valueOf);
    }

    /** A whole number of seconds, held as a {@link Duration}. */
    public static ValueType<Duration> seconds(long min, long max) {
        long hi = Math.min(max, Integer.MAX_VALUE);
        return new ValueType<>(Kind.INTEGER, min + "–" + hi, List.of(),
                v -> whole(v, min, hi, Duration::ofSeconds), d -> Long.toString(d.toSeconds()));
    }

    /** A whole number of milliseconds, held as a {@link Duration}. */
    public static ValueType<Duration> millis(long min, long max) {
        long hi = Math.min(max, Integer.MAX_VALUE);
        return new ValueType<>(Kind.INTEGER, min + "–" + hi, List.of(),
                v -> whole(v, min, hi, Duration::ofMillis), d -> Long.toString(d.toMillis()));
    }

    public static ValueType<Double> decimal(double min, double max) {
        return new ValueType<>(Kind.DECIMAL, fmt(min) + "–" + fmt(max), List.of(), v -> {
            try {
                double d = Double.parseDouble(v.trim());
                if (!(d >= min && d <= max)) {
                    return Parsed.refused("must be between " + fmt(min) + " and " + fmt(max) + ", not " + v);
                }
                return Parsed.ok(d);
            } catch (NumberFormatException e) {
                return Parsed.refused("must be a number, not '" + v + "'");
            }
        }, d -> String.valueOf(d));
    }

    /**
     * A number that may be left unset: an empty value ({@code key:}, {@code key: ""}, {@code null}, {@code ~}) is
     * {@link java.util.Optional#empty()}, and is written back as empty.
     */
    public static ValueType<java.util.Optional<Double>> optionalDecimal(double min, double max) {
        ValueType<Double> number = decimal(min, max);
        return new ValueType<>(Kind.DECIMAL, number.range() + " or empty", List.of(), v -> {
            String t = v.trim();
            if (t.isEmpty() || t.equals("null") || t.equals("~")) {
                return Parsed.ok(java.util.Optional.empty());
            }
            Parsed<Double> p = number.parse(v);
            return p.isOk() ? Parsed.ok(java.util.Optional.of(p.value())) : Parsed.refused(p.problem());
        }, o -> o.map(String::valueOf).orElse(""));
    }

    public static ValueType<Boolean> bool() {
        return new ValueType<>(Kind.BOOLEAN, "", List.of("true", "false"), v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Parsed.ok(true);
            case "false", "no", "off" -> Parsed.ok(false);
            default -> Parsed.refused("must be true or false, not '" + v + "'");
        }, String::valueOf);
    }

    /** One of an enum's constants, written in lower case. */
    public static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
        E[] constants = type.getEnumConstants();
        List<String> names = new ArrayList<>();
        for (E c : constants) {
            names.add(c.name().toLowerCase(Locale.ROOT));
        }
        return new ValueType<>(Kind.CHOICE, "", names, v -> {
            for (E c : constants) {
                if (c.name().equalsIgnoreCase(v.trim())) {
                    return Parsed.ok(c);
                }
            }
            return Parsed.refused("must be one of " + String.join(", ", names) + ", not '" + v + "'");
        }, e -> e.name().toLowerCase(Locale.ROOT));
    }

    /** An http(s) URL; a trailing slash is dropped. */
    public static ValueType<URI> httpUrl() {
        return new ValueType<>(Kind.TEXT, "", List.of(), v -> {
            String complaint = checkHttpUrl(v);
            if (complaint != null) {
                return Parsed.refused(complaint);
            }
            return Parsed.ok(URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v));
        }, URI::toString);
    }

    /** A list of non-empty texts. */
    public static ValueType<List<String>> list() {
        return new ValueType<>(Kind.LIST, "", List.of(), null, l -> String.join(", ", l));
    }

    /** Model ids mapped to list prices (USD per million tokens). */
    public static ValueType<Map<String, GatewayConfig.ModelPrice>> prices() {
        return new ValueType<>(Kind.PRICES, "", List.of(), null, m -> m.size() + " models");
    }

    /** The {@code budgets:} list: one mapping per budget (name, period, limit_usd, scope, warn_at_percent, action). */
    public static ValueType<List<dev.costgateway.core.budget.Budget>> budgets() {
        return new ValueType<>(Kind.BUDGETS, "", List.of(), null, l -> l.isEmpty() ? "[]" : l.size() + " budgets");
    }

    /** The fields of one budget, in the order the file and the form show them. */
    public static final List<String> BUDGET_FIELDS = List.of("name", "period", "limit_usd", "scope",
            "warn_at_percent", "action");

    /** One budget read from its fields' texts, or the first field that is wrong and why. */
    public record BudgetParse(dev.costgateway.core.budget.Budget budget, String field, String problem) {
    }

    /**
     * One budget from the texts of its fields (the file's scalars or the form's cells): name, period and
     * limit_usd are required; scope (all), warn_at_percent (80) and action (warn) have defaults.
     */
    public static BudgetParse parseBudget(Map<String, String> fields) {
        String name = fields.get("name");
        if (name == null || name.isBlank()) {
            return new BudgetParse(null, "name", name == null ? "missing" : "must not be empty");
        }
        String period = fields.get("period");
        if (period == null) {
            return new BudgetParse(null, "period", "missing (day or month)");
        }
        if (!period.equals("day") && !period.equals("month")) {
            return new BudgetParse(null, "period", "must be day or month, not '" + period + "'");
        }
        String limitText = fields.get("limit_usd");
        if (limitText == null) {
            return new BudgetParse(null, "limit_usd", "missing (USD)");
        }
        double limit;
        try {
            limit = Double.parseDouble(limitText.trim());
        } catch (NumberFormatException e) {
            limit = Double.NaN;
        }
        if (!(limit > 0) || Double.isInfinite(limit)) {
            return new BudgetParse(null, "limit_usd", "must be an amount in USD above 0, not '" + limitText + "'");
        }
        String scope = fields.getOrDefault("scope", "all");
        if (!List.of("all", "key", "project").contains(scope)) {
            return new BudgetParse(null, "scope", "must be all, key or project, not '" + scope + "'");
        }
        String warnText = fields.getOrDefault("warn_at_percent",
                Integer.toString(dev.costgateway.core.budget.Budget.DEFAULT_WARN_AT_PERCENT));
        int warn;
        try {
            warn = Integer.parseInt(warnText.trim());
        } catch (NumberFormatException e) {
            warn = -1;
        }
        if (warn < 1 || warn > 100) {
            return new BudgetParse(null, "warn_at_percent", "must be a whole number from 1 to 100, not '"
                    + warnText + "'");
        }
        String action = fields.getOrDefault("action", "warn");
        if (!action.equals("warn") && !action.equals("block")) {
            return new BudgetParse(null, "action", "must be warn or block, not '" + action + "'");
        }
        return new BudgetParse(new dev.costgateway.core.budget.Budget(name,
                dev.costgateway.core.budget.Budget.Period.valueOf(period.toUpperCase(Locale.ROOT)), limit,
                dev.costgateway.core.budget.Budget.Scope.valueOf(scope.toUpperCase(Locale.ROOT)), warn,
                dev.costgateway.core.budget.Budget.Action.valueOf(action.toUpperCase(Locale.ROOT))), null, null);
    }

    /** A time zone id such as {@code Europe/Berlin}, or empty for the system's zone. */
    public static ValueType<String> timeZone() {
        return text(s -> {
            if (s.isEmpty()) {
                return null;
            }
            try {
                java.time.ZoneId.of(s);
                return null;
            } catch (java.time.DateTimeException e) {
                return "not a time zone id (e.g. Europe/Berlin, America/New_York, UTC): '" + s + "'";
            }
        });
    }

    // ---- use ----

    public Kind kind() {
        return kind;
    }

    /** The allowed range for numbers ({@code 0–65535}), else empty. */
    public String range() {
        return range;
    }

    /** The allowed values of a choice (and {@code true}, {@code false} for a boolean), else empty. */
    public List<String> choices() {
        return choices;
    }

    /** Reads a scalar's text (not for {@link Kind#LIST} or {@link Kind#PRICES}). */
    public Parsed<T> parse(String text) {
        if (parser == null) {
            throw new UnsupportedOperationException(kind + " is not a single value");
        }
        return parser.apply(text);
    }

    /** Reads a list; the first empty entry is the problem. */
    @SuppressWarnings("unchecked")
    public Parsed<T> parseList(List<String> items) {
        if (kind != Kind.LIST) {
            throw new UnsupportedOperationException(kind + " is not a list");
        }
        for (String item : items) {
            String complaint = checkListEntry(item);
            if (complaint != null) {
                return Parsed.refused(complaint);
            }
        }
        return Parsed.ok((T) List.copyOf(items));
    }

    /** The value as the file and the form write it (for a list: entries joined with commas). */
    public String write(T value) {
        return writer.apply(value);
    }

    // ---- shared checks ----

    static String checkListEntry(String item) {
        return item == null || item.isBlank() ? "entries must not be empty" : null;
    }

    /** A list price in USD per million tokens, as the {@code models} table holds it. */
    public static Parsed<Double> parsePrice(String text) {
        try {
            double d = Double.parseDouble(text);
            if (d >= 0 && d < 1e6) {
                return Parsed.ok(d);
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        return Parsed.refused("must be a price in USD per million tokens (0 or more), not '" + text + "'");
    }

    /** A price as written in the file: {@code 5.0} as {@code 5}, never in exponent notation. */
    public static String writePrice(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static Parsed<String> checked(String v, Function<String, String> check) {
        String complaint = check.apply(v);
        return complaint == null ? Parsed.ok(v) : Parsed.refused(complaint);
    }

    private static <T> Parsed<T> whole(String v, long min, long max, java.util.function.LongFunction<T> wrap) {
        try {
            long n = Long.parseLong(v.replace("_", "").trim());
            if (n < min || n > max) {
                return Parsed.refused("must be between " + min + " and " + max + ", not " + n);
            }
            return Parsed.ok(wrap.apply(n));
        } catch (NumberFormatException e) {
            return Parsed.refused("must be a whole number, not '" + v + "'");
        }
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * The complaint for a value {@link URI#create} refused. Not {@code e.getMessage()}: it quotes the whole input,
     * and a URL may carry a password in its user info.
     */
    private static String notAUrl(IllegalArgumentException e) {
        return "not a valid URL: " + (e.getCause() instanceof java.net.URISyntaxException syntax
                ? syntax.getReason() + " at index " + syntax.getIndex() : "malformed");
    }

    static String checkHttpUrl(String v) {
        try {
            URI u = URI.create(v.trim());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                return "must be an http:// or https:// URL";
            }
            if (u.getHost() == null) {
                return "must name a host";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return notAUrl(e);
        }
    }

    /** The metrics store speaks H2 and PostgreSQL; the message never repeats the URL (it may hold a password). */
    static String checkJdbcUrl(String v) {
        String url = v.strip().toLowerCase(java.util.Locale.ROOT);
        return url.isEmpty() || url.startsWith("jdbc:h2:") || url.startsWith("jdbc:postgresql:") ? null
                : "must be empty (the H2 file in the data folder), jdbc:h2:... or jdbc:postgresql://HOST:PORT/DB";
    }

    static String checkTeamViewJdbcUrl(String v) {
        String url = v.strip().toLowerCase(java.util.Locale.ROOT);
        return url.isEmpty() || url.startsWith("jdbc:postgresql:") ? null
                : "must be empty (no team view) or jdbc:postgresql://HOST:PORT/DB of the team's shared metrics";
    }

    static String checkRedisUrl(String v) {
        if (v.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(v.trim());
            if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
                return "must be a redis:// or rediss:// URL (or empty)";
            }
            return u.getHost() == null ? "must name a host" : null;
        } catch (IllegalArgumentException e) {
            return notAUrl(e);
        }
    }
}
