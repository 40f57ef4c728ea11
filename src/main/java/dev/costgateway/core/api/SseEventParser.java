package dev.costgateway.core.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Incremental Server-Sent Events parser (WHATWG rules: {@code \n}, {@code \r\n} or {@code \r} line ends,
 * {@code :} comments, several {@code data:} lines joined by {@code \n}). It only observes: the proxy forwards
 * the original bytes and feeds a read-only view of them here. Not thread-safe; one per stream.
 */
public final class SseEventParser {

    /** Receives each complete event. {@code event} is "message" when the event had no {@code event:} line. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String event, String data);
    }

    private final Listener listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private String eventName;
    private boolean hasData;
    private boolean lastWasCr;

    public SseEventParser(Listener listener) {
        this.listener = listener;
    }

    public void feed(ByteBuffer bytes) {
        ByteBuffer view = bytes.slice();
        while (view.hasRemaining()) {
            byte b = view.get();
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false;
                    continue;
                }
                endLine();
            } else if (b == '\r') {
                lastWasCr = true;
                endLine();
            } else {
                lastWasCr = false;
                line.write(b);
            }
        }
    }

    public void feed(byte[] bytes) {
        feed(ByteBuffer.wrap(bytes));
    }

    private void endLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("event")) {
            eventName = value;
        } else if (field.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }

    private void dispatch() {
        if (hasData) {
            listener.onEvent(eventName == null ? "message" : eventName, data.toString());
        }
        data.setLength(0);
        hasData = false;
        eventName = null;
    }
}
