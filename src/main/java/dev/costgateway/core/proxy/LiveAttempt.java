package dev.costgateway.core.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.AnthropicErrors;
import dev.costgateway.core.api.SseEventParser;
import dev.costgateway.core.api.StreamAccumulator;
import dev.costgateway.core.api.Usage;

/**
 * A live stream: upstream bytes are written to the client as they arrive (demand-driven, one chunk in flight) and
 * observed for usage on the way. A non-200 answer is held whole and handed back as a buffered answer; a stream
 * that breaks after it started ends with an SSE {@code error} event, as the API itself does.
 */
final class LiveAttempt {

    private final AttemptListener listener;
    private final RequestLedger ledger;
    private final Responder responder;
    private final String trigger;
    private final long attemptStart;
    private final ClientCloseWatch watch;
    private final String upstreamName;
    private final long timeoutSeconds;
    private final StreamAccumulator accumulator = new StreamAccumulator();
    private final SseEventParser parser = new SseEventParser(accumulator);
    private boolean completeReported;
    private Content.Source source;
    private boolean headersSent;
    private int upstreamStatus;
    private HttpFields upstreamHeaders;
    private ByteArrayOutputStream errorBody;

    LiveAttempt(AttemptListener listener, RequestLedger ledger, Responder responder, String trigger,
                long attemptStart, ClientCloseWatch watch, String upstreamName, long timeoutSeconds) {
        this.listener = listener;
        this.ledger = ledger;
        this.responder = responder;
        this.trigger = trigger;
        this.attemptStart = attemptStart;
        this.watch = watch;
        this.upstreamName = upstreamName;
        this.timeoutSeconds = timeoutSeconds;
    }

    void send(Request proxyToServerRequest) {
        proxyToServerRequest
                .onResponseHeaders(r -> {
                    watch.stop(); // from here on, writes to the client notice its hanging up
                    upstreamStatus = r.getStatus();
                    upstreamHeaders = r.getHeaders();
                })
                .onResponseContentSource((r, contentSource) -> {
                    source = contentSource;
                    pump();
                })
                .send(result -> {
                    if (result.isFailed() && source == null) {
                        watch.stop();
                        // failed before any content (connect error, timeout before headers)
                        listener.failedBeforeResponse(trigger, attemptStart, result.getFailure());
                    }
                });
    }

    private void pump() {
        while (true) {
            if (listener.isFinished()) {
                return;
            }
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this::pump);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                upstreamBroke(chunk.getFailure());
                return;
            }
            if (upstreamStatus != 200) {
                if (collectError(chunk)) {
                    continue;
                }
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            parser.feed(bytes);
            if (!completeReported && accumulator.complete()) {
                completeReported = true; // before this chunk's write: store first, then let the client see the end
                listener.streamComplete(accumulator.message(), accumulator.usage());
            }
            if (!headersSent) {
                headersSent = true;
                // only the input side of usage is known before the first byte; the exact figure is recorded
                responder.streamHead(upstreamStatus, upstreamHeaders,
                        ledger.liveSavings(accumulator.usage()));
            }
            boolean last = chunk.isLast();
            Chunked write = new Chunked(chunk, last);
            responder.write(last, bytes, write);
            if (!write.completedSynchronously()) {
                return; // pump resumes from the write callback
            }
            if (last) {
                return;
            }
        }
    }

    /** Write callback that releases the chunk and resumes the pump. */
    private final class Chunked implements Callback {
        private final Content.Chunk chunk;
        private final boolean last;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicBoolean returned = new AtomicBoolean();

        Chunked(Content.Chunk chunk, boolean last) {
            this.chunk = chunk;
            this.last = last;
        }

        boolean completedSynchronously() {
            // if the callback already ran, keep pumping in this loop; else let the callback resume
            return !returned.compareAndSet(false, true);
        }

        @Override
        public void succeeded() {
            chunk.release();
            if (last) {
                completed();
                return;
            }
            if (!returned.compareAndSet(false, true)) {
                pump();
            }
        }

        @Override
        public void failed(Throwable x) {
            chunk.release();
            if (done.compareAndSet(false, true)) {
                listener.clientGone(x);
            }
        }
    }

    private boolean collectError(Content.Chunk chunk) {
        if (errorBody == null) {
            errorBody = new ByteArrayOutputStream();
        }
        ByteBuffer b = chunk.getByteBuffer().slice();
        byte[] part = new byte[b.remaining()];
        b.get(part);
        errorBody.write(part, 0, part.length);
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
            listener.answered(trigger, attemptStart,
                    new UpstreamAnswer(upstreamStatus, upstreamHeaders, errorBody.toByteArray(), null, Usage.ZERO));
            return false;
        }
        return true;
    }

    private void upstreamBroke(Throwable failure) {
        if (listener.isFinished()) {
            return;
        }
        if (!headersSent && upstreamStatus == 200 && !responder.isCommitted()) {
            listener.failedBeforeResponse(trigger, attemptStart, failure);
            return;
        }
        boolean timeout = UpstreamFailures.isTimeout(failure);
        String type = timeout ? AnthropicErrors.TIMEOUT : AnthropicErrors.API_ERROR;
        String message = timeout
                ? upstreamName + " stopped sending for " + timeoutSeconds + " s"
                : upstreamName + " closed the stream: " + UpstreamFailures.describe(failure);
        listener.streamBroke(trigger, attemptStart, upstreamStatus, accumulator.usage(), type,
                AnthropicErrors.sseEvent(type, message));
    }

    private void completed() {
        JsonNode message = accumulator.complete() ? accumulator.message() : null;
        String errorType = accumulator.error() == null ? null : accumulator.error().path("type").asText(null);
        listener.streamEnded(trigger, attemptStart, upstreamStatus, accumulator.usage(), message, errorType);
    }
}
