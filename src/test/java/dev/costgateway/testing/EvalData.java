package dev.costgateway.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

import dev.costgateway.core.embed.Embedder;

/** Locates {@code shared/eval-data} and caches embeddings of its texts between runs (in {@code target/}). */
public final class EvalData {

    private EvalData() {
    }

    /** {@code -Deval.data=DIR}, else {@code ../shared/eval-data} beside the clone, else {@code /work/shared}. */
    public static Path dir() {
        String configured = System.getProperty("eval.data");
        List<Path> candidates = configured != null ? List.of(Path.of(configured))
                : List.of(Path.of("../shared/eval-data"), Path.of("/work/shared/eval-data"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        Assumptions.abort("eval data not found in " + candidates + " (set -Deval.data=DIR)");
        return null;
    }

    /** Embeds every text once; vectors persist in {@code target/} so re-running an evaluation is quick. */
    public static Map<String, float[]> embedAll(Embedder embedder, Iterable<String> texts, String cacheName)
            throws IOException {
        Path cacheFile = Path.of("target", cacheName);
        Map<String, float[]> vectors = new HashMap<>();
        if (Files.exists(cacheFile)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(cacheFile)))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String text = in.readUTF();
                    float[] v = new float[in.readInt()];
                    for (int d = 0; d < v.length; d++) {
                        v[d] = in.readFloat();
                    }
                    vectors.put(text, v);
                }
            }
        }
        int before = vectors.size();
        for (String t : texts) {
            vectors.computeIfAbsent(t, embedder::embed);
        }
        if (vectors.size() != before) {
            Files.createDirectories(cacheFile.getParent());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(cacheFile)))) {
                out.writeInt(vectors.size());
                for (Map.Entry<String, float[]> e : vectors.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    for (float f : e.getValue()) {
                        out.writeFloat(f);
                    }
                }
            }
        }
        return vectors;
    }
}
