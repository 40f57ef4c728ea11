package dev.costgateway.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Rules that relate several keys, which the {@link ConfigLoader} (one key at a time) cannot check. The gateway
 * refuses to save or apply a configuration with a problem here; the settings form shows the problems before Save.
 * A rule names the key a person should change. Adding a rule: one method and one entry in {@link #RULES}.
 *
 * <p>Checking a host name may resolve it (DNS), so call this off the UI thread. Thread-safe.
 */
public final class ConfigValidator {

    private static final List<Function<GatewayConfig, Optional<Problem>>> RULES = List.of(
            c -> exposure(c.server()).map(m -> new Problem(ConfigSchema.SERVER_HOST.path(), m)));

    private record Problem(String key, String message) {
    }

    private ConfigValidator() {
    }

    /** Every cross-key problem of {@code config}; {@code file} labels them. Empty when it may be served. */
    public static List<ConfigProblem> validate(GatewayConfig config, String file) {
        List<ConfigProblem> out = new ArrayList<>();
        for (var rule : RULES) {
            rule.apply(config).ifPresent(p -> out.add(new ConfigProblem(file, 0, p.key(), p.message())));
        }
        return out;
    }

    /** Listening beyond loopback needs {@code server.auth_token}; the refusal, or empty when allowed. */
    public static Optional<String> exposure(GatewayConfig.Server s) {
        if (s.requiresToken() || isLoopback(s.host())) {
            return Optional.empty();
        }
        return Optional.of("refusing to listen on " + s.host() + " without server.auth_token: set a token (clients "
                + "send it as X-Gateway-Token) or bind to 127.0.0.1");
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
