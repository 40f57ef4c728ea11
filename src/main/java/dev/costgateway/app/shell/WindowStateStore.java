package dev.costgateway.app.shell;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Window bounds in a small properties file next to config.yaml, so each config folder has its own window. */
final class WindowStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(WindowStateStore.class);

    record Bounds(double x, double y, double width, double height, boolean maximized) {
    }

    private final Path file;

    WindowStateStore(Path file) {
        this.file = file;
    }

    Optional<Bounds> load() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return Optional.of(new Bounds(Double.parseDouble(p.getProperty("x")),
                    Double.parseDouble(p.getProperty("y")), Double.parseDouble(p.getProperty("width")),
                    Double.parseDouble(p.getProperty("height")), Boolean.parseBoolean(p.getProperty("maximized"))));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable window state {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    void save(Bounds b) {
        Properties p = new Properties();
        p.setProperty("x", Double.toString(b.x()));
        p.setProperty("y", Double.toString(b.y()));
        p.setProperty("width", Double.toString(b.width()));
        p.setProperty("height", Double.toString(b.height()));
        p.setProperty("maximized", Boolean.toString(b.maximized()));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "Cost Gateway window position");
        } catch (IOException e) {
            LOG.warn("could not save window state to {}: {}", file, e.toString());
        }
    }
}
