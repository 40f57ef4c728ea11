package dev.costgateway.core;

import static dev.costgateway.core.GatewayConfigReloadIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.embed.EmbedderService;
import dev.costgateway.testing.FakeUpstream;

/**
 * ADR 0052: the local models (router vectors, sentence model) load only once the listener is up, so their seconds
 * of CPU never delay "listening"; a gateway closed before it started never loads them at all.
 */
class ModelLoadOrderIT {

    /** Threads named as the model loaders that exist now and did not exist in {@code before}. */
    private static Set<Thread> newLoaders(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(EmbedderService.LOADER_THREAD) && !before.contains(t))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> threadsNow() {
        return Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    private static Gateway open(Path dir, FakeUpstream up) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "upstream:\n  base_url: " + up.baseUrl() + "\nserver:\n  port: 0\n");
        return Gateway.open(new Gateway.Options(config, dir.resolve("data"), null, null, null, () -> null, null,
                true));
    }

    @Test
    void modelsStartLoadingOnlyOnceTheProxyListensAndThenBecomeReady(@TempDir Path dir) throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            Set<Thread> before = threadsNow();
            try (Gateway g = open(dir, up)) {
                assertThat(newLoaders(before)).as("loader threads started by open()").isEmpty();
                assertThat(g.status().get().embedder()).isEqualTo(GatewayStatus.EmbedderState.LOADING);

                g.start();
                assertThat(g.status().get().proxy()).isEqualTo(GatewayStatus.ProxyState.RUNNING);
                await(() -> g.status().get().embedder() == GatewayStatus.EmbedderState.READY, 120_000);
                var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(g.url() + "/health")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                var health = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
                assertThat(health.path("embedder").asText()).isEqualTo("ready");
                assertThat(health.path("router_vectors").asText()).isEqualTo("ready");
            }
        }
    }

    @Test
    void aGatewayClosedBeforeItStartedNeverLoadsItsModels(@TempDir Path dir) throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            Set<Thread> before = threadsNow();
            Gateway g = open(dir, up);
            assertThat(newLoaders(before)).as("loader threads started by open()").isEmpty();
            g.close();
            assertThat(newLoaders(before)).as("loader threads started by close()").isEmpty();
            assertThat(g.status().get().embedder()).isEqualTo(GatewayStatus.EmbedderState.DISABLED);
        }
    }
}
