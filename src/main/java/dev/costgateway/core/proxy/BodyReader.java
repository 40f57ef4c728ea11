package dev.costgateway.core.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;

import org.eclipse.jetty.io.Content;

/**
 * Reads a whole request body without blocking a thread, refusing it as soon as it exceeds a byte limit
 * (so an oversized upload is not buffered in full).
 */
final class BodyReader {

    interface Result {
        void body(byte[] bytes);

        void tooLarge(long limit);

        void failed(Throwable cause);
    }

    private final Content.Source source;
    private final long limit;
    private final Result result;
    private final ByteArrayOutputStream out;

    private BodyReader(Content.Source source, long limit, long expectedLength, Result result) {
        this.source = source;
        this.limit = limit;
        this.result = result;
        this.out = new ByteArrayOutputStream((int) Math.max(256, Math.min(expectedLength, 1 << 20)));
    }

    static void read(Content.Source source, long limit, long expectedLength, Result result) {
        new BodyReader(source, limit, expectedLength, result).loop();
    }

    private void loop() {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this::loop);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable cause = chunk.getFailure();
                result.failed(cause == null ? new EOFException("request body failed") : cause);
                return;
            }
            var buffer = chunk.getByteBuffer();
            int n = buffer.remaining();
            if (out.size() + (long) n > limit) {
                chunk.release();
                result.tooLarge(limit);
                return;
            }
            if (buffer.hasArray()) {
                out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
            } else {
                byte[] copy = new byte[n];
                buffer.get(copy);
                out.write(copy, 0, n);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                result.body(out.toByteArray());
                return;
            }
        }
    }
}
