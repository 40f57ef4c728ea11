package dev.costgateway.testing;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.costgateway.core.embed.Embedder;

/**
 * A small deterministic embedder for tests that count model calls: a text's vector is its bag of lower-case
 * words hashed into {@value #DIMENSIONS} dimensions and L2-normalised, so texts with the same words (in any order)
 * are identical and texts sharing most words are close. Like a real model it has a window: only the first
 * {@code windowWords} words are embedded, and {@link #fitsWindow} says whether a text is longer. Records how often
 * and on which threads it was called. Thread-safe.
 */
public final class FakeEmbedder implements Embedder {

    public static final int DIMENSIONS = 64;

    private final int windowWords;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    /** @param windowWords words the fake model sees; the rest is cut off, as a real model truncates tokens */
    public FakeEmbedder(int windowWords) {
        this.windowWords = windowWords;
    }

    public FakeEmbedder() {
        this(64);
    }

    @Override
    public float[] embed(String text) {
        calls.incrementAndGet();
        threads.add(Thread.currentThread().getName());
        float[] v = new float[DIMENSIONS];
        String[] words = words(text);
        for (int i = 0; i < Math.min(words.length, windowWords); i++) {
            int h = words[i].hashCode() * 0x9E3779B1;
            v[Math.floorMod(h, DIMENSIONS)] += 1;
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        for (int d = 0; d < DIMENSIONS && norm > 0; d++) {
            v[d] = (float) (v[d] / norm);
        }
        return v;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public boolean fitsWindow(String text) {
        return words(text).length <= windowWords;
    }

    /** Number of {@link #embed} calls so far. */
    public int calls() {
        return calls.get();
    }

    /** Names of the threads that called {@link #embed}, in call order. */
    public List<String> threads() {
        return List.copyOf(threads);
    }

    private static String[] words(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
        return t.isEmpty() ? new String[0] : t.split(" ");
    }
}
