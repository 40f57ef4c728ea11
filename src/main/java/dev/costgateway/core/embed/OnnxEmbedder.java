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
 * A small sentence-embedding model (8-bit quantized) on onnxruntime: DJL HuggingFace tokenizer, transformer,
 * pooling (mean over the attention mask, or the [CLS] token, as the model was trained), L2 normalisation; 384
 * dimensions. The model files come from the classpath (the {@code langchain4j-embeddings-<model>} jars carry them
 * at their root). Known models: {@link #ALL_MINILM_L6_V2_Q} (the default), {@link #BGE_SMALL_EN_V15_Q} and
 * {@link #E5_SMALL_V2_Q}, each usable only when its jar is on the classpath.
 *
 * <p>Thread-safe: {@link OrtSession#run} may be called concurrently on one session and the tokenizer is
 * stateless after construction. The session uses one intra-op and one inter-op thread: on a 2-core machine that
 * is the fastest setting for single prompts (about 2.3 ms against 6.5 ms with the defaults) and it leaves the
 * other core to the proxy. Close it to free the native session.
 */
public final class OnnxEmbedder implements Embedder, AutoCloseable {

    /** all-MiniLM-L6-v2, as named by {@code cache.embedding_model}: 6 layers, mean pooling, 256-token window. */
    public static final String ALL_MINILM_L6_V2_Q = "all-minilm-l6-v2-q";
    /** BAAI bge-small-en-v1.5: 12 layers, [CLS] pooling, 512-token window. */
    public static final String BGE_SMALL_EN_V15_Q = "bge-small-en-v15-q";
    /** intfloat e5-small-v2: 12 layers, mean pooling, texts prefixed "query: ", 512-token window. */
    public static final String E5_SMALL_V2_Q = "e5-small-v2-q";

    /** Tokens kept per text by all-MiniLM-L6-v2, special tokens included (the window it was trained with). */
    public static final int MAX_TOKENS = 256;

    /** How one model is run. */
    private record Spec(String resourceBase, boolean clsPooling, String prefix, int maxTokens) {
    }

    private static final Map<String, Spec> MODELS = Map.of(
            ALL_MINILM_L6_V2_Q, new Spec("all-minilm-l6-v2-q", false, "", MAX_TOKENS),
            BGE_SMALL_EN_V15_Q, new Spec("bge-small-en-v1.5-q", true, "", 512),
            E5_SMALL_V2_Q, new Spec("e5-small-v2-q", false, "query: ", 512));

    /** Texts longer than this many characters are taken not to fit the window (see {@link #fitsWindow}). */
    private static final int CHARS_PER_TOKEN_BOUND = 16;

    private static final int DIMENSIONS = 384;

    static {
        DjlOffline.ensure();
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;
    private final Spec spec;
    /** Tokens of the window left for the text (after special tokens and the model's prefix). */
    private final int freeTokens;

    private OnnxEmbedder(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, Spec spec) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.spec = spec;
        this.freeTokens = spec.maxTokens() - tokenCount("");
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
        Spec spec = MODELS.get(modelName);
        if (spec == null) {
            throw new IllegalArgumentException("unknown embedding model '" + modelName + "' (known: "
                    + new java.util.TreeSet<>(MODELS.keySet()) + ")");
        }
        String tokenizerResource = "/" + spec.resourceBase() + "-tokenizer.json";
        try {
            byte[] model = resource("/" + spec.resourceBase() + ".onnx");
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
            tokenizerOptions.put("maxLength", Integer.toString(spec.maxTokens()));
            tokenizerOptions.put("addSpecialTokens", "true");
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = OnnxEmbedder.class.getResourceAsStream(tokenizerResource)) {
                if (in == null) {
                    throw new IllegalStateException("tokenizer resource " + tokenizerResource + " not on classpath");
                }
                tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions);
            }
            return new OnnxEmbedder(env, session, tokenizer, spec);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime could not load the embedding model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the embedding model", e);
        }
    }

    @Override
    public float[] embed(String text) {
        Encoding encoding = tokenizer.encode(spec.prefix() + (text == null ? "" : text));
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
                return normalise(spec.clsPooling() ? tokens[0].clone() : meanPool(tokens, mask));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Every WordPiece token covers at least one character, so a text of at most the window minus 2 characters
     * fits without tokenising (the 2 are [CLS] and [SEP]); above {@value #CHARS_PER_TOKEN_BOUND} characters a token
     * it is taken not to fit without tokenising either (English averages about 4 characters a token, so 16 is far beyond any
     * text that fits; a rare long one loses semantic caching, never gets a wrong hit). In between, count.
     */
    @Override
    public boolean fitsWindow(String text) {
        if (text.length() <= freeTokens) {
            return true;
        }
        if (text.length() > freeTokens * CHARS_PER_TOKEN_BOUND) {
            return false;
        }
        return tokenCount(text) < spec.maxTokens();
    }

    /** Tokens the model sees for {@code text}, special tokens included, after truncation. */
    int tokenCount(String text) {
        return tokenizer.encode(spec.prefix() + text).getIds().length;
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
