package dev.costgateway.core.cache;

import java.time.Instant;
import java.util.List;

/**
 * Where rejected semantic hits ({@link SemanticNegative}) outlive the process: the metrics database (H2 file or
 * a shared PostgreSQL, migration V4), so a rejected pair is never served again after a restart, nor by another
 * gateway on the same database. Calls may block on I/O; the cache makes them on its io executor. Implementations
 * are thread-safe.
 */
public interface SemanticNegativeStore {

    /** One rejected pair, as kept: vectors only, no prompt text. */
    record Row(String group, String model, float[] stored, float[] asked, double similarity, Instant rejectedAt) {
    }

    /** The most recent {@code limit} negatives of {@code model}, newest first. */
    List<Row> load(String model, int limit) throws Exception;

    /** Keeps one negative. */
    void save(Row row) throws Exception;
}
