package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/**
 * API keys never reach the logs, even at DEBUG for the gateway and the Jetty client, nor any endpoint the
 * gateway serves itself. slf4j-simple fixes levels when a logger is created, so the traffic runs in a child JVM
 * whose logging starts at DEBUG; the test reads everything it printed (kept in target/secrets-child.log).
 */
class SecretsInLogsIT {

    static final String CLIENT_KEY = "sk-ant-CLIENTSECRET";
    static final String BEARER = "sk-ant-BEARERSECRET";
    static final String INJECTED_KEY = "sk-ant-INJECTEDSECRET";
    static final List<String> SECRETS = List.of(CLIENT_KEY, BEARER, INJECTED_KEY, "CLIENTSECRET", "BEARERSECRET",
            "INJECTEDSECRET");

    @Test
    void keysAppearInNoLogLineAtDebugNorInTheGatewaysOwnEndpoints() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.dev.costgateway=debug",
                "-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty.client=debug",
                "-cp", System.getProperty("java.class.path"), Traffic.class.getName()));
        Path output = Files.createTempFile("gateway-secrets", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        Files.copy(output, Path.of("target", "secrets-child.log"), StandardCopyOption.REPLACE_EXISTING);
        Files.delete(output);

        assertThat(exited).as("child finished").isTrue();
        assertThat(log).as("the child ran all the traffic").contains("TRAFFIC DONE");
        assertThat(log).as("DEBUG really was on for the Jetty client").contains("DEBUG org.eclipse.jetty.client");
        assertThat(log).as("and for the gateway (the hang-up is logged at DEBUG)").contains("went away");
        List<String> leaks = log.lines().filter(line -> SECRETS.stream().anyMatch(line::contains))
                .map(line -> line.length() > 400 ? line.substring(0, 400) + "..." : line).toList();
        assertThat(leaks).as("log lines or endpoint bodies holding a key").isEmpty();
    }

    /** The child: a gateway at DEBUG, traffic with every kind of credential, then its own endpoints printed. */
    public static final class Traffic {
        public static void main(String[] args) throws Exception {
            try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\nmetrics:\n  store_text: true\n",
                    () -> INJECTED_KEY)) {
                String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
                String stream = body.replace("{\"model\"", "{\"stream\":true,\"model\"").replace("hello", "stream me");
                h.post("/v1/messages", body, "x-api-key", CLIENT_KEY, "content-type", "application/json");
                h.post("/v1/messages", body.replace("hello", "bearer"), "authorization", "Bearer " + BEARER,
                        "content-type", "application/json");
                h.post("/v1/messages", body.replace("hello", "injected"), "content-type", "application/json");
                h.upstream.enqueue(
                        h.upstream.sse(FakeUpstream.textEvents("claude-sonnet-4-6", "hi", "end_turn"), 0, 3));
                h.post("/v1/messages", stream, "x-api-key", CLIENT_KEY, "content-type", "application/json");
                h.upstream.enqueue(FakeUpstream.error(401, "authentication_error", "invalid x-api-key", Map.of()));
                h.post("/v1/messages", body.replace("hello", "bad key"), "x-api-key", CLIENT_KEY,
                        "content-type", "application/json");
                h.upstream.enqueue(FakeUpstream.json(200, "{\"input_tokens\":3}", Map.of()));
                h.post("/v1/messages/count_tokens", body, "x-api-key", CLIENT_KEY, "content-type", "application/json");
                h.post("/v1/messages", "{not json", "x-api-key", CLIENT_KEY, "content-type", "application/json");
                h.upstream.enqueue(FakeUpstream.hang());
                String hangUp = body.replace("hello", "hang up");
                try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                    s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + CLIENT_KEY
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + hangUp.length() + "\r\n\r\n"
                            + hangUp).getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(300);
                }
                Thread.sleep(300);
                h.gateway.flushMetrics();
                for (String path : List.of("/health", "/v1/metrics", "/v1/metrics/recent", "/metrics",
                        "/v1/reports/costs.csv", "/dashboard")) {
                    HttpResponse<byte[]> r = h.get(path);
                    System.out.println("ENDPOINT " + path + " " + r.statusCode() + " " + r.headers().map() + "\n"
                            + new String(r.body(), StandardCharsets.UTF_8));
                }
                // the metrics database file itself
                try (var files = Files.walk(h.dir)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                        System.out.println("FILE " + f.getFileName() + (SECRETS.stream().anyMatch(content::contains)
                                ? " contains " + SECRETS.stream().filter(content::contains).findFirst().orElseThrow()
                                : " clean"));
                    }
                }
            }
            System.out.println("TRAFFIC DONE");
            System.out.flush();
            System.exit(0);
        }
    }
}
