package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.ConfigProblem;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** Saving, hot reload and outside edits of config.yaml. */
class GatewayConfigReloadIT {

    static void await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        Await.until(Duration.ofMillis(timeoutMillis), "condition not met within " + timeoutMillis + " ms", condition::getAsBoolean);
    }

    static String routed(GatewayHarness h) throws Exception {
        h.post("/v1/messages", "{\"model\":\"claude-opus-4-7\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi! thanks\"}]}", "content-type", "application/json", "x-api-key", "k",
                "X-Gateway-Cache", "off");
        return FakeUpstream.modelOf(h.upstream.last().body());
    }

    @Test
    void saveWritesAtomicallyKeepsABackupAndAppliesAtOnce() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            Path file = h.gateway.configFile();
            String before = Files.readString(file);
            assertThat(routed(h)).isEqualTo("claude-haiku-4-5-20251001");

            String next = before + "# routing switched off by a test\nrouting:\n  mode: off\n";
            GatewayControl.ReloadResult result = h.gateway.saveAndReload(next);

            assertThat(result.listenerRestarted()).isFalse();
            assertThat(Files.readString(file)).isEqualTo(next);
            assertThat(Files.readString(file.resolveSibling("config.yaml.bak"))).isEqualTo(before);
            assertThat(routed(h)).isEqualTo("claude-opus-4-7");
            assertThat(h.gateway.configState().get().yamlText()).isEqualTo(next);
        }
    }

    @Test
    void invalidSaveIsRefusedWithTheReasonAndTheOldFileSurvives() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            Path file = h.gateway.configFile();
            String before = Files.readString(file);
            assertThatThrownBy(() -> h.gateway.saveAndReload(before + "cache:\n  semantic_threshold: 7\n"))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
                            .contains("cache.semantic_threshold").contains("between 0 and 1"));
            assertThat(Files.readString(file)).isEqualTo(before);
            assertThat(routed(h)).isEqualTo("claude-haiku-4-5-20251001");
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsRefusedOnSaveAndOnAnOutsideEdit() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            Path file = h.gateway.configFile();
            String before = Files.readString(file);
            String exposed = before.replace("server:\n", "server:\n  host: 0.0.0.0\n");
            assertThat(h.gateway.validate(ConfigLoader.parse(exposed, "f").config()))
                    .extracting(ConfigProblem::key).containsExactly("server.host");
            assertThatThrownBy(() -> h.gateway.saveAndReload(exposed))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                            .singleElement().satisfies(p -> {
                                assertThat(p.key()).isEqualTo("server.host");
                                assertThat(p.message()).contains("server.auth_token");
                            }));
            assertThat(Files.readString(file)).isEqualTo(before);

            Files.writeString(file, exposed);
            await(() -> !h.gateway.configState().get().rejected().isEmpty(), 10_000);
            assertThat(h.gateway.configState().get().rejected().get(0).key()).isEqualTo("server.host");
            assertThat(h.gateway.config().server().host()).isEqualTo("127.0.0.1");
            assertThat(routed(h)).isEqualTo("claude-haiku-4-5-20251001");
        }
    }

    @Test
    void outsideEditsArePickedUpAndBadOnesReportedNotApplied() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            Path file = h.gateway.configFile();
            String good = Files.readString(file);
            Files.writeString(file, good + "routing:\n  mode: off\n");
            await(() -> h.gateway.config().routing().mode() == dev.costgateway.core.config.GatewayConfig.RoutingMode.OFF,
                    10_000);
            assertThat(routed(h)).isEqualTo("claude-opus-4-7");

            Files.writeString(file, good + "routing:\n  mode: sideways\n");
            await(() -> !h.gateway.configState().get().rejected().isEmpty(), 10_000);
            assertThat(h.gateway.configState().get().rejected().get(0).key()).isEqualTo("routing.mode");
            assertThat(h.gateway.config().routing().mode())
                    .isEqualTo(dev.costgateway.core.config.GatewayConfig.RoutingMode.OFF);
        }
    }

    @Test
    void reloadLetsInFlightStreamsFinishAndPortChangeRestartsTheListener() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            List<String> events = new ArrayList<>(FakeUpstream.textEvents("claude-sonnet-4-6", "abc", "end_turn"));
            List<String> slow = new ArrayList<>(events.subList(0, 2));
            for (int i = 0; i < 10; i++) {
                slow.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
            }
            slow.addAll(events.subList(2, events.size()));
            h.upstream.enqueue(h.upstream.sse(slow, 50, -1));
            String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            var inFlight = h.http().sendAsync(HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages"))
                    .header("x-api-key", "k").header("X-Gateway-Route", "off")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            await(() -> h.upstream.openStreams() == 1, 5000);

            String text = Files.readString(h.gateway.configFile()) + "max_escalations: 1\n";
            GatewayControl.ReloadResult r = h.gateway.saveAndReload(text);
            assertThat(r.listenerRestarted()).isFalse();
            assertThat(inFlight.get().body()).isEqualTo(String.join("", slow));

            int oldPort = h.gateway.port();
            int newPort;
            try (ServerSocket s = new ServerSocket(0)) {
                newPort = s.getLocalPort();
            }
            GatewayControl.ReloadResult moved = h.gateway.saveAndReload(
                    text.replace("server:\n  port: 0\n", "server:\n  port: " + newPort + "\n"));
            assertThat(moved.listenerRestarted()).isTrue();
            assertThat(moved.message()).contains(Integer.toString(newPort));
            assertThat(h.gateway.port()).isEqualTo(newPort);
            assertThat(portOpen(newPort)).isTrue();
            assertThat(portOpen(oldPort)).isFalse();
        }
    }

    @Test
    void stopClosesThePortAndStartReopensIt() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            int port = h.gateway.port();
            h.gateway.stop();
            assertThat(h.gateway.status().get().proxy()).isEqualTo(GatewayStatus.ProxyState.STOPPED);
            assertThat(portOpen(port)).isFalse();
            h.gateway.start();
            assertThat(h.gateway.status().get().proxy()).isEqualTo(GatewayStatus.ProxyState.RUNNING);
            assertThat(portOpen(h.gateway.port())).isTrue();
        }
    }

    static boolean portOpen(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String read(InputStream in) throws java.io.IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
