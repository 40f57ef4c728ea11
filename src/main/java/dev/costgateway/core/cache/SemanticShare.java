package dev.costgateway.core.cache;

/**
 * Where the semantic cache's entries are shared with the other gateways of a team (the metrics PostgreSQL,
 * migration V7, ADR 0061): each gateway keeps its own in-memory index, publishes the entries it stores and the
 * entries it evicts by rejection, and hears of the others' as they happen.
 *
 * <p>Nothing here blocks: {@link #publish} and {@link #evict} queue the work for the share's own thread (a full
 * queue drops it and counts it), and {@link Listener} calls arrive on the share's listener thread, in the order
 * the share learnt of them. A share whose database is away keeps what it was asked to write, reconnects with
 * backoff, and then delivers what it missed, so a gateway never has to ask. Implementations are thread-safe.
 */
public interface SemanticShare extends AutoCloseable {

    /**
     * One shared entry, as kept: the semantic cache's group hash (scope, model, system, tools, earlier turns and
     * sampling; the scope part is a salted hash of the caller's credential, so an entry only ever matches
     * requests of the caller that stored it), the scope hash itself, the prompt text, its unit embedding, and the
     * stored answer in the cache's binary form.
     *
     * @param id       the database's id; 0 in a {@link #publish} call
     * @param instance the gateway that stored it; ignored in a {@link #publish} call
     */
    record Entry(long id, String instance, String model, String group, String scope, String prompt,
            float[] vector, byte[] answer, long storedAtMillis, long expiresAtMillis) {
    }

    /**
     * An entry some gateway evicted because a hit it served was rejected: every gateway drops its entry with
     * that group and prompt stored at or before {@code storedAtMillis}. {@code asked} is the vector of the prompt
     * the rejected hit was served to (the pair becomes a negative, {@link SemanticNegative}, unless the gateway
     * knows it already, e.g. from the kept negatives read at start); null in an {@link #evict} call that keeps
     * no pair.
     */
    record Eviction(long id, String instance, String group, String prompt, long storedAtMillis, float[] vector,
            float[] asked, double similarity) {
    }

    /** Receives the other gateways' entries and evictions; called on the share's listener thread only. */
    interface Listener {
        void added(Entry entry);

        void evicted(Eviction eviction);
    }

    /**
     * What {@code /health} shows.
     *
     * @param up        listening, and the last write reached the database
     * @param problem   why not (no secrets), or null while up
     * @param received  entries delivered to the cache since start (the initial load included)
     * @param published entries this gateway wrote
     * @param dropped   writes dropped because the queue was full
     */
    record Status(boolean up, String problem, long received, long published, long dropped) {
    }

    /**
     * Starts listening: first every live entry of {@code model} (the newest {@code limit}, oldest first, this
     * gateway's from earlier runs included) and the evictions still in force, then the other gateways' new
     * entries and evictions as they are written. Returns at once.
     */
    void start(String model, int limit, Listener listener);

    /** Queues one entry this gateway stored for the others; never blocks. */
    void publish(Entry entry);

    /** Queues the eviction of a rejected entry (and the rejected pair's negative) for the others; never blocks. */
    void evict(String model, Eviction eviction);

    Status status();

    /** Stops the threads; what is still queued is not written. */
    @Override
    void close();
}
