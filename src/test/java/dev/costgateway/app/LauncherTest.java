package dev.costgateway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

    @Test
    void parsesEveryOptionInBothSpellings() {
        Launcher.Args a = Launcher.parse(new String[] {"--headless", "--port", "9100", "--host=0.0.0.0",
            "--config", "/tmp/c.yaml", "--data-dir=/tmp/d", "--upstream", "http://127.0.0.1:1"});
        assertThat(a.headless()).isTrue();
        assertThat(a.port()).isEqualTo(9100);
        assertThat(a.host()).isEqualTo("0.0.0.0");
        assertThat(a.config()).isEqualTo(Path.of("/tmp/c.yaml"));
        assertThat(a.dataDir()).isEqualTo(Path.of("/tmp/d"));
        assertThat(a.upstream()).isEqualTo("http://127.0.0.1:1");
    }

    @Test
    void refusesBadOptions() {
        assertThatThrownBy(() -> Launcher.parse(new String[] {"--port", "eighty"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> Launcher.parse(new String[] {"--port"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Launcher.parse(new String[] {"--colour"})).hasMessageContaining("unknown option");
        assertThat(run("--bogus").code).isEqualTo(2);
        assertThat(run("--headless", "--upstream", "ftp://x").code).isEqualTo(2);
    }

    @Test
    void anInvalidConfigFileStopsTheStartWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "server:\n  port: 8000\ncache:\n  exact_ttl: soon\n");
        Result r = run("--headless", "--config", config.toString(), "--data-dir", dir.resolve("d").toString());
        assertThat(r.code).isEqualTo(3);
        assertThat(r.err).contains(config + ":4: cache.exact_ttl: must be a whole number, not 'soon'");
        assertThat(Files.readString(config)).contains("exact_ttl: soon");
    }

    @Test
    void aPortInUseFailsHeadlessStartWithTheReason(@TempDir Path dir) throws Exception {
        try (var taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Result r = run("--headless", "--port", Integer.toString(taken.getLocalPort()), "--config",
                    dir.resolve("c.yaml").toString(), "--data-dir", dir.resolve("d").toString(),
                    "--upstream", "http://127.0.0.1:9");
            assertThat(r.code).isEqualTo(1);
            assertThat(r.err).contains("cannot listen on").contains(Integer.toString(taken.getLocalPort()));
        }
    }

    @Test
    void aMissingGtkIsNamedWithItsPackageInOneLine() {
        // the message JavaFX 21 throws on a machine without libgtk-3 (seen under Xvfb on this machine)
        String line = Launcher.windowUnavailableLine(
                new UnsupportedOperationException("Unable to load glass GTK library."), "http://127.0.0.1:8000");
        assertThat(line).isEqualTo("cost-gateway: cannot open the window: GTK 3 is missing (install libgtk-3-0; "
                + "the window also needs libgl1); the gateway keeps running headless at http://127.0.0.1:8000 "
                + "(start it with --headless to skip the window)");
        assertThat(Launcher.windowUnavailableLine(new UnsupportedOperationException("Unable to open DISPLAY"),
                "http://127.0.0.1:1")).contains("there is no display (DISPLAY is not set");
    }

    @Test
    void userFoldersFollowEachPlatform() {
        assertThat(AppPaths.configDir("Linux", Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.config/cost-gateway"));
        assertThat(AppPaths.dataDir("Linux", Map.of("XDG_DATA_HOME", "/x"), "/home/u"))
                .isEqualTo(Path.of("/x/cost-gateway"));
        assertThat(AppPaths.dataDir("Linux", Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/share/cost-gateway"));
        assertThat(AppPaths.configDir("Mac OS X", Map.of(), "/Users/u").toString())
                .isEqualTo("/Users/u/Library/Application Support/Cost Gateway");
        assertThat(AppPaths.configDir("Windows 11", Map.of("APPDATA", "C:\\\\Users\\\\u\\\\AppData\\\\Roaming"), "C:\\\\Users\\\\u")
                .toString()).endsWith("Cost Gateway");
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
