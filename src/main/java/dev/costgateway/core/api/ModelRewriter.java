package dev.costgateway.core.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Replaces the value of the top-level {@code "model"} field in a JSON request body, changing no other byte:
 * field order, whitespace, unknown fields, thinking signatures and cache prefixes stay exactly as the client
 * sent them. Thread-safe.
 */
public final class ModelRewriter {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ModelRewriter() {
    }

    /** The body with its top-level model value replaced; the input when there is no top-level string model. */
    public static byte[] replaceModel(byte[] body, String newModel) {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return body;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
                    long start = p.currentTokenLocation().getByteOffset();
                    p.getText();
                    p.finishToken();
                    long end = p.currentLocation().getByteOffset();
                    byte[] replacement = quoted(newModel);
                    byte[] out = new byte[(int) (body.length - (end - start) + replacement.length)];
                    System.arraycopy(body, 0, out, 0, (int) start);
                    System.arraycopy(replacement, 0, out, (int) start, replacement.length);
                    System.arraycopy(body, (int) end, out, (int) start + replacement.length, (int) (body.length - end));
                    return out;
                }
                p.skipChildren();
            }
            return body;
        } catch (IOException e) {
            return body;
        }
    }

    private static byte[] quoted(String s) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }
}
