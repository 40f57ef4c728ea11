package dev.costgateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A loopback upstream that speaks HTTP/1.1 by hand, for what a Jetty fake cannot do: exact response bytes
 * (gzip, chunk boundaries, header sizes), writes split at chosen byte offsets, and noticing when the gateway
 * closes the connection. One thread per connection; each connection serves one request then closes.
 */
public final class RawUpstream implements AutoCloseable {

    /** One request as received, with the connection to answer on. */
    public record Exchange(String head, byte[] body, Socket socket, InputStream in, OutputStream out) {
        /** The first header with this name (case-insensitive), or null. */
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        public String requestLine() {
            return head.substring(0, head.indexOf("\r\n"));
        }

        /** Writes and flushes one piece; the pause makes it its own TCP segment for the reader. */
        public void writePiece(byte[] piece, long pauseMillis) throws IOException, InterruptedException {
            out.write(piece);
            out.flush();
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
    }

    @FunctionalInterface
    public interface Script {
        void answer(Exchange exchange) throws Exception;
    }

    private final ServerSocket server;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final List<Exchange> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public RawUpstream() throws IOException {
        server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "raw-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public RawUpstream enqueue(Script script) {
        scripts.add(script);
        return this;
    }

    public List<Exchange> received() {
        return received;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            Exchange partial = new Exchange(head, new byte[0], s, in, s.getOutputStream());
            if ("100-continue".equalsIgnoreCase(partial.header("Expect"))) {
                s.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            byte[] body = readBody(in, partial);
            Exchange ex = new Exchange(head, body, s, in, s.getOutputStream());
            received.add(ex);
            Script script = scripts.poll();
            if (script == null) {
                ex.out().write(("HTTP/1.1 500 No Script\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            script.answer(ex);
            ex.out().flush();
        } catch (Exception e) {
            // the gateway hung up, or a script ended the connection on purpose
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readBody(InputStream in, Exchange ex) throws IOException {
        String te = ex.header("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        String cl = ex.header("Content-Length");
        return cl == null ? new byte[0] : in.readNBytes(Integer.parseInt(cl));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
