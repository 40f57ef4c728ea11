package dev.costgateway.core.embed;

/**
 * Keeps DJL offline. DJL reads {@code ai.djl.offline} and {@code OPT_OUT_TRACKING} (environment or system
 * property) when its classes initialise; if they are unset, the first use tries to reach a cloud metadata address
 * and a download server. Touch {@link #ensure()} before any DJL class loads.
 */
final class DjlOffline {

    static {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private DjlOffline() {
    }

    /** Runs the static initializer (idempotent). */
    static void ensure() {
        // the work is done once, in the static initializer
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
