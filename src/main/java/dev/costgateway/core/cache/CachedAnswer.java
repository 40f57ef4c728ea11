package dev.costgateway.core.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import dev.costgateway.core.api.Usage;

/**
 * A stored answer.
 *
 * @param messageJson the complete non-streaming Message JSON (UTF-8) as the upstream answered it; never modify
 *                    the array
 * @param model       the model that actually answered (the tier model after routing)
 * @param usage       usage of the original answer: a hit saves the requested model's price for it
 * @param storedAt    when it was stored
 */
public record CachedAnswer(byte[] messageJson, String model, Usage usage, Instant storedAt) {

    private static final int FORMAT = 1;

    public CachedAnswer {
        Objects.requireNonNull(messageJson);
        Objects.requireNonNull(model);
        Objects.requireNonNull(usage);
        Objects.requireNonNull(storedAt);
    }

    /** Compact binary form (for Redis and the semantic cache file). */
    byte[] toBytes() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(messageJson.length + 96);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT);
            out.writeUTF(model);
            out.writeLong(storedAt.toEpochMilli());
            out.writeLong(usage.inputTokens());
            out.writeLong(usage.outputTokens());
            out.writeLong(usage.cacheCreationInputTokens());
            out.writeLong(usage.cacheCreation5mTokens());
            out.writeLong(usage.cacheCreation1hTokens());
            out.writeLong(usage.cacheReadInputTokens());
            out.writeInt(messageJson.length);
            out.write(messageJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** @throws IOException when {@code bytes} is not a complete {@link #toBytes()} result */
    static CachedAnswer fromBytes(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("unknown cached answer format " + format);
            }
            String model = in.readUTF();
            Instant storedAt = Instant.ofEpochMilli(in.readLong());
            Usage usage = new Usage(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong());
            int length = in.readInt();
            if (length < 0 || length > bytes.length) {
                throw new IOException("corrupt cached answer length " + length);
            }
            byte[] message = in.readNBytes(length);
            if (message.length != length) {
                throw new IOException("truncated cached answer");
            }
            return new CachedAnswer(message, model, usage, storedAt);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CachedAnswer other && Arrays.equals(messageJson, other.messageJson)
                && model.equals(other.model) && usage.equals(other.usage) && storedAt.equals(other.storedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(messageJson), model, usage, storedAt);
    }

    @Override
    public String toString() {
        return "CachedAnswer[" + messageJson.length + " bytes, model=" + model + ", usage=" + usage + ", storedAt="
                + storedAt + "]";
    }
}
