package dev.costgateway.bench.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.testing.ClaudeCodeRequest;

/**
 * The proxy's overhead as a user meets it: the load client ({@link LoadClientMain}) and the fake upstream
 * ({@link BenchUpstreamMain}) each in their own JVM, the gateway started from the built jar ({@code java -jar}),
 * direct and through-gateway interleaved request by request in one run, small and 88 KB Claude Code-shaped bodies,
 * JSON and streaming, pass-through ({@code routing.mode: off}, caches off) and the default configuration. Every body
 * is unique, so no cache answers: this is the cost of a miss. Figures are medians over rounds with the min-max
 * spread; the table is printed and written to {@code target/external-bench.md}.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package && mvn -B -Pbench test -Dtest=ExternalProxyBenchmark}. Options:
 * {@code -Dbench.rounds=3}, {@code -Dbench.scale=1} (fewer requests per round below 1), {@code -Dbench.jar=target/cost-gateway.jar}, and {@code -Dbench.semanticOff=true} (adds the defaults with
 * {@code cache.use_semantic_cache: false}, so defaults minus it is the semantic cache's cost), {@code -Dbench.baseline.jar=PATH} to
 * add another build of the gateway (pass-through, or its defaults with {@code -Dbench.baseline.defaults=true}) as a
 * further target in the same interleaved run, for before/after comparisons of a change.
 */
@Tag("bench")
class ExternalProxyBenchmark {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
    private static final Pattern RESULT = Pattern.compile("RESULT (\\S+) (.*)");

    record Scenario(String name, String body, int n, int warmup) {
        Scenario {
            double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
            n = Math.max(20, (int) (n * scale));
            warmup = Math.max(5, (int) (warmup * scale));
        }
    }

