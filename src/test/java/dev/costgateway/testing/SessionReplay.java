package dev.costgateway.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;


/**
 * Sends generated session turns through a gateway in order, moving the shared test clock over each turn's idle
 * time first (no sleeping), and checks that every turn was answered.
 */
public final class SessionReplay {

    private SessionReplay() {
    }

    /** What one replayed turn got back. */
    public record Result(ClaudeCodeSessions.Turn turn, int status, String queryId, String body) {
    }

    public static List<Result> replay(GatewayHarness h, ManualClock clock, List<ClaudeCodeSessions.Turn> turns)
            throws Exception {
        List<Result> out = new ArrayList<>();
        for (ClaudeCodeSessions.Turn t : turns) {
            clock.advance(t.idleBefore());
            HttpResponse<byte[]> r = h.post("/v1/messages?beta=true", t.body(), t.headerArray());
            String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            if (r.statusCode() != 200) {
                throw new AssertionError("turn " + t.index() + " of " + t.sessionId() + " got " + r.statusCode()
                        + ": " + body);
            }
            out.add(new Result(t, r.statusCode(), r.headers().firstValue("X-Gateway-Query-ID").orElse(null), body));
            clock.advance(java.time.Duration.ofSeconds(2)); // the answer took a moment
        }
        // a record is queued just after the response's last byte: wait (bounded) until every turn is on the books
        for (Result r : out) {
            h.recorded(r.queryId());
        }
        return out;
    }
}
