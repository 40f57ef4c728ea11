package dev.costgateway.core.routing.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.costgateway.core.config.Tier;

/**
 * Our own labelled prompts ({@code LABEL<TAB>prompt}, {@code #} comments, {@code \n} for a line break):
 * SIMPLE → fast, MODERATE → balanced, COMPLEX → premium.
 */
final class OwnExamples {

    static final String HELDOUT = "/dev/costgateway/core/routing/eval/own-heldout.tsv";
    static final String TRAINING = "/dev/costgateway/core/routing/eval/own-training.tsv";
    static final String LAYER2_EXAMPLES = "/dev/costgateway/core/routing/classifier-examples.tsv";

    record Example(Tier tier, String text, String source) {
    }

    private OwnExamples() {
    }

    static List<Example> load(String resource) {
        try (InputStream in = OwnExamples.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing from the classpath");
            }
            List<Example> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new IllegalStateException(resource + ": no tab in " + line);
                }
                Tier t = switch (line.substring(0, tab)) {
                    case "SIMPLE" -> Tier.FAST;
                    case "MODERATE" -> Tier.BALANCED;
                    case "COMPLEX" -> Tier.PREMIUM;
                    default -> throw new IllegalStateException(resource + ": bad label in " + line);
                };
                out.add(new Example(t, line.substring(tab + 1).strip().replace("\\n", "\n"), resource));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
