package dev.costgateway.bench.external;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import dev.costgateway.testing.FakeUpstream;

/**
 * The fake Anthropic upstream of the external benchmark, in its own process: answers {@code /v1/messages} with the
 * exact JSON or SSE bytes of {@link FakeUpstream} (a stream is written one event per write, as the API does), keeps
 * nothing it receives (a benchmark sends gigabytes), prints {@code LISTENING <port>} and runs until its standard input
 * closes, so it never outlives the benchmark that started it.
 */
public final class BenchUpstreamMain {

    private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.US_ASCII);

    private BenchUpstreamMain() {
    }

    public static void main(String[] args) throws Exception {
        AtomicLong ids = new AtomicLong();
        QueuedThreadPool pool = new QueuedThreadPool(400, 4);
        pool.setName("bench-upstream");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration()));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteArrayAsync(request, 64 * 1024 * 1024).whenComplete((body, failure) -> {
                    if (failure != null) {
                        callback.failed(failure);
                        return;
                    }
                    String model = FakeUpstream.modelOf(body);
                    String id = "req_011Bench" + ids.incrementAndGet();
                    FakeUpstream.standardHeaders(response.getHeaders(), id);
                    response.setStatus(200);
                    if (indexOf(body, STREAM_TRUE) >= 0) {
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                        writeEvents(response, FakeUpstream.textEvents(model, "Paris is the capital of France.",
                                "end_turn"), 0, callback);
                    } else {
                        byte[] json = FakeUpstream.messageJson("msg_01Bench" + ids.get(), model,
                                "Paris is the capital of France.", "end_turn", 14, 9).getBytes(StandardCharsets.UTF_8);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
                        response.write(true, ByteBuffer.wrap(json), callback);
                    }
                });
                return true;
            }
        });
        server.start();
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();
        try (InputStream in = System.in) {
            while (in.read() >= 0) {
                // the parent keeps our standard input open for as long as it wants us
            }
        }
        server.stop();
    }

    private static void writeEvents(Response response, List<String> events, int i, Callback done) {
        boolean last = i == events.size() - 1;
        response.write(last, ByteBuffer.wrap(events.get(i).getBytes(StandardCharsets.UTF_8)),
                Callback.from(() -> {
                    if (last) {
                        done.succeeded();
                    } else {
                        writeEvents(response, events, i + 1, done);
                    }
                }, done::failed));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
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
