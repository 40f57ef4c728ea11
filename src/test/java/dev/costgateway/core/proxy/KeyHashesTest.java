package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class KeyHashesTest {

    private static String expected(String credential) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update("cost-gateway/caller/v1".getBytes(StandardCharsets.UTF_8));
        d.update(credential.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    }

    @Test
    void saltedSha256PrefixTheSameOnEveryCallAndThread() throws Exception {
        String a = KeyHashes.of("sk-ant-test-alpha");
        assertThat(a).isEqualTo(expected("sk-ant-test-alpha")).hasSize(16);
        // the per-thread digest is reset between calls: a second key does not inherit the first
        assertThat(KeyHashes.of("sk-ant-test-beta")).isEqualTo(expected("sk-ant-test-beta")).isNotEqualTo(a);
        assertThat(KeyHashes.of("sk-ant-test-alpha")).isEqualTo(a);
        assertThat(CompletableFuture.supplyAsync(() -> KeyHashes.of("sk-ant-test-alpha")).get()).isEqualTo(a);
    }
}
