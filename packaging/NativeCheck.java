import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the onnxruntime and DJL tokenizer natives from the jars staged for the package (after
 * packaging/package.xml dropped the other platforms' natives) and runs the bundled MiniLM model's tokenizer
 * and session once. Run by build-and-smoke.sh:
 * {@code java -Dai.djl.offline=true -cp 'target/installer/cost-gateway/lib/app/lib/*' packaging/NativeCheck.java}
 */
public final class NativeCheck {

    public static void main(String[] args) throws Exception {
        Path scratch = Files.createTempDirectory("native-check");
        Path tokenizerJson = scratch.resolve("tokenizer.json");
        try (InputStream in = NativeCheck.class.getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
            if (in == null) {
                throw new IllegalStateException("all-minilm-l6-v2-q-tokenizer.json is not on the class path");
            }
            Files.copy(in, tokenizerJson);
        }
        long[] ids;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson)) {
            ids = tokenizer.encode("How much did that request cost?").getIds();
        }
        if (ids.length < 3) {
            throw new IllegalStateException("tokenizer produced " + ids.length + " ids");
        }
        byte[] model;
        try (InputStream in = NativeCheck.class.getResourceAsStream("/all-minilm-l6-v2-q.onnx")) {
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            System.out.println("natives OK: tokenizer gave " + ids.length + " ids, onnxruntime "
                    + env.getVersion() + " opened the model with inputs " + session.getInputNames());
        }
    }
}
