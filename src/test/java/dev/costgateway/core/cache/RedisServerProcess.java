package dev.costgateway.core.cache;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import redis.clients.jedis.Jedis;

import dev.costgateway.testing.Await;

/** A throw-away {@code redis-server} on a free loopback port, no persistence. */
public final class RedisServerProcess implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final int port;
    private Process process;

    private RedisServerProcess(int port) {
        this.port = port;
    }

    /** Starts a server, or skips the test when the binary is not installed ({@code .ci/run} installs it). */
    public static RedisServerProcess start() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(BINARY),
                "redis-server not installed at " + BINARY + " (apt-get install -y redis-server)");
        RedisServerProcess server = new RedisServerProcess(freePort());
        server.startProcess();
        return server;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** Starts again on the same port (after {@link #stop()}). */
    public void restart() throws IOException, InterruptedException {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startProcess() throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        RuntimeException[] lastRefusal = new RuntimeException[1];
        boolean up = Await.poll(Duration.ofSeconds(10), () -> {
            if (!process.isAlive()) {
                return Optional.of(false);
            }
            try (Jedis jedis = client()) {
                jedis.ping();
                return Optional.of(true);
            } catch (RuntimeException notYet) {
                lastRefusal[0] = notYet;
                return Optional.empty();
            }
        }).orElse(false);
        if (!up) {
            stop();
            throw new IllegalStateException("redis-server did not start on port " + port, lastRefusal[0]);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
