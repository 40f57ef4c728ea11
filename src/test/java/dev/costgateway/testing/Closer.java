package dev.costgateway.testing;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed in reverse order (gateways before the databases they use). Not thread-safe. */
public final class Closer implements AutoCloseable {

    private final List<AutoCloseable> open = new ArrayList<>();

    /** Remembers {@code resource} for {@link #close()}; returns it. */
    public <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    /** Closes everything added, last first, and forgets it. */
    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
