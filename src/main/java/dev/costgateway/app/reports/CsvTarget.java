package dev.costgateway.app.reports;

import java.nio.file.Path;
import java.util.Optional;

/** Asks where to write an export: a FileChooser in the app, a fixed path in tests. */
@FunctionalInterface
public interface CsvTarget {
    Optional<Path> choose(String suggestedFileName);
}
