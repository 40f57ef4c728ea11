package dev.costgateway.core.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.api.SseEventParser;
import dev.costgateway.core.api.StreamAccumulator;
import dev.costgateway.core.api.Usage;

/**
 * A complete server-to-proxy response held in memory (non-streaming requests, held streams, error bodies), with
 * what the gateway reads from it. The client receives {@code content} unchanged.
 *
 * @param status  upstream HTTP status
 * @param headers upstream response headers
 * @param content the bytes as they came (possibly compressed)
 * @param message the complete Message, or null (not 200, unparseable, or a stream that ended in an error)
 * @param usage   the message's usage, {@link Usage#ZERO} when there is none
 */
record UpstreamAnswer(int status, HttpFields headers, byte[] content, JsonNode message, Usage usage) {

    /** Upper bound for a buffered (non-streaming or held) upstream answer, bytes. */
    static final int MAX_BUFFERED_RESPONSE = 256 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a buffered answer; {@code sse} when the request asked for a stream (the content is then SSE). */
    static UpstreamAnswer read(int status, HttpFields headers, byte[] content, boolean sse) {
        JsonNode message = null;
        Usage usage = Usage.ZERO;
        if (status == 200) {
            byte[] readable = decoded(headers, content);
            if (sse) {
                StreamAccumulator acc = new StreamAccumulator();
                new SseEventParser(acc).feed(readable);
                usage = acc.usage();
                // an errored stream is passed through as it came, never escalated
                message = acc.complete() ? acc.message() : null;
            } else {
                message = parseQuietly(readable);
                if (message != null) {
                    usage = Usage.fromJson(message.get("usage"));
                }
            }
        }
        return new UpstreamAnswer(status, headers, content, message, usage);
    }

    /** The Anthropic error type of a non-200 body, {@code upstream_error} when it has none; null for a 200. */
    String errorType() {
        if (status == 200) {
            return null;
        }
        JsonNode n = parseQuietly(decoded(headers, content));
        if (n != null && n.path("error").has("type")) {
            return n.path("error").path("type").asText();
        }
        return "upstream_error";
    }

    /**
     * The upstream content as the gateway reads it. It asks for {@code identity}, but an upstream (or a proxy in
     * between) may compress anyway: gzip and deflate are decoded for reading usage and the message, while the
     * client still receives the original bytes with their {@code Content-Encoding}. Undecodable content is
     * returned as is (it then simply does not parse).
     */
    static byte[] decoded(HttpFields headers, byte[] content) {
        String encoding = headers.get(HttpHeader.CONTENT_ENCODING);
        if (encoding == null || content.length == 0) {
            return content;
        }
        encoding = encoding.trim().toLowerCase(Locale.ROOT);
        boolean gzip = encoding.equals("gzip") || encoding.equals("x-gzip");
        if (!gzip && !encoding.equals("deflate")) {
            return content;
        }
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(content))
                : new InflaterInputStream(new ByteArrayInputStream(content))) {
            return in.readNBytes(MAX_BUFFERED_RESPONSE);
        } catch (IOException e) {
            return content;
        }
    }

    /** A JSON object, or null when the bytes are not one. */
    static JsonNode parseQuietly(byte[] content) {
        try {
            JsonNode n = JSON.readTree(content);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }
}
