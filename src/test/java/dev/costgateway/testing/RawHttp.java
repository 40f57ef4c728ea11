package dev.costgateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A client that writes HTTP/1.1 by hand, so tests control every byte and see every byte of the answer. */
public final class RawHttp {

    private RawHttp() {
    }

    /** A parsed response: status, header lines as sent, and the body with any chunked framing removed. */
    public record Response(int status, List<String> headerLines, byte[] body) {
        public String header(String name) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        public List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    values.add(line.substring(colon + 1).trim());
                }
            }
            return values;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends the bytes (the request should say {@code Connection: close}) and reads the answer to EOF. */
    public static Response exchange(int port, byte[] request, int timeoutMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return parse(s.getInputStream().readAllBytes());
        }
    }

    public static Response exchange(int port, String request, int timeoutMillis) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.UTF_8), timeoutMillis);
    }

    /** Parses one response (the first, after any 1xx interim responses). */
    public static Response parse(byte[] raw) throws IOException {
        return parse(raw, true);
    }

    private static Response parse(byte[] raw, boolean skipInterim) throws IOException {
        int offset = 0;
        while (true) {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), offset);
            if (end < 0) {
                throw new IOException("no complete response head in " + raw.length + " bytes: "
                        + new String(raw, StandardCharsets.ISO_8859_1));
            }
            String head = new String(raw, offset, end - offset, StandardCharsets.ISO_8859_1);
            List<String> lines = new ArrayList<>(Arrays.asList(head.split("\r\n")));
            int status = Integer.parseInt(lines.remove(0).split(" ")[1]);
            int bodyStart = end + 4;
            if (skipInterim && status >= 100 && status < 200) {
                offset = bodyStart;
                continue;
            }
            Response headOnly = new Response(status, lines, new byte[0]);
            String te = headOnly.header("Transfer-Encoding");
            byte[] rest = Arrays.copyOfRange(raw, bodyStart, raw.length);
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                return new Response(status, lines, dechunk(rest));
            }
            String cl = headOnly.header("Content-Length");
            if (cl != null && Integer.parseInt(cl) <= rest.length) {
                rest = Arrays.copyOf(rest, Integer.parseInt(cl));
            }
            return new Response(status, lines, rest);
        }
    }

    /** Reads one response head from a kept-alive connection, and its body when it has a Content-Length. */
    public static Response readOne(InputStream in, boolean headRequest) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] crlfcrlf = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(b);
            matched = b == crlfcrlf[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        Response r = parse(head.toByteArray(), false);
        String cl = r.header("Content-Length");
        if (headRequest || cl == null) {
            return r;
        }
        return new Response(r.status(), r.headerLines(), in.readNBytes(Integer.parseInt(cl)));
    }

    static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length) {
            int lineEnd = indexOf(raw, new byte[] {'\r', '\n'}, i);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(new String(raw, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0]
                    .trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(raw, lineEnd + 2, Math.min(size, raw.length - lineEnd - 2));
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
