package dev.costgateway.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.session.CacheHealth;

/**
 * A fake upstream's prompt cache, faithful to how the Messages API prices a cached conversation (see
 * shared/anthropic-api-notes.md §4.5 and shared/claude-code-traffic.md):
 * <ul>
 *   <li>one cache per model and caller key (the organisation);</li>
 *   <li>the prompt is a sequence of blocks in the API's order tools → system → message content blocks; a
 *       {@code cache_control} marker ends a cacheable prefix (at most 4 are honoured, as the API allows);</li>
 *   <li>a lookup finds the longest cached prefix ending at any block boundary up to the last breakpoint (the API
 *       looks back from each breakpoint, which is what lets a moving breakpoint hit last turn's prefix);</li>
 *   <li>every breakpoint past the hit whose prefix reaches the model's minimum cacheable length is written, the
 *       tokens between two breakpoints at the later one's TTL ({@code 5m} default, or {@code "ttl":"1h"});
 *       a shorter prefix is silently not cached;</li>
 *   <li>a read refreshes the entry's TTL; an entry older than its TTL is gone.</li>
 * </ul>
 * Tokens are counted deterministically as characters / 4 of each block's compact JSON without its
 * {@code cache_control} (so moving a marker does not change the prefix), rounded up. Time comes from the injected
 * clock, so a test can jump over idle gaps. Every answer is entered in a {@link #ledger()}. Thread-safe.
 */
public final class PromptCacheSimulator {

    /** Minimum cacheable prefix lengths used by default: the gateway's table (tests may set their own). */
    public static final Map<String, Long> DEFAULT_MINIMUMS = CacheHealth.MINIMUM_CACHEABLE_TOKENS;

    public static final int MAX_BREAKPOINTS = 4;
    public static final Duration TTL_5M = Duration.ofMinutes(5);
    public static final Duration TTL_1H = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the simulated API billed for one request. */
    public record Entry(Instant at, String key, String model, String sessionId, long inputTokens,
            long cacheWrite5mTokens, long cacheWrite1hTokens, long cacheReadTokens, long outputTokens) {

        public long cacheCreationTokens() {
            return cacheWrite5mTokens + cacheWrite1hTokens;
        }
    }

    private record CacheKey(String key, String model, String prefixHash) {
    }

    private record Cached(long tokens, Duration ttl, Instant expires) {
    }

    private final InstantSource clock;
    private final ToLongFunction<String> minimumTokens;
    private final Map<CacheKey, Cached> cache = new HashMap<>();
    private final List<Entry> ledger = new CopyOnWriteArrayList<>();

    /** @param minimumTokens the minimum cacheable prefix, in tokens, for a model id */
    public PromptCacheSimulator(InstantSource clock, ToLongFunction<String> minimumTokens) {
        this.clock = clock;
        this.minimumTokens = minimumTokens;
    }

    /** With {@link #DEFAULT_MINIMUMS} (by model prefix; 1024 for any other model). */
    public PromptCacheSimulator(InstantSource clock) {
        this(clock, PromptCacheSimulator::defaultMinimum);
    }

    public static long defaultMinimum(String model) {
        return CacheHealth.minimumTokens(model);
    }

    public List<Entry> ledger() {
        return List.copyOf(ledger);
    }

    /** Ledger entries of one session (by the {@code x-claude-code-session-id} the request carried). */
    public List<Entry> ledger(String sessionId) {
        return ledger.stream().filter(e -> sessionId.equals(e.sessionId())).toList();
    }

