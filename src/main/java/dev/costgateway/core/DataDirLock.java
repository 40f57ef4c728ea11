package dev.costgateway.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One gateway per data folder: an OS file lock on {@code gateway.lock} in it, held while the gateway is open and
 * released by the OS when the process ends however it ends (even {@code kill -9}). The file says who holds it
 * (pid, start time, listening URL), so a second gateway can tell the person which one is in the way, before it
 * loads anything (the metrics database would otherwise refuse with an H2 stack trace).
 *
 * <p>Thread-safe.
 */
final class DataDirLock implements AutoCloseable {

    /** Name of the lock file inside the data folder. */
    static final String FILE_NAME = "gateway.lock";

    /** The data folder is held by another gateway (another process, or another gateway in this JVM). */
    static final class InUseException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path dataDir;
        private final String holder;

        InUseException(Path dataDir, String holder) {
            super("the data folder " + dataDir + " is in use by another Cost Gateway"
                    + (holder.isEmpty() ? "" : " (" + holder + ")"));
            this.dataDir = dataDir;
            this.holder = holder;
        }

        Path dataDir() {
            return dataDir;
        }

        /** What the lock file says about its holder ("pid 123, listening on ..."), or "" when unknown. */
        String holder() {
            return holder;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String started;
    private final String uncleanPrevious;

    private DataDirLock(Path file, FileChannel channel, FileLock lock, String started, String uncleanPrevious) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.started = started;
        this.uncleanPrevious = uncleanPrevious;
    }

    /** Takes the folder's lock (creating the folder) or throws {@link InUseException} naming the holder. */
    static DataDirLock acquire(Path dataDir, java.time.Instant now) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = describeHolder(channel);
            channel.close();
            throw new InUseException(dataDir.toAbsolutePath(), holder);
        }
        // a clean close empties the file: text left in it means the previous gateway died (kill -9, power cut)
        String previous = describeHolder(channel);
        DataDirLock l = new DataDirLock(file, channel, lock, now.toString(), previous);
        l.describe(null);
        return l;
    }

    /** Rewrites what the file says about this holder; {@code url} is the listening URL, or null. */
    synchronized void describe(String url) {
        if (!lock.isValid()) {
            return;
        }
        String text = "pid " + ProcessHandle.current().pid() + ", started " + started
                + (url == null ? "" : ", listening on " + url) + "\n";
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // the description is a courtesy to the next gateway; the lock itself holds
        }
    }

    private static String describeHolder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(512);
            channel.read(buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    Path file() {
        return file;
    }

    /**
     * What the previous gateway on this folder wrote about itself when it did not stop cleanly (killed, crashed,
     * power cut), or "" when it closed normally or this is the first start.
     */
    String uncleanPrevious() {
        return uncleanPrevious;
    }

    @Override
    public synchronized void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            // the OS releases the lock with the channel or the process
        }
    }
}
