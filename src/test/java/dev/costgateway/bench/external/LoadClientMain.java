package dev.costgateway.bench.external;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The load client of the external benchmark, in its own process (so it does not share a JVM, a GC or a thread pool
 * with the gateway or the upstream). Targets are interleaved request by request (latency) or block by block
 * (throughput), so a slow moment of the machine falls on every target alike. Every request body is made unique by
 * replacing {@code @@N@@} in the template (or {@code @@W@@}, with an id of letters only), so no cache can answer it.
 *
 * <p>Usage: {@code latency BODY_FILE N WARMUP name=url...} or {@code throughput BODY_FILE CONNS BLOCK_MS BLOCKS
 * name=url...}. Prints one line per target: {@code RESULT name key=value ...} (milliseconds, requests/s).
 */
public final class LoadClientMain {

    private static final String NONCE = Long.toString(System.nanoTime(), 36);

    private LoadClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        byte[] template = Files.readAllBytes(Path.of(args[1]));
        String text = new String(template, StandardCharsets.UTF_8);
        int at = text.indexOf("@@N@@");
        boolean letters = at < 0;
        if (letters) {
            at = text.indexOf("@@W@@"); // a unique id of letters only: the prompt carries no number
        }
        if (at < 0) {
            throw new IllegalArgumentException("body template has no @@N@@ or @@W@@ placeholder");
        }
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = text.substring(at + 5).getBytes(StandardCharsets.UTF_8);
        boolean stream = text.contains("\"stream\":true");
        Map<String, String> targets = new LinkedHashMap<>();
        for (int i = mode.equals("latency") ? 4 : 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            targets.put(kv[0], kv[1] + "/v1/messages");
        }
        QueuedThreadPool pool = new QueuedThreadPool(128);
        pool.setName("bench-client");
        HttpClient client = new HttpClient();
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(256);
        client.setMaxRequestsQueuedPerDestination(100_000);
        client.start();
        Bodies bodies = new Bodies(head, tail, letters);
        try {
            if (mode.equals("latency")) {
                latency(client, targets, bodies, stream, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            } else {
                throughput(client, targets, bodies, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]));
            }
        } finally {
            client.stop();
        }
    }

    record Bodies(byte[] head, byte[] tail, boolean letters) {
        private static final AtomicLong COUNTER = new AtomicLong();
        private static final long START = System.nanoTime();

        byte[] next() {
            long n = COUNTER.incrementAndGet();
            String text = letters ? lettersOf(START) + " " + lettersOf(n) : NONCE + "-" + n;
            byte[] id = text.getBytes(StandardCharsets.US_ASCII);
            byte[] b = Arrays.copyOf(head, head.length + id.length + tail.length);
            System.arraycopy(id, 0, b, head.length, id.length);
            System.arraycopy(tail, 0, b, head.length + id.length, tail.length);
            return b;
        }
    }

    /** {@code n} in base 26 with the letters a-z. */
    static String lettersOf(long n) {
        StringBuilder b = new StringBuilder();
        long v = Math.abs(n);
        do {
            b.append((char) ('a' + v % 26));
            v /= 26;
        } while (v > 0);
        return b.toString();
    }

    static Request post(HttpClient c, String url, byte[] body) {
        return c.newRequest(url).method("POST").timeout(30, TimeUnit.SECONDS)
                .headers(h -> h.put("x-api-key", "sk-ant-bench-key").put("anthropic-version", "2023-06-01")
                        .put("content-type", "application/json"))
                .body(new BytesRequestContent("application/json", body));
    }

    /** Sequential requests, one in flight, rotating through the targets; total and time to first body byte. */
    static void latency(HttpClient c, Map<String, String> targets, Bodies bodies, boolean stream, int n, int warmup)
            throws Exception {
        List<String> names = new ArrayList<>(targets.keySet());
        Map<String, long[]> total = new LinkedHashMap<>();
        Map<String, long[]> first = new LinkedHashMap<>();
        Map<String, Integer> errors = new LinkedHashMap<>();
        for (String name : names) {
            total.put(name, new long[n]);
            first.put(name, new long[n]);
            errors.put(name, 0);
        }
        byte[] buf = new byte[16 * 1024];
        for (int i = -warmup; i < n; i++) {
            for (int k = 0; k < names.size(); k++) {
                // rotate the order so no target is always first after an idle moment
                String name = names.get(Math.floorMod(i + k, names.size()));
                byte[] body = bodies.next();
                long t0 = System.nanoTime();
                InputStreamResponseListener listener = new InputStreamResponseListener();
                post(c, targets.get(name), body).send(listener);
                Response response = listener.get(30, TimeUnit.SECONDS);
                long tFirst = 0;
                boolean ok = response.getStatus() == 200;
                String lastChunk = "";
                try (InputStream in = listener.getInputStream()) {
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        if (tFirst == 0 && r > 0) {
                            tFirst = System.nanoTime();
                        }
                        if (r > 0) {
                            lastChunk = new String(buf, Math.max(0, r - 64), Math.min(r, 64), StandardCharsets.UTF_8);
                        }
                    }
                }
                long t1 = System.nanoTime();
                if (stream && !lastChunk.contains("message_stop")) {
                    ok = false;
                }
                if (i >= 0) {
                    total.get(name)[i] = t1 - t0;
                    first.get(name)[i] = tFirst - t0;
                    if (!ok) {
                        errors.merge(name, 1, Integer::sum);
                    }
                }
            }
        }
        for (String name : names) {
            long[] t = total.get(name).clone();
            long[] f = first.get(name).clone();
            Arrays.sort(t);
            Arrays.sort(f);
            System.out.println(String.format(Locale.ROOT,
                    "RESULT %s n=%d errors=%d p50=%.4f p90=%.4f p99=%.4f ttfb_p50=%.4f ttfb_p99=%.4f", name, n,
                    errors.get(name), ms(t, 0.50), ms(t, 0.90), ms(t, 0.99), ms(f, 0.50), ms(f, 0.99)));
        }
    }

    /** {@code conns} requests always in flight against one target per block, targets alternating by block. */
    static void throughput(HttpClient c, Map<String, String> targets, Bodies bodies, int conns, int blockMillis,
                           int blocks) throws Exception {
        List<String> names = new ArrayList<>(targets.keySet());
        Map<String, long[]> done = new LinkedHashMap<>(); // [requests, nanos, errors]
        for (String name : names) {
            done.put(name, new long[3]);
        }
        for (int b = 0; b < blocks * names.size(); b++) {
            String name = names.get(b % names.size());
            String url = targets.get(name);
            Semaphore inFlight = new Semaphore(conns);
            AtomicLong ok = new AtomicLong();
            AtomicLong bad = new AtomicLong();
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.MILLISECONDS.toNanos(blockMillis);
            while (System.nanoTime() < end) {
                if (!inFlight.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                post(c, url, bodies.next()).send(result -> {
                    if (result.isSucceeded() && result.getResponse().getStatus() == 200) {
                        ok.incrementAndGet();
                    } else {
                        bad.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
            inFlight.acquire(conns);
            long t1 = System.nanoTime();
            if (b >= names.size()) { // the first round of blocks warms every target up
                long[] d = done.get(name);
                d[0] += ok.get();
                d[1] += t1 - t0;
                d[2] += bad.get();
            }
        }
        for (String name : names) {
            long[] d = done.get(name);
            System.out.println(String.format(Locale.ROOT, "RESULT %s rps=%.1f errors=%d", name,
                    d[0] / (d[1] / 1e9), d[2]));
        }
    }

    static double ms(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[i] / 1e6;
    }
}
