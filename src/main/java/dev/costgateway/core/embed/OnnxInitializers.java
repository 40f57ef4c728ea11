package dev.costgateway.core.embed;

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

    /** The initializers called one of {@code names} in {@code model} (the others are not copied). */
    static OnnxInitializers read(byte[] model, String... names) {
        Set<String> wanted = Set.of(names);
        Map<String, Tensor> found = new HashMap<>();
        Reader file = new Reader(model, 0, model.length);
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

    /** The tensor in {@code r}, or null when its name is not wanted (its data is then not copied). */
    private static Tensor tensor(Reader r, Set<String> wanted) {
        long[] dims = new long[0];
        int dataType = 0;
        String name = null;
        int rawFrom = -1;
        int rawTo = -1;
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
                Reader s = r.sub();
                name = new String(s.bytes, s.pos, s.end - s.pos, java.nio.charset.StandardCharsets.UTF_8);
            } else if (field == 9 && wire == 2) {
                Reader s = r.sub();
                rawFrom = s.pos;
                rawTo = s.end;
            } else {
                r.skip(key);
            }
        }
        if (name == null || !wanted.contains(name)) {
            return null;
        }
        byte[] raw = rawFrom < 0 ? new byte[0] : Arrays.copyOfRange(r.bytes, rawFrom, rawTo);
        return new Tensor(name, dims, dataType, raw, floats, ints);
    }

    private static long[] append(long[] a, long v) {
        long[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /** Protobuf wire-format reader over {@code bytes[pos, end)}. */
    private static final class Reader {
        final byte[] bytes;
        int pos;
        final int end;

        Reader(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int key() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalStateException("truncated ONNX model");
                }
                byte b = bytes[pos++];
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new IllegalStateException("malformed varint in ONNX model");
        }

        int fixed32() {
            if (pos + 4 > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            int v = (bytes[pos] & 0xff) | (bytes[pos + 1] & 0xff) << 8 | (bytes[pos + 2] & 0xff) << 16
                    | (bytes[pos + 3] & 0xff) << 24;
            pos += 4;
            return v;
        }

        /** The length-delimited field that follows, as its own reader; this reader moves past it. */
        Reader sub() {
            long length = varint();
            if (length < 0 || pos + length > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
            Reader r = new Reader(bytes, pos, pos + (int) length);
            pos += (int) length;
            return r;
        }

        void skip(int key) {
            switch (key & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> sub();
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("unsupported wire type " + (key & 7) + " in ONNX model");
            }
            if (pos > end) {
                throw new IllegalStateException("truncated ONNX model");
            }
        }
    }
}
