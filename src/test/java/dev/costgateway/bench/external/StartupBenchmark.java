package dev.costgateway.bench.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time from launching {@code java -jar cost-gateway.jar --headless} to its {@code listening on} line, and on to
 * both local models' "ready" lines (the router's vectors, the semantic cache's model), as a user starting it from
 * a shell meets it: a new process each time, default configuration, once on a data folder that
 * does not exist yet (the database is created and migrated) and once on one a previous run left (the everyday
 * start). With {@code -Dbench.baseline.jar=PATH} another build is started in the same rounds, alternating with this
 * one, so both see the same machine. Every gateway is stopped with a signal and waited for, so the next start on
 * the same folder finds it closed cleanly. Medians with the min-max spread, printed and written to
 * {@code target/startup-bench.md}.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package && mvn -B -Pbench test -Dtest=StartupBenchmark}. Options:
 * {@code -Dbench.rounds=9}, {@code -Dbench.jar=target/cost-gateway.jar}, {@code -Dbench.baseline.jar=PATH} (a jar
 * beside its {@code lib/} folder, as the build leaves it).
 */
@Tag("bench")
class StartupBenchmark {

    /** The lines timed, in the order they are awaited: the listener, then each local model ready. */
    private static final Map<String, String> MILESTONES = Map.of(
            "listening", "listening on http://",
            "router vectors ready", "router vectors ready in",
            "embedding model ready", "embedding model ready in");
    private static final List<String> ORDER = List.of("listening", "router vectors ready", "embedding model ready");

    @Test
    void startToListening(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/cost-gateway.jar")).toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(jar),
                "no " + jar + ": build it first with mvn -B -q -DskipTests package");
        Map<String, Path> jars = new LinkedHashMap<>();
        jars.put("this build", jar);
        String baseline = System.getProperty("bench.baseline.jar", "");
        if (!baseline.isEmpty()) {
            jars.put("baseline", Path.of(baseline).toAbsolutePath());
        }
        int rounds = Integer.getInteger("bench.rounds", 9);

        Map<String, Map<String, List<Double>>> millis = new LinkedHashMap<>();
        Map<String, Path> existing = new LinkedHashMap<>();
        for (var j : jars.entrySet()) {
            // the folder the "existing" starts reuse: created (and migrated) by one start before the rounds
            Path d = dir.resolve("existing-" + existing.size());
            existing.put(j.getKey(), d);
            startAndStop(j.getValue(), d);
        }
        for (int round = 0; round < rounds; round++) {
            for (var j : jars.entrySet()) {
                Path fresh = dir.resolve("fresh-" + round + "-" + j.getKey().replace(' ', '-'));
                add(millis, j.getKey() + ", new data folder", startAndStop(j.getValue(), fresh));
            }
            for (var j : jars.entrySet()) {
                add(millis, j.getKey() + ", existing data folder", startAndStop(j.getValue(), existing.get(j.getKey())));
            }
        }

        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "from launch (`java -jar --headless`, defaults), ms; medians of %d [min–max]; load average %s%n%n"
                        + "| gateway, data folder | %s |%n|---|---|---|---|%n", rounds, loadAverage(),
                String.join(" | ", ORDER)));
        millis.forEach((k, v) -> {
            table.append("| ").append(k);
            ORDER.forEach(m -> table.append(" | ").append(ExternalProxyBenchmark.spread(v.get(m), 0)));
            table.append(" |\n");
        });
        System.out.println(table);
        Files.writeString(Path.of("target", "startup-bench.md"), table);
        assertThat(millis.values()).allSatisfy(v -> assertThat(v.get("listening")).hasSize(rounds));
    }

    private static void add(Map<String, Map<String, List<Double>>> into, String row, Map<String, Double> times) {
        times.forEach((m, ms) -> into.computeIfAbsent(row, k -> new LinkedHashMap<>())
                .computeIfAbsent(m, k -> new ArrayList<>()).add(ms));
    }

    /**
     * Starts the gateway on {@code dataDir}, returns the milliseconds from launch to each of its {@link #MILESTONES}
     * lines, stops it.
     */
    private static Map<String, Double> startAndStop(Path jar, Path dataDir) throws Exception {
        Files.createDirectories(dataDir);
        ProcessBuilder pb = ExternalProxyBenchmark.benchProcess(ExternalProxyBenchmark.javaCmd("-jar", jar.toString(),
                "--headless", "--port", "0", "--config", dataDir.resolve("config.yaml").toString(),
                "--data-dir", dataDir.resolve("data").toString(),
                // nothing listens on the discard port: no request is made, the gateway only needs a URL
                "--upstream", "http://127.0.0.1:9"));
        long started = System.nanoTime();
        Process p = pb.start();
        Map<String, CompletableFuture<Long>> seen = new LinkedHashMap<>();
        ORDER.forEach(m -> seen.put(m, new CompletableFuture<>()));
        List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    long now = System.nanoTime();
                    for (String m : ORDER) {
                        if (!seen.get(m).isDone() && line.contains(MILESTONES.get(m))) {
                            seen.get(m).complete(now);
                        }
                    }
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            seen.forEach((m, f) -> f.completeExceptionally(new AssertionError("the gateway ended before \"" + m
                    + "\": " + output)));
        }, "startup-bench-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            Map<String, Double> times = new LinkedHashMap<>();
            for (String m : ORDER) {
                times.put(m, (seen.get(m).get(60, TimeUnit.SECONDS) - started) / 1e6);
            }
            return times;
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
