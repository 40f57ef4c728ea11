package dev.costgateway.core.embed;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads named initializers (constant tensors) out of an ONNX model file without a protobuf library: the file is
 * a {@code ModelProto}, its field 7 the {@code GraphProto}, whose field 5 holds {@code TensorProto}s (dims 1,
 * data_type 2, float_data 4, int32_data 5, name 8, raw_data 9). Only the wire format is needed, and only those
 * fields; everything else is skipped by length. onnxruntime's Java API does not expose initializers.
 */
final class OnnxInitializers {

    /** One initializer: its shape and either raw little-endian bytes or the typed repeated field's values. */
    record Tensor(String name, long[] dims, int dataType, byte[] raw, float[] floats, int[] ints) {

        /** The single value of a scalar float tensor. */
        float floatValue() {
            if (floats.length > 0) {
                return floats[0];
            }
            if (raw.length >= 4) {
                return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getFloat();
            }
            throw new IllegalStateException("initializer " + name + " has no float value");
        }

        /** The single value of a scalar integer tensor (uint8 and int8 zero points are stored as int32 values). */
        int intValue() {
            if (ints.length > 0) {
                return ints[0];
            }
            if (raw.length >= 1 && (dataType == UINT8 || dataType == INT8)) {
                return dataType == UINT8 ? raw[0] & 0xff : raw[0];
            }
            throw new IllegalStateException("initializer " + name + " has no integer value");
        }
    }

    static final int UINT8 = 2;
    static final int INT8 = 3;

    private final Map<String, Tensor> tensors;

    private OnnxInitializers(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    /**
     * The initializers called one of {@code names} in {@code model}, streaming: only their data is copied,
     * everything else is skipped as it is read, so a model of tens of megabytes costs no more heap than the tensors kept. A
     * tensor's name must precede its raw data (protobuf writers emit fields in number order).
     */
    static OnnxInitializers read(InputStream model, String... names) throws java.io.IOException {
        Set<String> wanted = Set.of(names);
        Map<String, Tensor> found = new HashMap<>();
        Reader file = new Reader(new java.io.BufferedInputStream(model, 1 << 16), Long.MAX_VALUE);
        while (file.more()) {
            int key = file.key();
            if (key >>> 3 == 7 && (key & 7) == 2) {
                Reader graph = file.sub();
                while (graph.more()) {
                    int g = graph.key();
                    if (g >>> 3 == 5 && (g & 7) == 2) {
                        Tensor t = tensor(graph.sub(), wanted);
                        if (t != null) {
                            found.put(t.name(), t);
                        }
                    } else {
                        graph.skip(g);
                    }
                }
            } else {
                file.skip(key);
            }
        }
        return new OnnxInitializers(found);
    }

    Tensor require(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("initializer " + name + " not in the model");
        }
        return t;
    }

    /** The tensor in {@code r}, or null when its name is not wanted (its data is then skipped, not copied). */
    private static Tensor tensor(Reader r, Set<String> wanted) throws java.io.IOException {
        long[] dims = new long[0];
        int dataType = 0;
        String name = null;
        byte[] raw = new byte[0];
        float[] floats = new float[0];
        int[] ints = new int[0];
        while (r.more()) {
            int key = r.key();
            int field = key >>> 3;
            int wire = key & 7;
            if (field == 1 && wire == 0) {
                dims = append(dims, r.varint());
            } else if (field == 1 && wire == 2) {
                Reader packed = r.sub();
                while (packed.more()) {
                    dims = append(dims, packed.varint());
                }
            } else if (field == 2 && wire == 0) {
                dataType = (int) r.varint();
            } else if (field == 4 && wire == 5) {
                floats = Arrays.copyOf(floats, floats.length + 1);
                floats[floats.length - 1] = Float.intBitsToFloat(r.fixed32());
            } else if (field == 4 && wire == 2) {
                Reader packed = r.sub();
                while (packed.more()) {
                    floats = Arrays.copyOf(floats, floats.length + 1);
                    floats[floats.length - 1] = Float.intBitsToFloat(packed.fixed32());
                }
            } else if (field == 5 && wire == 0) {
                ints = Arrays.copyOf(ints, ints.length + 1);
                ints[ints.length - 1] = (int) r.varint();
            } else if (field == 5 && wire == 2) {
                Reader packed = r.sub();
                while (packed.more()) {
                    ints = Arrays.copyOf(ints, ints.length + 1);
                    ints[ints.length - 1] = (int) packed.varint();
                }
            } else if (field == 8 && wire == 2) {
                name = new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8);
            } else if (field == 9 && wire == 2 && name != null && wanted.contains(name)) {
                raw = r.bytes();
            } else {
                r.skip(key);
            }
        }
        if (name == null || !wanted.contains(name)) {
            return null;
        }
        return new Tensor(name, dims, dataType, raw, floats, ints);
    }

    private static long[] append(long[] a, long v) {
        long[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /**
     * Protobuf wire-format reader over a stream, limited to the current message: a sub-reader shares the stream
     * and its position and ends where its length says.
     */
    private static final class Reader {
        private final InputStream in;
        private final long[] position;
        private final long end;

        Reader(InputStream in, long end) {
            this(in, new long[1], end);
        }

        private Reader(InputStream in, long[] position, long end) {
            this.in = in;
            this.position = position;
            this.end = end;
        }

        boolean more() throws java.io.IOException {
            if (position[0] >= end) {
                return false;
            }
            if (end == Long.MAX_VALUE) { // the whole file: it ends where the stream does
                in.mark(1);
                int b = in.read();
                in.reset();
                return b >= 0;
            }
            return true;
        }

        int key() throws java.io.IOException {
            return (int) varint();
        }

        long varint() throws java.io.IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalStateException("malformed varint in ONNX model");
        }

        int fixed32() throws java.io.IOException {
            return next() | next() << 8 | next() << 16 | next() << 24;
        }

        /** The length-delimited field that follows, as its own reader; read it to its end before going on. */
        Reader sub() throws java.io.IOException {
            long length = varint();
            if (length < 0 || position[0] + length > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            return new Reader(in, position, position[0] + length);
        }

        /** The length-delimited field that follows, copied. */
        byte[] bytes() throws java.io.IOException {
            long length = varint();
            if (length < 0 || length > Integer.MAX_VALUE - 8 || position[0] + length > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            byte[] b = in.readNBytes((int) length);
            position[0] += b.length;
            if (b.length != length) {
                throw new IllegalStateException("truncated ONNX model");
            }
            return b;
        }

        void skip(int key) throws java.io.IOException {
            switch (key & 7) {
                case 0 -> varint();
                case 1 -> skipBytes(8);
                case 2 -> {
                    long length = varint();
                    if (length < 0 || position[0] + length > end) {
                        throw new IllegalStateException("truncated ONNX model");
                    }
                    skipBytes(length);
                }
                case 5 -> skipBytes(4);
                default -> throw new IllegalStateException("unsupported wire type " + (key & 7) + " in ONNX model");
            }
        }

        private void skipBytes(long n) throws java.io.IOException {
            if (position[0] + n > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            try {
                in.skipNBytes(n);
            } catch (java.io.EOFException e) {
                throw new IllegalStateException("truncated ONNX model", e);
            }
            position[0] += n;
        }

        private int next() throws java.io.IOException {
            if (position[0] >= end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("truncated ONNX model");
            }
            position[0]++;
            return b;
        }
    }
}
