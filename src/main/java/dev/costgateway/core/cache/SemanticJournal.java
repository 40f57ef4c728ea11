package dev.costgateway.core.cache;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The semantic cache's file: a header naming the embedding model, then length-prefixed, CRC-checked records,
 * appended as entries are stored and rewritten without dead records on compaction. Reading stops at the first
 * truncated or corrupt record and keeps what came before. Not thread-safe: used from one serial executor.
 */
final class SemanticJournal implements Closeable {

    /** One record: everything needed to rebuild an entry without re-embedding. */
    record Record(String group, String prompt, float[] vector, CachedAnswer answer) {
    }

    /** What a read found. @param clean false when the file ended in a corrupt or truncated record */
    record Contents(List<Record> records, boolean clean) {
    }

    private static final int MAGIC = 0x43475343; // "CGSC"
    private static final int VERSION = 1;
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final Path file;
    private final String model;
    private DataOutputStream out;

    SemanticJournal(Path file, String model) {
        this.file = file;
        this.model = model;
    }

    Path file() {
        return file;
    }

    /** Reads the file; a missing file or one written for another model reads as empty. */
    Contents read() throws IOException {
        if (!Files.exists(file)) {
            return new Contents(List.of(), true);
        }
        List<Record> records = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            try {
                if (in.readInt() != MAGIC || in.readInt() != VERSION || !model.equals(in.readUTF())) {
                    return new Contents(List.of(), false);
                }
            } catch (EOFException e) {
                return new Contents(List.of(), false);
            }
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException e) {
                    return new Contents(records, true);
                }
                try {
                    if (length <= 0 || length > MAX_RECORD_BYTES) {
                        return new Contents(records, false);
                    }
                    long crc = in.readInt() & 0xFFFF_FFFFL;
                    byte[] payload = in.readNBytes(length);
                    if (payload.length != length || crc(payload) != crc) {
                        return new Contents(records, false);
                    }
                    records.add(decode(payload));
                } catch (IOException | RuntimeException e) {
                    return new Contents(records, false);
                }
            }
        }
    }

    /** Replaces the file by one holding exactly {@code records}, then appends after them. */
    void rewrite(List<Record> records) throws IOException {
        closeOutput();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream tmpOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)))) {
            writeHeader(tmpOut);
            for (Record r : records) {
                writeRecord(tmpOut, r);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE)));
    }

    /** Appends one record and flushes it (a crash loses at most the record being written). */
    void append(Record record) throws IOException {
        if (out == null) {
            throw new IOException("journal not open for appending");
        }
        writeRecord(out, record);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closeOutput();
    }

    private void closeOutput() throws IOException {
        if (out != null) {
            try {
                out.close();
            } finally {
                out = null;
            }
        }
    }

    private void writeHeader(DataOutputStream o) throws IOException {
        o.writeInt(MAGIC);
        o.writeInt(VERSION);
        o.writeUTF(model);
    }

    private static void writeRecord(OutputStream o, Record r) throws IOException {
        byte[] payload = encode(r);
        DataOutputStream d = new DataOutputStream(o);
        d.writeInt(payload.length);
        d.writeInt((int) crc(payload));
        d.write(payload);
    }

    private static byte[] encode(Record r) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(r.vector().length * 4 + 4096);
        DataOutputStream d = new DataOutputStream(buffer);
        d.writeUTF(r.group());
        byte[] prompt = r.prompt().getBytes(StandardCharsets.UTF_8);
        d.writeInt(prompt.length);
        d.write(prompt);
        d.writeInt(r.vector().length);
        for (float f : r.vector()) {
            d.writeFloat(f);
        }
        byte[] answer = r.answer().toBytes();
        d.writeInt(answer.length);
        d.write(answer);
        d.flush();
        return buffer.toByteArray();
    }

    private static Record decode(byte[] payload) throws IOException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
        String group = d.readUTF();
        String prompt = new String(readBlock(d, payload.length), StandardCharsets.UTF_8);
        int dims = d.readInt();
        if (dims <= 0 || dims * 4 > payload.length) {
            throw new IOException("bad vector length " + dims);
        }
        float[] vector = new float[dims];
        for (int i = 0; i < dims; i++) {
            vector[i] = d.readFloat();
        }
        CachedAnswer answer = CachedAnswer.fromBytes(readBlock(d, payload.length));
        return new Record(group, prompt, vector, answer);
    }

    private static byte[] readBlock(InputStream in, int limit) throws IOException {
        int length = new DataInputStream(in).readInt();
        if (length < 0 || length > limit) {
            throw new IOException("bad block length " + length);
        }
        byte[] block = in.readNBytes(length);
        if (block.length != length) {
            throw new EOFException();
        }
        return block;
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
