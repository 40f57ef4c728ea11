package dev.costgateway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import dev.costgateway.core.Gateway;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.time.GatewayClock;

/** A real gateway on a free loopback port, configured by YAML, in front of a {@link FakeUpstream}. */
public final class GatewayHarness implements AutoCloseable {

    public final FakeUpstream upstream;
    public final Gateway gateway;
    public final Path dir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private GatewayHarness(FakeUpstream upstream, Gateway gateway, Path dir) {
        this.upstream = upstream;
        this.gateway = gateway;
        this.dir = dir;
    }

    /** @param extraYaml appended to a config that sets port 0 (overridable keys go here) */
    public static GatewayHarness start(String extraYaml) throws Exception {
        return start(extraYaml, () -> null);
    }

    public static GatewayHarness start(String extraYaml, Supplier<String> envApiKey) throws Exception {
        return startFull("server:\n  port: 0\n", extraYaml, envApiKey);
    }

    /** @param serverSection a complete {@code server:} section (must set port 0) */
    public static GatewayHarness startRaw(String serverSection) throws Exception {
        return startFull(serverSection, "", () -> null);
    }

    /** Like {@link #start(String)}, with the gateway's one time source under the test's control. */
    public static GatewayHarness start(String extraYaml, GatewayClock clock) throws Exception {
        return startFull("server:\n  port: 0\n", extraYaml, () -> null, false, clock);
    }

    /** Like {@link #start(String)} but with the real embedding model loaded (semantic cache, layer 2). */
    public static GatewayHarness startWithEmbedder(String extraYaml) throws Exception {
        return startFull("server:\n  port: 0\n", extraYaml, () -> null, true);
    }

    /** Like {@link #startWithEmbedder(String)}, with the gateway's one time source under the test's control. */
    public static GatewayHarness startWithEmbedder(String extraYaml, GatewayClock clock) throws Exception {
        return startFull("server:\n  port: 0\n", extraYaml, () -> null, true, clock);
    }

    private static GatewayHarness startFull(String serverSection, String extraYaml, Supplier<String> envApiKey)
            throws Exception {
        return startFull(serverSection, extraYaml, envApiKey, false);
    }

    private static GatewayHarness startFull(String serverSection, String extraYaml, Supplier<String> envApiKey,
                                            boolean withEmbedder) throws Exception {
        return startFull(serverSection, extraYaml, envApiKey, withEmbedder, null);
    }

    private static GatewayHarness startFull(String serverSection, String extraYaml, Supplier<String> envApiKey,
                                            boolean withEmbedder, GatewayClock clock) throws Exception {
        FakeUpstream up = new FakeUpstream();
        Path dir = Files.createTempDirectory("gateway-test");
        Path config = dir.resolve("config.yaml");
        String yaml = extraYaml.contains("upstream:") ? extraYaml
                : "upstream:\n  base_url: " + up.baseUrl() + "\n" + extraYaml;
        Files.writeString(config, serverSection + yaml);
        Gateway.Options options = new Gateway.Options(config, dir.resolve("data"), null, null, null, envApiKey, clock,
                withEmbedder);
        Gateway g = Gateway.open(options);
        g.start();
        if (g.status().get().proxy() != GatewayStatus.ProxyState.RUNNING) {
            up.close();
            throw new IllegalStateException("gateway did not start: " + g.status().get().error());
        }
        return new GatewayHarness(up, g, dir);
    }

    public String url() {
        return gateway.url();
    }

    public HttpResponse<byte[]> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The metrics record of one request (by its X-Gateway-Query-ID), waiting up to 5 s for it to be written. */
    public RequestRecord recorded(String queryId) throws InterruptedException {
        return Await.value(Duration.ofSeconds(5), "request " + queryId + " was not recorded within 5 s", () -> {
            gateway.flushMetrics();
            return gateway.metrics().request(queryId);
        });
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() throws Exception {
        gateway.close();
        upstream.close();
    }
}
