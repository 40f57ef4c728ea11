package dev.costgateway.core.metrics;

/**
 * The request path's only door to metrics. {@link #record} never blocks and never throws: an implementation
 * queues the record and writes it on its own thread; a full queue or a failing store increments
 * {@link #droppedRecords()} instead of slowing or failing the request.
 */
public interface MetricsRecorder {

    void record(RequestRecord record);

    /** Records that could not be stored (queue full or store failure), since start. */
    long droppedRecords();

    MetricsRecorder NONE = new MetricsRecorder() {
        @Override
        public void record(RequestRecord record) {
        }

        @Override
        public long droppedRecords() {
            return 0;
        }
    };
}
