package dev.costgateway.core.cache;

import java.time.Instant;

/** One stored prompt of the semantic cache with its embedding and guard features. Immutable. */
final class SemanticEntry {

    final String group;
    final String prompt;
    final float[] vector;
    final CachedAnswer answer;
    final NearMissGuard.Features features;
    /** Position in its group's arrays; guarded by the group's lock. */
    int slot = -1;
    /** Set once the entry left its group (replaced, expired, evicted). Guarded by the group's lock. */
    boolean removed;

    SemanticEntry(String group, String prompt, float[] vector, CachedAnswer answer) {
        this.group = group;
        this.prompt = prompt;
        this.vector = vector;
        this.answer = answer;
        this.features = NearMissGuard.features(prompt);
    }

    Instant storedAt() {
        return answer.storedAt();
    }
}
