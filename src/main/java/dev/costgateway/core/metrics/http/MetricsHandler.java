package dev.costgateway.core.metrics.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;

import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.metrics.CsvReport;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;
import dev.costgateway.core.session.CacheHealth;

/**
 * The metrics endpoints, for the gateway's Jetty server. Answers (and returns true for) {@code GET} on
 * {@code /v1/metrics}, {@code /v1/metrics/recent}, {@code /v1/metrics/instances}, {@code /metrics}, {@code /dashboard},
 * {@code /v1/reports/costs.csv}, {@code /v1/sessions} and {@code /v1/sessions/{id}}; returns false for everything else
 * so the next handler takes it.
 *
 * <p>Query parameters: {@code from}/{@code to} are an ISO date ({@code 2025-03-10}, UTC; as {@code to} the whole
 * day is included, as in the CSV report) or an ISO instant ({@code 2025-03-10T12:00:00Z}, {@code to} exclusive).
 * {@code /v1/metrics?bucket=PT1H} (needs {@code from}, at least one minute, at most {@value #MAX_BUCKETS}
 * buckets) adds a {@code timeline}. {@code instance=} (as {@code /v1/metrics/instances} lists it) narrows
 * {@code /v1/metrics}, {@code /v1/metrics/recent}, {@code /v1/sessions} and the CSV report to one gateway of a team.
 * Bad parameters get 400 in the Anthropic error shape; a failing store 500.
 *
 * <p>Queries run on the request thread and block on the database for a few milliseconds. Thread-safe.
 */
public final class MetricsHandler extends Handler.Abstract {

