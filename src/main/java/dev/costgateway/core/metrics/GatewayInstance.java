package dev.costgateway.core.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of one gateway in a team: {@code <host>/<id>}, where the id is made once per data folder and kept in
 * its file {@value #FILE}. Stable across restarts; two gateways on one host (two data folders) differ; a copied
 * data folder keeps its id, so delete the file in a copy meant to run beside the original.
 */
public final class GatewayInstance {

    static final String FILE = "instance-id";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8,32}");

    private GatewayInstance() {
    }

    /** This gateway's instance name for the given data folder, creating its id on first use. */
    public static String of(Path dataDir) {
        return host() + "/" + id(dataDir);
    }

    static String id(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            String existing = readId(file);
            if (existing != null) {
                return existing;
            }
            byte[] bytes = new byte[4];
            new SecureRandom().nextBytes(bytes);
            String made = HexFormat.of().formatHex(bytes);
            if (Files.exists(file)) { // unreadable content: replace it
                Files.writeString(file, made + "\n", StandardCharsets.US_ASCII);
                return made;
            }
            try {
                Files.writeString(file, made + "\n", StandardCharsets.US_ASCII,
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                return made;
            } catch (FileAlreadyExistsException raced) {
                String other = readId(file);
                if (other != null) {
                    return other;
                }
                throw raced;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the gateway instance id in " + file, e);
        }
    }

    private static String readId(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip().toLowerCase(Locale.ROOT);
        return ID.matcher(text).matches() ? text : null;
    }

    /** The host name as the OS reports it, without a DNS lookup where the environment already says it. */
    static String host() {
        for (String var : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) {
                return clean(v);
            }
        }
        try {
            return clean(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String clean(String host) {
        String h = host.strip().replaceAll("[^A-Za-z0-9._-]", "_");
        return h.length() > 150 ? h.substring(0, 150) : h;
    }
}
