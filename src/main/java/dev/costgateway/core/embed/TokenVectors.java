package dev.costgateway.core.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

/**
 * A bag-of-word-pieces vector: the mean of all-MiniLM-L6-v2's input word embeddings over a text's word pieces,
 * L2-normalised; 384 dimensions. No transformer runs: a short prompt costs a tokenisation and a few hundred
 * additions (0.08 ms here for a short prompt, 2-3 ms for 4,000 characters, against 3-5 ms for a short prompt's
 * sentence embedding on this 2-core AVX2 machine), so the
 * router can score every request on the request thread (ADR 0026). The vectors carry what the words are about
 * (code, proofs, a capital city), not their order; the router's model was trained on exactly these vectors.
 *
 * <p>The word-embedding table is read from the quantized model file the semantic cache runs (the same jar on
 * the classpath): the {@code embeddings.word_embeddings.weight_quantized} initializer of the ONNX graph, 30,522
 * rows of 384 unsigned bytes with one scale and zero point. Nothing else of the model is used.
 *
 * <p>Thread-safe: the table is read-only and the tokenizer is stateless after construction. Close it to free the
 * native tokenizer.
 */
public final class TokenVectors implements Embedder, AutoCloseable {

    /** Resource base of the model whose word embeddings are used (fixed: the router model was trained on it). */
    static final String MODEL = "all-minilm-l6-v2-q";

    /** Characters of a text looked at: the start of a long turn says what it is about, the rest only costs time. */
    public static final int MAX_CHARS = 4_000;

    private static final String TABLE = "embeddings.word_embeddings.weight_quantized";
    private static final int DIMENSIONS = 384;

    static {
        DjlOffline.ensure();
    }

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] table;
    private final int rows;
    private final float scale;
    private final int zeroPoint;

    private TokenVectors(HuggingFaceTokenizer tokenizer, OnnxInitializers.Tensor table, float scale, int zeroPoint) {
        this.tokenizer = tokenizer;
        this.table = table.raw();
        this.rows = (int) table.dims()[0];
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    /**
     * Reads the table from the model on the classpath (blocking, a few hundred milliseconds: call it off the
     * request path). The 23 MB file is streamed; only the 11.7 MB table stays on the heap.
     *
     * @throws IllegalStateException when the model or tokenizer is missing or the table is not where expected
     */
    public static TokenVectors load() {
        try {
            OnnxInitializers init;
            try (InputStream in = resource("/" + MODEL + ".onnx")) { // streamed: only the table is kept
                init = OnnxInitializers.read(in, TABLE, TABLE.replace("_quantized", "_scale"),
                        TABLE.replace("_quantized", "_zero_point"));
            }
            OnnxInitializers.Tensor table = init.require(TABLE);
            if (table.dims().length != 2 || table.dims()[1] != DIMENSIONS
                    || table.raw().length != table.dims()[0] * DIMENSIONS) {
                throw new IllegalStateException("unexpected word-embedding table in " + MODEL + ".onnx");
            }
            float scale = init.require(TABLE.replace("_quantized", "_scale")).floatValue();
            int zeroPoint = init.require(TABLE.replace("_quantized", "_zero_point")).intValue();
            Map<String, String> options = new HashMap<>();
            options.put("padding", "false");
            options.put("truncation", "false");
            options.put("addSpecialTokens", "false");
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = resource("/" + MODEL + "-tokenizer.json")) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, options);
            }
            return new TokenVectors(tokenizer, table, scale, zeroPoint);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the word embeddings", e);
        }
    }

    /** The mean word-piece vector of the first {@value #MAX_CHARS} characters; a zero-free unit vector. */
    @Override
    public float[] embed(String text) {
        String t = text == null ? "" : text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        long[] ids = ids(t);
        int[] sum = new int[DIMENSIONS];
        int counted = 0;
        for (long id : ids) {
            if (id < 0 || id >= rows) {
                continue;
            }
            int base = (int) id * DIMENSIONS;
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] += (table[base + d] & 0xff) - zeroPoint;
            }
            counted++;
        }
        float[] v = new float[DIMENSIONS];
        if (counted == 0) {
            v[0] = 1; // an empty text: a fixed unit vector rather than NaN
            return v;
        }
        double norm = 0;
        for (int d = 0; d < DIMENSIONS; d++) {
            v[d] = sum[d] * scale / counted;
            norm += (double) v[d] * v[d];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < DIMENSIONS; d++) {
            v[d] *= inv;
        }
        return v;
    }

    /**
     * The word-piece ids of {@code text} straight from the native tokenizer: {@link HuggingFaceTokenizer#encode}
     * also builds the token strings, offsets and masks, 40 % of its time, which a bag of ids does not need
     * (0.26 against 0.42 ms at 300 characters, 2.2 against 3.4 ms at 4,000; the same ids,
     * {@code TokenVectorsTest}).
     */
    long[] ids(String text) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    /** The ids as {@link HuggingFaceTokenizer#encode} gives them, for tests. */
    long[] idsThroughEncode(String text) {
        return tokenizer.encode(text).getIds();
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static InputStream resource(String name) {
        InputStream in = TokenVectors.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("resource " + name + " not on classpath");
        }
        return in;
    }
}