    static final int MAX_RECENT = 1000;
    static final int MAX_BUCKETS = 2000;
    static final int MAX_SESSIONS = 1000;
    static final int MAX_SESSION_REQUESTS = 10_000;
    /** The width of {@code requests.instance} (V5). */
    static final int MAX_INSTANCE_CHARS = 200;
    private static final String SESSION_PATH = "/v1/sessions/";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);
    private static final String JSON = "application/json";
    private static final String NONCE_PLACEHOLDER = "__CSP_NONCE__";

    private final MetricsQueries queries;
    private final Supplier<CacheHealth.Prices> prices;
    private final LongSupplier droppedRecords;
    private final InstantSource clock;
    private final String dashboardHtml;
    private final SecureRandom random = new SecureRandom();

    public MetricsHandler(MetricsQueries queries, LongSupplier droppedRecords) {
        this(queries, droppedRecords, InstantSource.system());
    }

    /** @param clock "now" for {@code bucket} ranges without {@code to} */
    public MetricsHandler(MetricsQueries queries, LongSupplier droppedRecords, InstantSource clock) {
        this(queries, droppedRecords, clock, null);
    }

    /** @param prices the live prices, for what a session's prompt-cache problems cost; null prices them at 0 */
    public MetricsHandler(MetricsQueries queries, LongSupplier droppedRecords, InstantSource clock,
            Supplier<CacheHealth.Prices> prices) {
        this.prices = prices == null ? () -> new CacheHealth.Prices(m -> java.util.OptionalDouble.empty(), 0, 0, 0)
                : prices;
        this.queries = queries;
        this.droppedRecords = droppedRecords;
        this.clock = clock;
        this.dashboardHtml = resource("dashboard.html");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        String path = Request.getPathInContext(request);
        try {
            switch (path) {
                case "/v1/metrics" -> metrics(request, response, callback);
                case "/v1/metrics/recent" -> recent(request, response, callback);
                case "/v1/metrics/instances" -> instances(request, response, callback);
                case "/metrics" -> send(response, callback, 200, PrometheusText.CONTENT_TYPE,
                        PrometheusText.render(queries.counters(null, null), queries.latencyHistogram(null, null),
                                droppedRecords.getAsLong()));
                case "/dashboard" -> dashboard(response, callback);
                case "/v1/reports/costs.csv" -> costsCsv(request, response, callback);
                case "/v1/sessions" -> sessions(request, response, callback);
                default -> {
                    if (!path.startsWith(SESSION_PATH)) {
                        return false;
                    }
                    session(path.substring(SESSION_PATH.length()), request, response, callback);
                }
            }
        } catch (BadRequest e) {
            sendJson(response, callback, 400, MetricsJson.error("invalid_request_error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("metrics endpoint {} failed", path, e);
            sendJson(response, callback, 500, MetricsJson.error("api_error", "metrics are unavailable right now"));
        }
        return true;
    }

    private void metrics(Request request, Response response, Callback callback) {
        Fields params = Request.extractQueryParameters(request);
        MetricsQueries queries = scoped(params);
        Instant from = instant(params, "from", false);
        Instant to = instant(params, "to", true);
        checkOrder(from, to);
        List<TimelinePoint> timeline = null;
        String bucketParam = params.getValue("bucket");
        if (bucketParam != null) {
            Duration bucket = bucket(bucketParam, from, to);
            timeline = queries.timeline(from, to, bucket);
        }
        sendJson(response, callback, 200,
                MetricsJson.summary(queries.summary(from, to), from, to, droppedRecords.getAsLong(), timeline));
    }

    private void instances(Request request, Response response, Callback callback) {
        Fields params = Request.extractQueryParameters(request);
        Instant from = instant(params, "from", false);
        Instant to = instant(params, "to", true);
        checkOrder(from, to);
        sendJson(response, callback, 200, MetricsJson.instances(queries.instances(from, to), from, to));
    }

    private void recent(Request request, Response response, Callback callback) {
        Fields params = Request.extractQueryParameters(request);
        MetricsQueries queries = scoped(params);
        String n = params.getValue("n");
        int count = 50;
        if (n != null) {
            try {
                count = Integer.parseInt(n.strip());
            } catch (NumberFormatException e) {
                throw new BadRequest("n must be an integer from 1 to " + MAX_RECENT);
            }
            if (count < 1 || count > MAX_RECENT) {
                throw new BadRequest("n must be an integer from 1 to " + MAX_RECENT);
            }
        }
        sendJson(response, callback, 200,
                MetricsJson.recent(queries.requests(MetricsQueries.RequestQuery.latest(count))));
    }

    private void sessions(Request request, Response response, Callback callback) {
        Fields params = Request.extractQueryParameters(request);
        MetricsQueries queries = scoped(params);
        Instant from = instant(params, "from", false);
        Instant to = instant(params, "to", true);
        checkOrder(from, to);
        int n = count(params.getValue("n"), 50, MAX_SESSIONS);
        String project = params.getValue("project");
        project = project == null || project.isBlank() ? null : project.strip(); // "project=" as no filter
        sendJson(response, callback, 200, MetricsJson.sessions(
                queries.sessions(new MetricsQueries.SessionQuery(from, to, project, n)), from, to));
    }

    private void session(String id, Request request, Response response, Callback callback) {
        if (id.isEmpty() || id.length() > 128 || id.indexOf('/') >= 0) {
            throw new BadRequest("session id must be 1 to 128 characters: /v1/sessions/{id}");
        }
        int n = count(Request.extractQueryParameters(request).getValue("n"), MAX_SESSION_REQUESTS,
                MAX_SESSION_REQUESTS);
        List<dev.costgateway.core.metrics.RequestRecord> records = queries.sessionRequests(id, n);
        if (records.isEmpty()) {
            sendJson(response, callback, 404, MetricsJson.error("not_found_error", "no session with that id"));
            return;
        }
        List<CacheHealth.Warning> warnings = CacheHealth.check(
                records.stream().map(dev.costgateway.core.metrics.RequestRecord::cacheTurn).toList(), prices.get());
        sendJson(response, callback, 200, MetricsJson.session(id, records, warnings));
    }

    /**
     * The queries narrowed to {@code instance=} (one gateway of a team, as {@code /v1/metrics/instances} lists it);
     * absent or blank: every instance.
     */
    private MetricsQueries scoped(Fields params) {
        String instance = params.getValue("instance");
        if (instance == null || instance.isBlank()) {
            return queries;
        }
        String v = instance.strip();
        if (v.length() > MAX_INSTANCE_CHARS || v.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequest("instance must be a gateway instance as /v1/metrics/instances lists it (at most "
                    + MAX_INSTANCE_CHARS + " characters, no control characters)");
        }
        return queries.forInstance(v);
    }

    /** An optional count parameter from 1 to max. */
    private static int count(String value, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("n must be an integer from 1 to " + max);
    }

    private void costsCsv(Request request, Response response, Callback callback) {
        Fields params = Request.extractQueryParameters(request);
        MetricsQueries queries = scoped(params);
        LocalDate from = date(params, "from");
        LocalDate to = date(params, "to");
        if (from != null && to != null && from.isAfter(to)) {
            throw new BadRequest("from must not be after to");
        }
        String group = params.getValue("group");
        ReportGrouping grouping;
        try {
            grouping = group == null ? ReportGrouping.DAY : ReportGrouping.valueOf(group.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("group must be one of day, model, tier, request, session, project");
        }
        String csv = CsvReport.toCsv(queries.report(from, to, grouping), grouping);
        String file = "costs_" + (from == null ? "start" : from) + "_" + (to == null ? "now" : to) + "_"
                + grouping.name().toLowerCase(Locale.ROOT) + ".csv";
        response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"");
        send(response, callback, 200, "text/csv; charset=utf-8", csv);
    }

    private void dashboard(Response response, Callback callback) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String nonce = Base64.getEncoder().encodeToString(bytes);
        response.getHeaders().put("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce
                + "'; style-src 'nonce-" + nonce + "'; connect-src 'self'; img-src 'self' data:; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        send(response, callback, 200, "text/html; charset=utf-8", dashboardHtml.replace(NONCE_PLACEHOLDER, nonce));
    }

    private Duration bucket(String value, Instant from, Instant to) {
        Duration bucket;
        try {
            bucket = Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new BadRequest("bucket must be an ISO-8601 duration such as PT1M, PT1H or P1D");
        }
        if (bucket.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new BadRequest("bucket must be at least PT1M");
        }
        if (from == null) {
            throw new BadRequest("bucket needs from");
        }
        Instant end = to == null ? clock.instant() : to;
        if (Duration.between(from, end).dividedBy(bucket) > MAX_BUCKETS) {
            throw new BadRequest("at most " + MAX_BUCKETS + " buckets: use a wider bucket or a shorter range");
        }
        return bucket;
    }

    private static Instant instant(Fields params, String name, boolean upperBound) {
        try {
            return RangeParams.instant(params, name, upperBound);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static LocalDate date(Fields params, String name) {
        String v = params.getValue(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(v.strip());
        } catch (DateTimeParseException e) {
            throw new BadRequest(name + " must be a date as YYYY-MM-DD");
        }
    }

    private static void checkOrder(Instant from, Instant to) {
        if (from != null && to != null && from.isAfter(to)) {
            throw new BadRequest("from must not be after to");
        }
    }

    private static void sendJson(Response response, Callback callback, int status, JsonNode body) {
        try {
            send(response, callback, status, JSON, MetricsJson.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    private static void send(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String resource(String name) {
        try (InputStream in = MetricsHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A parameter problem, answered with 400. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
