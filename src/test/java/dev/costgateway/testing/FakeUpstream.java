package dev.costgateway.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An in-process Anthropic API for tests: answers with exact Messages JSON and SSE bytes (per
 * shared/anthropic-api-notes.md), records every request it receives, and can be slow, fail, or drop a stream.
 * Scripted per test with {@link #enqueue}; without a script it answers a plain text message.
 */
public final class FakeUpstream implements AutoCloseable {

    /** What the fake received, byte for byte. */
    public record Received(String method, String pathQuery, HttpFields headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One scripted answer. */
    public interface Answer {
        void respond(Request request, byte[] body, Response response, Callback callback, ScheduledExecutorService timer);
    }

    private final Server server;
    private final ServerConnector connector;
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "fake-upstream-timer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger cancelledStreams = new AtomicInteger();
    private volatile Answer fallback = text("Paris is the capital of France.", "end_turn");

    public FakeUpstream() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(600, 4);
        pool.setName("fake-upstream");
        server = new Server(pool);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteArrayAsync(request, 64 * 1024 * 1024).whenComplete((body, failure) -> {
                    if (failure != null) {
                        callback.failed(failure);
                        return;
                    }
                    received.add(new Received(request.getMethod(), request.getHttpURI().getPathQuery(),
                            HttpFields.build(request.getHeaders()).asImmutable(), body));
                    Answer a = script.poll();
                    (a != null ? a : fallback).respond(request, body, response, callback, timer);
                });
                return true;
            }
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public FakeUpstream enqueue(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    public void setFallback(Answer answer) {
        fallback = answer;
    }

    public List<Received> received() {
        return received;
    }

    public Received last() {
        return received.get(received.size() - 1);
    }

    public int openStreams() {
        return openStreams.get();
    }

    /** Streams that ended because the gateway hung up on them. */
    public int cancelledStreams() {
        return cancelledStreams.get();
    }

    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        server.stop();
    }

    // ---- canned answers ----

    public static String messageJson(String id, String model, String text, String stopReason, int in, int out) {
        return "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\","
                + "\"content\":[{\"type\":\"text\",\"text\":" + quote(text) + "}],"
                + "\"stop_reason\":\"" + stopReason + "\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":" + in + ",\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,"
                + "\"ephemeral_1h_input_tokens\":0},\"output_tokens\":" + out + ",\"service_tier\":\"standard\"}}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** Rate-limit and id headers the real API sends on every response. */
    public static void standardHeaders(HttpFields.Mutable h, String requestId) {
        h.put("request-id", requestId);
        h.put("anthropic-ratelimit-requests-limit", "4000");
        h.put("anthropic-ratelimit-requests-remaining", "3999");
        h.put("anthropic-ratelimit-requests-reset", "2026-12-01T20:00:00Z");
        h.put("anthropic-ratelimit-tokens-limit", "400000");
        h.put("anthropic-ratelimit-tokens-remaining", "399000");
        h.put("anthropic-ratelimit-tokens-reset", "2026-12-01T20:00:00Z");
        h.put("anthropic-organization-id", "00000000-0000-0000-0000-000000000000");
    }

    /** A JSON answer; the message's model echoes the request's model. */
    public static Answer text(String text, String stopReason) {
        return (req, body, resp, cb, timer) -> {
            String model = modelOf(body);
            json(200, messageJson("msg_01Fake" + System.nanoTime(), model, text, stopReason, 14, 9), Map.of())
                    .respond(req, body, resp, cb, timer);
        };
    }

    public static Answer json(int status, String body, Map<String, String> extraHeaders) {
        return (req, reqBody, resp, cb, timer) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            resp.setStatus(status);
            standardHeaders(resp.getHeaders(), "req_011Fake" + System.nanoTime());
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            extraHeaders.forEach(resp.getHeaders()::put);
            resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            resp.write(true, ByteBuffer.wrap(bytes), cb);
        };
    }

    public static Answer error(int status, String type, String message, Map<String, String> extraHeaders) {
        return json(status, "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + quote(message)
                + "},\"request_id\":\"req_011FakeErr\"}", extraHeaders);
    }

    /** The SSE events of a plain text answer, exact bytes, split into a few deltas, with a ping. */
    public static List<String> textEvents(String model, String text, String stopReason) {
        List<String> ev = new ArrayList<>();
        ev.add("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01FakeStream\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],"
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":14,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation\":"
                + "{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":2,"
                + "\"service_tier\":\"standard\"}}}\n\n");
        ev.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        ev.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        int step = Math.max(1, text.length() / 3);
        for (int i = 0; i < text.length(); i += step) {
            String part = text.substring(i, Math.min(text.length(), i + step));
            ev.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(part) + "}}\n\n");
        }
        ev.add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        ev.add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":14,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":9}}\n\n");
        ev.add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return ev;
    }

    /**
     * An SSE answer sending each event as its own write, {@code delayMillis} apart.
     *
     * @param dropAfter close the connection abruptly after this many events (-1 = never)
     */
    public Answer sse(List<String> events, long delayMillis, int dropAfter) {
        return (req, body, resp, cb, timer) -> {
            resp.setStatus(200);
            standardHeaders(resp.getHeaders(), "req_011FakeSse" + System.nanoTime());
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            openStreams.incrementAndGet();
            new Object() {
                void send(int i) {
                    if (i == dropAfter) {
                        openStreams.decrementAndGet();
                        req.getConnectionMetaData().getConnection().getEndPoint().close();
                        cb.failed(new IOException("dropped by test"));
                        return;
                    }
                    boolean last = i == events.size() - 1;
                    resp.write(last, ByteBuffer.wrap(events.get(i).getBytes(StandardCharsets.UTF_8)),
                            Callback.from(() -> {
                                if (last) {
                                    openStreams.decrementAndGet();
                                    cb.succeeded();
                                } else if (delayMillis > 0) {
                                    timer.schedule(() -> send(i + 1), delayMillis, TimeUnit.MILLISECONDS);
                                } else {
                                    send(i + 1);
                                }
                            }, x -> {
                                openStreams.decrementAndGet();
                                cancelledStreams.incrementAndGet();
                                cb.failed(x);
                            }));
                }
            }.send(0);
        };
    }

    /** Never answers (for timeouts); the exchange is released when the client gives up. */
    public static Answer hang() {
        return (req, body, resp, cb, timer) -> req.addFailureListener(cb::failed);
    }

    public static String modelOf(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        int i = s.indexOf("\"model\"");
        if (i < 0) {
            return "unknown";
        }
        int start = s.indexOf('"', s.indexOf(':', i) + 1) + 1;
        return s.substring(start, s.indexOf('"', start));
    }
}
