package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

    private static final Instant NOW = Instant.parse("2026-12-02T14:00:00Z");

    @Test
    void aSecondHolderIsRefusedWithWhatTheFirstWroteAboutItself(@TempDir Path dir) throws Exception {
        try (DataDirLock first = DataDirLock.acquire(dir, NOW)) {
            first.describe("http://127.0.0.1:8000");
            assertThatThrownBy(() -> DataDirLock.acquire(dir, NOW))
                    .isInstanceOfSatisfying(DataDirLock.InUseException.class, e -> {
                        assertThat(e.dataDir()).isEqualTo(dir.toAbsolutePath());
                        assertThat(e.holder()).isEqualTo("pid " + ProcessHandle.current().pid()
                                + ", started 2026-12-02T14:00:00Z, listening on http://127.0.0.1:8000");
                    });
        }
    }

    @Test
    void aCleanCloseLeavesNothingBehindSoTheNextStartIsNotReportedUnclean(@TempDir Path dir) throws Exception {
        try (DataDirLock first = DataDirLock.acquire(dir, NOW)) {
            assertThat(first.uncleanPrevious()).isEmpty();
        }
        assertThat(Files.readString(dir.resolve(DataDirLock.FILE_NAME))).isEmpty();
        try (DataDirLock again = DataDirLock.acquire(dir, NOW)) {
            assertThat(again.uncleanPrevious()).isEmpty();
        }
    }

    @Test
    void whatAKilledHolderLeftIsReportedByTheNextOne(@TempDir Path dir) throws Exception {
        // a holder killed with -9 never truncates the file; the OS released its lock
        Files.writeString(dir.resolve(DataDirLock.FILE_NAME), "pid 4242, started 2026-12-01T10:00:00Z, listening on "
                + "http://127.0.0.1:8000\n");
        try (DataDirLock next = DataDirLock.acquire(dir, NOW)) {
            assertThat(next.uncleanPrevious()).isEqualTo("pid 4242, started 2026-12-01T10:00:00Z, listening on "
                    + "http://127.0.0.1:8000");
            assertThat(Files.readString(dir.resolve(DataDirLock.FILE_NAME)))
                    .startsWith("pid " + ProcessHandle.current().pid());
        }
    }
}