    @Test
    void overheadFromAnOutsideClient(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/cost-gateway.jar")).toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(jar),
                "no " + jar + ": build it first with mvn -B -q -DskipTests package");
        String baselineJar = System.getProperty("bench.baseline.jar", "");
        int rounds = Integer.getInteger("bench.rounds", 3);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Process> processes = new ArrayList<>();
        try {
            Process upstream = start(processes, dir.resolve("upstream.log"), javaCmd("-Xmx512m", "-cp", cp,
                    BenchUpstreamMain.class.getName()));
            String upstreamUrl = "http://127.0.0.1:" + awaitLine(upstream, Pattern.compile("LISTENING (\\d+)"));

            Map<String, String> targets = new LinkedHashMap<>();
            targets.put("direct", upstreamUrl);
            targets.put("passthrough", gateway(processes, dir.resolve("pt"), jar.toString(), upstreamUrl, true));
            targets.put("defaults", gateway(processes, dir.resolve("def"), jar.toString(), upstreamUrl, false));
            if (Boolean.getBoolean("bench.semanticOff")) {
                // issue 12: what the semantic cache adds to a request nothing can hit = defaults minus this target
                targets.put("nosemantic", gateway(processes, dir.resolve("nosem"), jar.toString(), upstreamUrl,
                        "cache:\n  use_semantic_cache: false\n"));
            }
            if (!baselineJar.isBlank()) {
                // -Dbench.baseline.defaults=true: the other build with its defaults, for a change to the default path
                targets.put("baseline", gateway(processes, dir.resolve("base"), baselineJar, upstreamUrl,
                        !Boolean.getBoolean("bench.baseline.defaults")));
            }
            awaitEmbedder(targets.get("defaults"));
            if (targets.containsKey("baseline") && Boolean.getBoolean("bench.baseline.defaults")) {
                awaitEmbedder(targets.get("baseline"));
            }
            if (targets.containsKey("nosemantic")) {
                awaitEmbedder(targets.get("nosemantic"));
            }

            String small = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"What is the capital of France? (@@N@@)\"}]}";
            String smallStream = small.replace("\"max_tokens\":64,", "\"max_tokens\":64,\"stream\":true,");
            String cc = ClaudeCodeRequest.firstTurn("claude-sonnet-4-6", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                    "/home/dev/project", "Find where the retry count is read and explain it. (@@N@@)", false);
            String ccStream = ClaudeCodeRequest.firstTurn("claude-sonnet-4-6", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                    "/home/dev/project", "Find where the retry count is read and explain it. (@@N@@)", true);
            List<Scenario> scenarios = new ArrayList<>(List.of(
                    new Scenario("small JSON", small, 1500, 300),
                    new Scenario("small stream", smallStream, 1500, 300),
                    new Scenario("88 KB JSON", cc, 400, 80),
                    new Scenario("88 KB stream", ccStream, 400, 80)));
            if (Boolean.getBoolean("bench.semanticOff")) {
                // the id above carries digits, so no stored entry agrees on numbers and the lookup skips the
                // embedding (NearMissGuard.VetoKey); with letters only every lookup of the group must embed
                scenarios.add(1, new Scenario("small JSON, no digits", small.replace("@@N@@", "@@W@@"), 1500, 300));
            }

            Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>(); // scenario/target.key -> rounds
            for (int r = 0; r < rounds; r++) {
                for (Scenario s : scenarios) {
                    Path body = dir.resolve("body-" + s.name().replace(' ', '-') + ".json");
                    Files.writeString(body, s.body());
                    List<String> cmd = javaCmd("-Xmx512m", "-cp", cp, LoadClientMain.class.getName(), "latency",
                            body.toString(), Integer.toString(s.n()), Integer.toString(s.warmup()));
                    targets.forEach((name, url) -> cmd.add(name + "=" + url));
                    collect(results.computeIfAbsent(s.name(), k -> new LinkedHashMap<>()), runClient(cmd));
                }
                Path body = dir.resolve("body-tput.json");
                Files.writeString(body, small);
                List<String> cmd = javaCmd("-Xmx512m", "-cp", cp, LoadClientMain.class.getName(), "throughput",
                        body.toString(), "32", "2000", "3");
                targets.forEach((name, url) -> cmd.add(name + "=" + url));
                collect(results.computeIfAbsent("throughput", k -> new LinkedHashMap<>()), runClient(cmd));
            }
            String table = table(results, targets.keySet(), rounds);
            System.out.println(table);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "external-bench.md"), table);
            results.forEach((scenario, m) -> m.forEach((key, values) -> {
                if (key.endsWith(".errors")) {
                    assertThat(values).as(scenario + " " + key).allMatch(v -> v == 0.0);
                }
            }));
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static String gateway(List<Process> processes, Path dir, String jar, String upstream, boolean passThrough)
            throws Exception {
        return gateway(processes, dir, jar, upstream, passThrough
                ? "routing:\n  mode: \"off\"\ncache:\n  enabled: false\n  use_semantic_cache: false\n"
                : "# defaults\n");
    }

    private static String gateway(List<Process> processes, Path dir, String jar, String upstream, String yaml)
            throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, yaml);
        Process p = start(processes, dir.resolve("gateway.log"), javaCmd("-jar", jar, "--headless", "--port", "0",
                "--config", config.toString(), "--data-dir", dir.resolve("data").toString(), "--upstream", upstream));
        return awaitLine(p, LISTENING);
    }

    private static void awaitEmbedder(String gatewayUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String h = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (h.contains("\"embedder\":\"ready\"")) {
                return;
            }
            if (h.contains("\"embedder\":\"failed\"")) {
                throw new AssertionError("the embedder failed to load: " + h);
            }
            Thread.sleep(200); // waiting on another process, not on our own code
        }
        throw new AssertionError("the embedder did not load within 90 s");
    }

    /** {@code java} of this JVM, DJL offline, then {@code args}; for every process the benchmarks start. */
    static List<String> javaCmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A process of the benchmark, output and errors in one stream: DJL tracking off, and no real API key in its
     * environment (nothing it starts may reach Anthropic).
     */
    static ProcessBuilder benchProcess(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("ANTHROPIC_API_KEY");
        return pb;
    }

    private static Process start(List<Process> processes, Path log, List<String> cmd) throws IOException {
        Process p = benchProcess(cmd).start();
        processes.add(p);
        // a copy of the output for post-mortems; the first matching line is read by awaitLine
        Thread t = new Thread(() -> copy(p, log), "bench-log-" + log.getFileName());
        t.setDaemon(true);
        t.start();
        return p;
    }

    private static final Map<Process, List<String>> LINES = new java.util.concurrent.ConcurrentHashMap<>();

    private static void copy(Process p, Path log) {
        List<String> lines = LINES.computeIfAbsent(p, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(log)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static String awaitLine(Process p, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : LINES.getOrDefault(p, List.of())) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("process ended before printing " + pattern + ": "
                        + LINES.getOrDefault(p, List.of()));
            }
            Thread.sleep(50); // waiting on another process
        }
        throw new AssertionError("no " + pattern + " within 60 s: " + LINES.getOrDefault(p, List.of()));
    }

    private static List<String> runClient(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.add(line);
            }
        }
        assertThat(p.waitFor()).as("load client exit code, output " + out).isZero();
        return out;
    }

    private static void collect(Map<String, List<Double>> into, List<String> lines) {
        for (String line : lines) {
            Matcher m = RESULT.matcher(line);
            if (!m.matches()) {
                continue;
            }
            for (String kv : m.group(2).split(" ")) {
                String[] p = kv.split("=", 2);
                into.computeIfAbsent(m.group(1) + "." + p[0], k -> new ArrayList<>()).add(Double.parseDouble(p[1]));
            }
        }
    }

    private static String table(Map<String, Map<String, List<Double>>> results, Iterable<String> targetNames,
                                int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append("External benchmark, ").append(rounds).append(" rounds, ").append(Runtime.getRuntime()
                .availableProcessors()).append(" cores; median over rounds [min-max]; added = gateway - direct "
                + "in the same round\n\n");
        sb.append("| scenario | target | p50 ms | p99 ms | added p50 | added p99 | TTFB added p50 |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        results.forEach((scenario, m) -> {
            if (scenario.equals("throughput")) {
                return;
            }
            for (String t : targetNames) {
                if (!m.containsKey(t + ".p50")) {
                    continue;
                }
                boolean direct = t.equals("direct");
                sb.append("| ").append(scenario).append(" | ").append(t)
                        .append(" | ").append(spread(m.get(t + ".p50")))
                        .append(" | ").append(spread(m.get(t + ".p99")))
                        .append(" | ").append(direct ? "" : spread(minus(m.get(t + ".p50"), m.get("direct.p50"))))
                        .append(" | ").append(direct ? "" : spread(minus(m.get(t + ".p99"), m.get("direct.p99"))))
                        .append(" | ").append(direct || !scenario.contains("stream") ? ""
                                : spread(minus(m.get(t + ".ttfb_p50"), m.get("direct.ttfb_p50"))))
                        .append(" |\n");
            }
        });
        Map<String, List<Double>> tp = results.get("throughput");
        if (tp != null) {
            sb.append("\n| throughput, small JSON, 32 connections | requests/s | vs direct |\n|---|---|---|\n");
            for (String t : targetNames) {
                List<Double> rps = tp.get(t + ".rps");
                if (rps == null) {
                    continue;
                }
                sb.append("| ").append(t).append(" | ").append(spread(rps)).append(" | ")
                        .append(t.equals("direct") ? "1" : spread(ratio(rps, tp.get("direct.rps")))).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static List<Double> minus(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            r.add(a.get(i) - b.get(i));
        }
        return r;
    }

    private static List<Double> ratio(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            r.add(a.get(i) / b.get(i));
        }
        return r;
    }

    private static String spread(List<Double> v) {
        return spread(v, 2);
    }

    /** "median [min–max]" with {@code decimals} digits after the point. */
    static String spread(List<Double> v, int decimals) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "–" + f + "]", median, s.get(0), s.get(s.size() - 1));
    }
}