    /** Tokens of a text the way this simulator counts them. */
    public static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    /**
     * Bills one request: looks up and writes the cache, enters the result in the ledger and returns it.
     *
     * @param key       the caller's credential (cache scope)
     * @param sessionId the session header, for the ledger only (may be null)
     */
    public synchronized Entry bill(String key, String sessionId, JsonNode body, long outputTokens) {
        String model = body.path("model").asText();
        List<Block> blocks = blocks(body);
        Instant now = clock.instant();
        cache.values().removeIf(c -> !now.isBefore(c.expires()));

        long[] cumulative = new long[blocks.size() + 1];
        String[] prefixHash = new String[blocks.size() + 1];
        MessageDigest d = sha256();
        prefixHash[0] = "";
        for (int i = 0; i < blocks.size(); i++) {
            cumulative[i + 1] = cumulative[i] + blocks.get(i).tokens;
            d.update(blocks.get(i).canonical.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            prefixHash[i + 1] = HexFormat.of().formatHex(cloneDigest(d));
        }
        List<Integer> breakpointEnds = new ArrayList<>();
        for (int i = 0; i < blocks.size() && breakpointEnds.size() < MAX_BREAKPOINTS; i++) {
            if (blocks.get(i).ttl != null) {
                breakpointEnds.add(i + 1);
            }
        }
        long total = cumulative[blocks.size()];
        int hitEnd = 0;
        if (!breakpointEnds.isEmpty()) {
            int last = breakpointEnds.get(breakpointEnds.size() - 1);
            for (int end = last; end > 0; end--) {
                CacheKey k = new CacheKey(key, model, prefixHash[end]);
                Cached c = cache.get(k);
                if (c != null) {
                    hitEnd = end;
                    cache.put(k, new Cached(c.tokens(), c.ttl(), now.plus(c.ttl()))); // a read refreshes the TTL
                    break;
                }
            }
        }
        long read = cumulative[hitEnd];
        long write5m = 0;
        long write1h = 0;
        int writtenEnd = hitEnd;
        long minimum = minimumTokens.applyAsLong(model);
        for (int end : breakpointEnds) {
            if (end <= writtenEnd || cumulative[end] < minimum) {
                continue;
            }
            Duration ttl = blocks.get(end - 1).ttl;
            long tokens = cumulative[end] - cumulative[writtenEnd];
            if (ttl.equals(TTL_1H)) {
                write1h += tokens;
            } else {
                write5m += tokens;
            }
            cache.put(new CacheKey(key, model, prefixHash[end]), new Cached(cumulative[end], ttl, now.plus(ttl)));
            writtenEnd = end;
        }
        long input = total - cumulative[writtenEnd];
        Entry e = new Entry(now, key, model, sessionId, input, write5m, write1h, read, outputTokens);
        ledger.add(e);
        return e;
    }

    /**
     * A {@link FakeUpstream.Answer} that bills each request here and answers with {@code text} (JSON or SSE, as the
     * request asks), its usage split into input, cache writes by TTL and cache reads.
     */
    public FakeUpstream.Answer answer(String text) {
        return answer(body -> text);
    }

    /** Like {@link #answer(String)}, with the answer's text chosen per request (by its body). */
    public FakeUpstream.Answer answer(java.util.function.Function<JsonNode, String> textFor) {
        return (req, bodyBytes, resp, cb, timer) -> {
            JsonNode body;
            try {
                body = JSON.readTree(bodyBytes);
            } catch (java.io.IOException e) {
                FakeUpstream.error(400, "invalid_request_error", "bad json", Map.of())
                        .respond(req, bodyBytes, resp, cb, timer);
                return;
            }
            String key = req.getHeaders().get("x-api-key");
            if (key == null) {
                key = String.valueOf(req.getHeaders().get(HttpHeader.AUTHORIZATION));
            }
            String text = textFor.apply(body);
            Entry e = bill(key, req.getHeaders().get("x-claude-code-session-id"), body, tokens(text));
            String model = body.path("model").asText();
            String id = "msg_01Sim" + System.nanoTime();
            if (body.path("stream").asBoolean(false)) {
                resp.setStatus(200);
                FakeUpstream.standardHeaders(resp.getHeaders(), "req_011Sim" + System.nanoTime());
                resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                String sse = String.join("", events(id, model, text, e));
                resp.write(true, ByteBuffer.wrap(sse.getBytes(StandardCharsets.UTF_8)), cb);
            } else {
                FakeUpstream.json(200, messageJson(id, model, text, e), Map.of()).respond(req, bodyBytes, resp, cb,
                        timer);
            }
        };
    }

    static String usageJson(Entry e, long outputTokens) {
        return "{\"input_tokens\":" + e.inputTokens() + ",\"cache_creation_input_tokens\":" + e.cacheCreationTokens()
                + ",\"cache_read_input_tokens\":" + e.cacheReadTokens() + ",\"cache_creation\":{"
                + "\"ephemeral_5m_input_tokens\":" + e.cacheWrite5mTokens() + ",\"ephemeral_1h_input_tokens\":"
                + e.cacheWrite1hTokens() + "},\"output_tokens\":" + outputTokens + ",\"service_tier\":\"standard\"}";
    }

    static String messageJson(String id, String model, String text, Entry e) {
        return "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\","
                + "\"content\":[{\"type\":\"text\",\"text\":" + FakeUpstream.quote(text) + "}],"
                + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":" + usageJson(e, e.outputTokens())
                + "}";
    }

    /** The events of a streamed answer; {@code message_delta} repeats the input counts, as recent API versions do. */
    static List<String> events(String id, String model, String text, Entry e) {
        List<String> ev = new ArrayList<>();
        ev.add("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],"
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + usageJson(e, 1) + "}}\n\n");
        ev.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        ev.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        ev.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":" + FakeUpstream.quote(text) + "}}\n\n");
        ev.add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        ev.add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":" + e.inputTokens()
                + ",\"cache_creation_input_tokens\":" + e.cacheCreationTokens() + ",\"cache_read_input_tokens\":"
                + e.cacheReadTokens() + ",\"output_tokens\":" + e.outputTokens() + "}}\n\n");
        ev.add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return ev;
    }

    /** One block of the prompt in cache order, with its breakpoint TTL (null when it has no marker). */
    private record Block(String canonical, long tokens, Duration ttl) {
    }

    private static List<Block> blocks(JsonNode body) {
        List<Block> out = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) {
            out.add(block(tool));
        }
        JsonNode system = body.path("system");
        if (system.isTextual()) {
            out.add(new Block("system:" + system.textValue(), tokens(system.textValue()), null));
        } else {
            for (JsonNode b : system) {
                out.add(block(b));
            }
        }
        for (JsonNode m : body.path("messages")) {
            String role = m.path("role").asText();
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                out.add(new Block(role + ":" + content.textValue(), tokens(content.textValue()), null));
            } else {
                for (JsonNode b : content) {
                    Block plain = block(b);
                    out.add(new Block(role + ":" + plain.canonical, plain.tokens, plain.ttl));
                }
            }
        }
        return out;
    }

    private static Block block(JsonNode node) {
        Duration ttl = null;
        String canonical;
        if (node.isObject() && node.has("cache_control")) {
            ttl = "1h".equals(node.path("cache_control").path("ttl").asText()) ? TTL_1H : TTL_5M;
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            copy.remove("cache_control");
            canonical = copy.toString();
        } else {
            canonical = node.toString();
        }
        return new Block(canonical, tokens(canonical), ttl);
    }

    /** Totals of ledger entries, for comparisons. */
    public static Map<String, Long> totals(List<Entry> entries) {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("requests", (long) entries.size());
        t.put("input_tokens", entries.stream().mapToLong(Entry::inputTokens).sum());
        t.put("output_tokens", entries.stream().mapToLong(Entry::outputTokens).sum());
        t.put("cache_creation_tokens", entries.stream().mapToLong(Entry::cacheCreationTokens).sum());
        t.put("cache_read_tokens", entries.stream().mapToLong(Entry::cacheReadTokens).sum());
        return t;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] cloneDigest(MessageDigest d) {
        try {
            return ((MessageDigest) d.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
