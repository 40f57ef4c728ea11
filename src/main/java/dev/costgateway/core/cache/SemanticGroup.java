package dev.costgateway.core.cache;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The entries of one "everything but the last user turn" group, searchable by cosine similarity.
 *
 * <p>Search is a two-stage scan: a random-hyperplane sign sketch ({@link #SKETCH_BITS} bits per entry) whose
 * Hamming distance estimates the angle (P[bit differs] = angle / π) prunes the group to the few entries that can
 * reach the threshold, then exact dot products rank those. The Hamming bound is the expected distance at the
 * threshold plus {@value #SIGMAS} standard deviations, so a true match is lost with negligible probability.
 *
 * <p>Thread-safe: a read-write lock; lookups run in parallel.
 */
final class SemanticGroup {

    static final int SKETCH_BITS = 256;
    static final int SKETCH_WORDS = SKETCH_BITS / 64;
    private static final double SIGMAS = 4.5;
    private static final int MAX_RERANK = 256;
    /**
     * Candidates above the threshold offered to the acceptor (guards, verifier), most similar first. Bounds the
     * work in a dense neighbourhood; a paraphrase that the verifier would accept is almost always among the few
     * most similar entries.
     */
    static final int MAX_ACCEPTOR_CALLS = 8;
    private static final Map<Integer, float[][]> HYPERPLANES = new ConcurrentHashMap<>();

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int dimensions;
    private final float[][] hyperplanes;
    private final Map<String, SemanticEntry> byPrompt = new HashMap<>();
    /** How many entries carry each {@link NearMissGuard.VetoKey}: a prompt whose key none carries cannot hit. */
    private final Map<NearMissGuard.VetoKey, Integer> vetoKeys = new HashMap<>();
    private SemanticEntry[] entries = new SemanticEntry[16];
    private long[] sketches = new long[16 * SKETCH_WORDS];
    private int size;

    SemanticGroup(int dimensions) {
        this.dimensions = dimensions;
        this.hyperplanes = HYPERPLANES.computeIfAbsent(dimensions, SemanticGroup::hyperplanes);
    }

    /** Adds an entry; an entry with the same prompt leaves the group. @return the replaced entry, or null */
    SemanticEntry add(SemanticEntry entry) {
        if (entry.vector.length != dimensions) {
            throw new IllegalArgumentException("vector of " + entry.vector.length + " dimensions in a group of "
                    + dimensions);
        }
        long[] sketch = sketch(entry.vector);
        lock.writeLock().lock();
        try {
            SemanticEntry previous = byPrompt.put(entry.prompt, entry);
            if (previous != null) {
                removeLocked(previous);
            }
            if (size == entries.length) {
                int capacity = size * 2;
                entries = Arrays.copyOf(entries, capacity);
                sketches = Arrays.copyOf(sketches, capacity * SKETCH_WORDS);
            }
            entries[size] = entry;
            System.arraycopy(sketch, 0, sketches, size * SKETCH_WORDS, SKETCH_WORDS);
            entry.slot = size++;
            vetoKeys.merge(NearMissGuard.VetoKey.of(entry.features), 1, Integer::sum);
            return previous;
        } finally {
            lock.writeLock().unlock();
        }
    }

    void remove(SemanticEntry entry) {
        lock.writeLock().lock();
        try {
            if (byPrompt.get(entry.prompt) == entry) {
                byPrompt.remove(entry.prompt);
            }
            removeLocked(entry);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The entry of this prompt, or null. */
    SemanticEntry withPrompt(String prompt) {
        lock.readLock().lock();
        try {
            return byPrompt.get(prompt);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Whether some entry agrees with a prompt of this key on every veto check; false means no entry could answer
     * it whatever the embeddings say, so the prompt need not be embedded (an O(1) look-up).
     */
    boolean mayAccept(NearMissGuard.VetoKey key) {
        lock.readLock().lock();
        try {
            return vetoKeys.containsKey(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Decides whether a candidate with cosine ≥ the threshold may answer (guards, verifier, local negatives). */
    interface Acceptor {
        boolean accepts(SemanticEntry candidate, double similarity);
    }

    /** An entry and its cosine with the query. */
    record Match(SemanticEntry entry, double similarity) {
    }

    /**
     * The most similar entry with cosine ≥ {@code threshold}, stored after {@code notBefore}, whose prompt passes
     * the near-miss guard against {@code features}.
     */
    Optional<SemanticHit> best(float[] query, NearMissGuard.Features features, double threshold, Instant notBefore) {
        return bestMatch(query, threshold, notBefore, (e, similarity) -> NearMissGuard.compatible(features, e.features))
                .map(m -> new SemanticHit(m.entry().answer, Math.min(1.0, m.similarity()), m.entry().prompt));
    }

    /**
     * The most similar entry with cosine ≥ {@code threshold}, stored after {@code notBefore}, that the acceptor
     * accepts, among the {@value #MAX_ACCEPTOR_CALLS} most similar.
     */
    Optional<Match> bestMatch(float[] query, double threshold, Instant notBefore, Acceptor acceptor) {
        if (query.length != dimensions) {
            return Optional.empty();
        }
        long[] q = sketch(query);
        int maxHamming = maxHamming(threshold);
        lock.readLock().lock();
        try {
            int[] candidates = new int[Math.min(size, MAX_RERANK)];
            int[] candidateDistance = new int[candidates.length];
            int found = 0;
            int worst = -1;
            for (int i = 0; i < size; i++) {
                int base = i * SKETCH_WORDS;
                int d = Long.bitCount(q[0] ^ sketches[base]) + Long.bitCount(q[1] ^ sketches[base + 1])
                        + Long.bitCount(q[2] ^ sketches[base + 2]) + Long.bitCount(q[3] ^ sketches[base + 3]);
                if (d > maxHamming) {
                    continue;
                }
                if (found < candidates.length) {
                    candidates[found] = i;
                    candidateDistance[found++] = d;
                    if (found == candidates.length) {
                        worst = argMax(candidateDistance, found);
                    }
                } else if (d < candidateDistance[worst]) {
                    candidates[worst] = i;
                    candidateDistance[worst] = d;
                    worst = argMax(candidateDistance, found);
                }
            }
            // exact cosines of the survivors, then the acceptor (the expensive part) from the most similar down
            int above = 0;
            double[] similarity = new double[found];
            int[] order = new int[found];
            for (int c = 0; c < found; c++) {
                double s = dot(query, entries[candidates[c]].vector);
                if (s >= threshold && !entries[candidates[c]].storedAt().isBefore(notBefore)) {
                    similarity[above] = s;
                    order[above++] = candidates[c];
                }
            }
            for (int tried = 0; tried < Math.min(above, MAX_ACCEPTOR_CALLS); tried++) {
                int best = tried;
                for (int c = tried + 1; c < above; c++) {
                    if (similarity[c] > similarity[best]) {
                        best = c;
                    }
                }
                double s = similarity[best];
                int slot = order[best];
                similarity[best] = similarity[tried];
                order[best] = order[tried];
                if (acceptor.accepts(entries[slot], s)) {
                    return Optional.of(new Match(entries[slot], s));
                }
            }
            return Optional.empty();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void removeLocked(SemanticEntry entry) {
        if (entry.removed || entry.slot < 0 || entries[entry.slot] != entry) {
            entry.removed = true;
            return;
        }
        int slot = entry.slot;
        int last = --size;
        if (slot != last) {
            SemanticEntry moved = entries[last];
            entries[slot] = moved;
            moved.slot = slot;
            System.arraycopy(sketches, last * SKETCH_WORDS, sketches, slot * SKETCH_WORDS, SKETCH_WORDS);
        }
        entries[last] = null;
        entry.removed = true;
        entry.slot = -1;
        vetoKeys.computeIfPresent(NearMissGuard.VetoKey.of(entry.features), (k, n) -> n == 1 ? null : n - 1);
    }

    /** Only the few pre-filtered candidates are compared exactly, so their vectors stay in the entries. */
    private static double dot(float[] query, float[] vector) {
        float sum = 0;
        for (int d = 0; d < query.length; d++) {
            sum += query[d] * vector[d];
        }
        return sum;
    }

    /** Expected Hamming distance at the threshold angle plus a safety margin. */
    static int maxHamming(double threshold) {
        double angle = Math.acos(Math.max(-1, Math.min(1, threshold)));
        double p = angle / Math.PI;
        double mean = SKETCH_BITS * p;
        double sigma = Math.sqrt(SKETCH_BITS * p * (1 - p));
        return (int) Math.ceil(mean + SIGMAS * sigma) + 1;
    }

    long[] sketch(float[] vector) {
        long[] bits = new long[SKETCH_WORDS];
        for (int b = 0; b < SKETCH_BITS; b++) {
            float[] plane = hyperplanes[b];
            float sum = 0;
            for (int d = 0; d < plane.length; d++) {
                sum += plane[d] * vector[d];
            }
            if (sum >= 0) {
                bits[b >>> 6] |= 1L << (b & 63);
            }
        }
        return bits;
    }

    private static int argMax(int[] values, int n) {
        int arg = 0;
        for (int i = 1; i < n; i++) {
            if (values[i] > values[arg]) {
                arg = i;
            }
        }
        return arg;
    }

    /** Fixed seed: sketches must not change between runs (they are rebuilt from stored vectors on load). */
    private static float[][] hyperplanes(int dimensions) {
        SplittableRandom random = new SplittableRandom(0x5EED_CAC4EL);
        float[][] planes = new float[SKETCH_BITS][dimensions];
        for (float[] plane : planes) {
            for (int d = 0; d < dimensions; d++) {
                // Box-Muller: Gaussian components give uniformly random directions
                double u1 = 1.0 - random.nextDouble();
                double u2 = random.nextDouble();
                plane[d] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
        }
        return planes;
    }
}
