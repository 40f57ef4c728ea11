package dev.costgateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.Gateway;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.testing.FakeUpstream;

/**
 * Issue 18.5: {@code kill -9} of a gateway (child JVM, {@code Launcher.main}) under 200 requests/s. Afterwards
 * the data folder opens (H2 intact, folder lock released), {@code /health} reports that the previous run was
 * killed and where its stored records end, and only the tail the writer had not written yet is missing: every
 * request answered more than {@link MetricsStore#MAX_UNWRITTEN_MILLIS} (plus a margin for a loaded machine)
 * before the kill is in the database. Prints the figure: {@code HARDKILL rate=... answered=... lost=...}.
 *
 * <p>Run it alone for the README figure: {@code mvn -B test -Dtest=HardKillIT -Dhardkill.runs=5}.
 */
class HardKillIT {

    private static final int RATE_PER_SECOND = 200;
    private static final long LOAD_BEFORE_KILL_MILLIS = 3000;
    /** Scheduling delays of a 2-core machine shared with builds (load average 20+): added to the writer's bound. */
    private static final long MARGIN_MILLIS = 2000;
    /** Enough answers for the check to mean something, even when a loaded machine answers far below the rate. */
    private static final int MIN_ANSWERED = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aHardKillUnderLoadLosesOnlyTheUnwrittenTailAndTheStoreOpensIntact(@TempDir Path dir) throws Exception {
        int runs = Integer.getInteger("hardkill.runs", 1);
        List<Integer> losses = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            losses.add(killOnce(dir.resolve("run-" + run)));
        }
        System.out.println("HARDKILL runs=" + runs + " rate=" + RATE_PER_SECOND + "/s lost=" + losses);
    }

    private int killOnce(Path dir) throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            Path data = dir.resolve("data");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.yaml"), "routing:\n  mode: off\ncache:\n  enabled: false\n");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "--headless",
                    "--port", "0", "--config", dir.resolve("config.yaml").toString(), "--data-dir", data.toString(),
                    "--upstream", upstream.baseUrl())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
            pb.environment().put("OPT_OUT_TRACKING", "true");
            Process child = pb.start();
            String url;
            try {
                url = LauncherProcessIT.awaitListening(child, dir.resolve("out.log"));
            } catch (AssertionError | Exception e) {
                child.destroyForcibly();
                throw e;
            }

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            // steady state first: the model loaded (it takes a core for seconds) and the request path warm
            long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (LauncherProcessIT.get(url + "/health").body().contains("\"embedder\":\"loading\"")
                    && System.nanoTime() < ready) {
                Thread.sleep(100);
            }
            for (int i = 0; i < 100; i++) {
                http.send(HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .header("content-type", "application/json").header("x-api-key", "sk-ant-hardkill")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":"
                                + "16,\"messages\":[{\"role\":\"user\",\"content\":\"warm " + i + "\"}]}"))
                        .build(), HttpResponse.BodyHandlers.discarding());
            }
            Map<String, Long> answeredAt = new ConcurrentHashMap<>(); // query id -> nanoTime the answer arrived
            AtomicInteger sent = new AtomicInteger();
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            long periodMicros = 1_000_000L / RATE_PER_SECOND;
            pacer.scheduleAtFixedRate(() -> {
                int n = sent.incrementAndGet();
                HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .timeout(Duration.ofSeconds(10))
                        .header("content-type", "application/json").header("x-api-key", "sk-ant-hardkill")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":"
                                + "16,\"messages\":[{\"role\":\"user\",\"content\":\"request " + n + "\"}]}",
                                StandardCharsets.UTF_8)).build();
                http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).thenAccept(resp -> {
                    long now = System.nanoTime();
                    if (resp.statusCode() != 200 && sent.get() < 5) {
                        System.out.println("HARDKILL unexpected " + resp.statusCode() + " " + resp.body());
                    }
                    if (resp.statusCode() == 200) {
                        resp.headers().firstValue("X-Gateway-Query-ID").ifPresent(id -> answeredAt.put(id, now));
                    }
                });
            }, 0, periodMicros, TimeUnit.MICROSECONDS);

            Thread.sleep(LOAD_BEFORE_KILL_MILLIS + (long) (Math.random() * 250));
            long killedAt = System.nanoTime();
            child.destroyForcibly(); // SIGKILL: no hook, no flush
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            pacer.shutdownNow();
            pacer.awaitTermination(5, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - killedAt + TimeUnit.MILLISECONDS.toNanos(LOAD_BEFORE_KILL_MILLIS))
                    / 1e9;

            // restart on the same folder: it opens (lock released by the OS, H2 intact) and tells what happened
            Path config2 = dir.resolve("restart.yaml");
            Files.writeString(config2, "server:\n  port: 0\n");
            try (Gateway again = Gateway.open(new Gateway.Options(config2, data, null, null, "http://127.0.0.1:9",
                    () -> null, null).withoutEmbedder())) {
                again.start();
                List<String> lostIds = new ArrayList<>();
                List<String> lostOld = new ArrayList<>();
                long bound = TimeUnit.MILLISECONDS.toNanos(MetricsStore.MAX_UNWRITTEN_MILLIS + MARGIN_MILLIS);
                for (Map.Entry<String, Long> e : answeredAt.entrySet()) {
                    if (again.metrics().request(e.getKey()).isEmpty()) {
                        lostIds.add(e.getKey());
                        if (killedAt - e.getValue() > bound) {
                            lostOld.add(e.getKey() + " answered " + (killedAt - e.getValue()) / 1_000_000
                                    + " ms before the kill");
                        }
                    }
                }
                System.out.printf("HARDKILL rate=%d/s sent=%d answered=%d stored=%d lost=%d (%.1f s of load)%n",
                        RATE_PER_SECOND, sent.get(), answeredAt.size(), answeredAt.size() - lostIds.size(),
                        lostIds.size(), seconds);
                assertThat(answeredAt.size()).as("the load really ran").isGreaterThanOrEqualTo(MIN_ANSWERED);
                assertThat(lostOld).as("records older than the writer's bound are never lost").isEmpty();

                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(again.url() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode previous = JSON.readTree(health.body()).path("previous_run");
                assertThat(previous.path("stopped_cleanly").asBoolean(true)).isFalse();
                assertThat(previous.path("holder").asText()).contains("pid " + child.pid());
                assertThat(previous.path("last_record").asText()).isNotEmpty();
                assertThat(previous.path("lost_tail").asText()).contains("killed");
                return lostIds.size();
            }
        }
    }
}
