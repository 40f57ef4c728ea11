package dev.costgateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a person meets it, in a child JVM ({@code Launcher.main}, as {@code java -jar} runs it): a
 * second gateway on a data folder in use, a window that cannot open, and the exit code of a signal-initiated stop.
 */
class LauncherProcessIT {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://[0-9.]+:[0-9]+)");

    @Test
    void aSecondGatewayOnABusyDataFolderPrintsOneLineAndExitsFour(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Process first = startChild(dir.resolve("first"), data, "--headless");
        try {
            String url = awaitListening(first, dir.resolve("first").resolve("out.log"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Launcher.run(new String[] {"--headless", "--port", "0", "--config",
                dir.resolve("second.yaml").toString(), "--data-dir", data.toString(), "--upstream",
                "http://127.0.0.1:9"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new StopRequest());

            String printed = err.toString(StandardCharsets.UTF_8);
            assertThat(code).isEqualTo(Launcher.EXIT_DATA_DIR_IN_USE).isEqualTo(4);
            assertThat(printed.strip().lines()).hasSize(1);
            assertThat(printed).contains("the data folder " + data.toAbsolutePath() + " is in use")
                    .contains("pid " + first.pid()).contains("listening on " + url)
                    .contains("--data-dir").contains("--port")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
            // the first one is untouched
            assertThat(get(url + "/health").statusCode()).isEqualTo(200);
        } finally {
            first.destroy();
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(first.exitValue()).as("SIGTERM is a normal stop").isZero();
    }

    @Test
    void withoutADisplayTheWindowSaysWhatIsMissingInOneLineAndTheGatewayKeepsServing(@TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("run").resolve("out.log");
        Process p = startChild(dir.resolve("run"), dir.resolve("data")); // no --headless, and no DISPLAY
        try {
            String url = awaitListening(p, log);
            String line = awaitLine(p, log, "cannot open the window");
            assertThat(line).startsWith("cost-gateway: cannot open the window: ")
                    .containsAnyOf("there is no display", "GTK 3 is missing (install libgtk-3-0")
                    .contains("keeps running headless at " + url).contains("--headless");
            assertThat(get(url + "/health").statusCode()).isEqualTo(200);
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(out).doesNotContain("Exception in thread").doesNotContain("\tat com.sun.glass");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }

    static Process startChild(Path dir, Path data, String... extra) throws IOException {
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        command.addAll(List.of(extra));
        command.addAll(List.of("--port", "0", "--config", dir.resolve("config.yaml").toString(),
                "--data-dir", data.toString(), "--upstream", "http://127.0.0.1:9"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        return pb.start();
    }

    static String awaitListening(Process p, Path log) throws Exception {
        Matcher m = LISTENING.matcher(awaitLine(p, log, "listening on http://"));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static String awaitLine(Process p, Path log, String needle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            for (String line : out.lines().toList()) {
                if (line.contains(needle)) {
                    return line;
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the child exited (" + p.exitValue() + ") before printing '" + needle
                        + "':\n" + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + needle + "' within 90 s:\n" + Files.readString(log));
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
