package dev.costgateway.core.metrics;

/**
 * The key of one rollup row: {@code periodEpoch} is the hour ({@code rollup_hourly}) or the UTC day
 * ({@code rollup_daily}) since the epoch; empty strings stand for null.
 */
record RollupKey(long periodEpoch, String finalModel, String tier, String classifierLayer, String cacheKind) {

    /** A total order, so every writer touches a batch's rollup rows in the same sequence. */
    static final java.util.Comparator<RollupKey> ORDER = java.util.Comparator.comparingLong(RollupKey::periodEpoch)
            .thenComparing(RollupKey::finalModel).thenComparing(RollupKey::tier)
            .thenComparing(RollupKey::classifierLayer).thenComparing(RollupKey::cacheKind);

    static RollupKey of(RequestRecord r) {
        return new RollupKey(RequestRows.hourOf(RequestRows.toMicros(r.timestamp())),
                dim(r.finalModel(), RequestRows.MODEL_CHARS), dim(r.tier(), RequestRows.SHORT_CHARS),
                dim(r.classifierLayer(), RequestRows.SHORT_CHARS), dim(r.cacheKind(), RequestRows.SHORT_CHARS));
    }

    private static String dim(String s, int max) {
        return s == null ? "" : RequestRows.cut(s, max);
    }
}
