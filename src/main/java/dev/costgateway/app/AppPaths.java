package dev.costgateway.app;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where user configuration and data live, per platform; never the install folder.
 * Linux follows XDG ({@code ~/.config/cost-gateway}, {@code ~/.local/share/cost-gateway}).
 */
public final class AppPaths {

    private AppPaths() {
    }

    public static Path configDir() {
        return configDir(System.getProperty("os.name", ""), System.getenv(), System.getProperty("user.home"));
    }

    public static Path dataDir() {
        return dataDir(System.getProperty("os.name", ""), System.getenv(), System.getProperty("user.home"));
    }

    static Path configDir(String os, Map<String, String> env, String home) {
        String o = os.toLowerCase(Locale.ROOT);
        if (o.contains("win")) {
            return Path.of(env.getOrDefault("APPDATA", home + "\\AppData\\Roaming"), "Cost Gateway");
        }
        if (o.contains("mac")) {
            return Path.of(home, "Library", "Application Support", "Cost Gateway");
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "cost-gateway") : Path.of(home, ".config", "cost-gateway");
    }

    static Path dataDir(String os, Map<String, String> env, String home) {
        String o = os.toLowerCase(Locale.ROOT);
        if (o.contains("win")) {
            return Path.of(env.getOrDefault("LOCALAPPDATA", home + "\\AppData\\Local"), "Cost Gateway");
        }
        if (o.contains("mac")) {
            return Path.of(home, "Library", "Application Support", "Cost Gateway", "data");
        }
        String xdg = env.get("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "cost-gateway") : Path.of(home, ".local", "share", "cost-gateway");
    }
}
