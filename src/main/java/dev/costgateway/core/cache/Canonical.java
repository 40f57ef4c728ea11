package dev.costgateway.core.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Canonical form of the parts of a Messages request that change the answer: object keys sorted, no whitespace,
 * numbers in their shortest decimal form ({@code 1.0} = {@code 1}), nulls dropped, and a string {@code content} or
 * {@code system} written as the one text block it stands for. Two requests the API treats alike hash alike.
 */
final class Canonical {

    /** Request fields that are part of every key (besides model, routing mode and scope). */
    static final List<String> ANSWER_FIELDS = List.of("system", "tools", "tool_choice", "thinking", "temperature",
            "top_p", "top_k", "stop_sequences", "max_tokens");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int KEY_FORMAT = 2;

    private Canonical() {
    }

    /**
     * The key material of a request whose conversation is {@code messages} (the whole list for the exact cache,
     * all but the last turn for the semantic cache's group).
     */
    static ObjectNode keyMaterial(ObjectNode body, JsonNode messages, String scopeHash, String routingMode,
            String kind) {
        ObjectNode k = NODES.objectNode();
        k.put("format", KEY_FORMAT);
        k.put("kind", kind);
        k.put("scope", scopeHash == null ? "" : scopeHash);
        k.put("routing_mode", routingMode == null ? "" : routingMode);
        k.set("model", body.get("model"));
        for (String field : ANSWER_FIELDS) {
            JsonNode value = body.get(field);
            k.set(field, "system".equals(field) ? asBlocks(value) : value);
        }
        k.set("messages", normaliseMessages(messages));
        return k;
    }

    /**
     * SHA-256 of the canonical form, fed to the digest as a tagged, length-prefixed encoding of the tree (not its
     * JSON text): writing an 88 KB agent request back out as escaped JSON cost more than every other step of the
     * proxy on it, while a string's UTF-8 bytes are one intrinsic away. Same equalities as the JSON form (key
     * order, whitespace, number spelling, nulls); {@link #KEY_FORMAT} 2 keeps these keys apart from the old ones.
     */
    static String sha256Hex(JsonNode node) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
        Feed feed = new Feed(digest);
        digestTree(feed, node);
        feed.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void digestTree(Feed d, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                d.put((byte) '{');
                List<String> names = new ArrayList<>(node.size());
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(null);
                for (String name : names) {
                    JsonNode child = node.get(name);
                    if (child == null || child.isNull() || child.isMissingNode()) {
                        continue;
                    }
                    d.tagged((byte) 'k', name.getBytes(StandardCharsets.UTF_8));
                    digestTree(d, child);
                }
                d.put((byte) '}');
            }
            case ARRAY -> {
                d.put((byte) '[');
                for (JsonNode child : node) {
                    digestTree(d, child);
                }
                d.put((byte) ']');
            }
            case NUMBER -> d.tagged((byte) 'n', normalisedNumber(node).getBytes(StandardCharsets.US_ASCII));
            case STRING -> d.tagged((byte) 's', node.textValue().getBytes(StandardCharsets.UTF_8));
            case BOOLEAN -> d.put((byte) (node.booleanValue() ? 't' : 'f'));
            case BINARY -> {
                try {
                    d.tagged((byte) 'b', node.binaryValue());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> d.put((byte) 'z');
        }
    }

    /**
     * Feeds the digest through an 8 KB staging buffer: a tree of thousands of nodes made as many tiny
     * {@code MessageDigest.update} calls, each with its own checks and copies, which cost more than hashing the
     * bytes. The byte sequence, hence every key, is unchanged.
     */
    private static final class Feed {
        private final MessageDigest digest;
        private final byte[] buffer = new byte[8192];
        private int used;

        Feed(MessageDigest digest) {
            this.digest = digest;
        }

        void put(byte b) {
            if (used == buffer.length) {
                flush();
            }
            buffer[used++] = b;
        }

        /** A tag, the length (4 bytes, big-endian), the bytes: no two different trees feed the same sequence. */
        void tagged(byte tag, byte[] bytes) {
            if (used + 5 > buffer.length) {
                flush();
            }
            int n = bytes.length;
            buffer[used++] = tag;
            buffer[used++] = (byte) (n >>> 24);
            buffer[used++] = (byte) (n >>> 16);
            buffer[used++] = (byte) (n >>> 8);
            buffer[used++] = (byte) n;
            if (n > buffer.length - used) {
                flush();
                if (n > buffer.length) {
                    digest.update(bytes);
                    return;
                }
            }
            System.arraycopy(bytes, 0, buffer, used, n);
            used += n;
        }

        void flush() {
            if (used > 0) {
                digest.update(buffer, 0, used);
                used = 0;
            }
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode normaliseMessages(JsonNode messages) {
        if (messages == null || !messages.isArray()) {
            return messages;
        }
        ArrayNode out = NODES.arrayNode(messages.size());
        for (JsonNode m : messages) {
            if (m.isObject() && m.has("content")) {
                ObjectNode copy = ((ObjectNode) m).deepCopy();
                copy.set("content", asBlocks(m.get("content")));
                out.add(copy);
            } else {
                out.add(m);
            }
        }
        return out;
    }

    /** A plain string stands for one text block: write both the same way. */
    private static JsonNode asBlocks(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return value;
        }
        ArrayNode blocks = NODES.arrayNode(1);
        blocks.addObject().put("type", "text").put("text", value.asText());
        return blocks;
    }

    static String normalisedNumber(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.bigIntegerValue().toString();
        }
        BigDecimal d = number.decimalValue().stripTrailingZeros();
        return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
}
