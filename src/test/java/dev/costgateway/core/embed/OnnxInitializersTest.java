package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The protobuf reading of {@link OnnxInitializers} on hand-built model bytes (field numbers of onnx.proto). */
class OnnxInitializersTest {

    @Test
    void readsTheWantedInitializersWithRawTypedAndPackedFieldsAndSkipsTheRest() throws Exception {
        byte[] table = tensor(b -> {
            b.varintField(1, 2); // dims, unpacked
            b.varintField(1, 3);
            b.varintField(2, OnnxInitializers.UINT8);
            b.bytesField(8, "table".getBytes(StandardCharsets.UTF_8));
            b.bytesField(9, new byte[] {1, 2, 3, 4, 5, (byte) 250});
        });
        byte[] scale = tensor(b -> {
            b.varintField(2, 1);
            b.bytesField(8, "scale".getBytes(StandardCharsets.UTF_8));
            b.bytesField(4, littleEndian(Float.floatToIntBits(0.125f))); // packed float_data
        });
        byte[] zero = tensor(b -> {
            b.bytesField(1, new byte[] {}); // packed, empty dims: a scalar
            b.varintField(2, OnnxInitializers.UINT8);
            b.bytesField(8, "zero".getBytes(StandardCharsets.UTF_8));
            b.varintField(5, 128); // int32_data, unpacked
        });
        byte[] other = tensor(b -> b.bytesField(8, "other".getBytes(StandardCharsets.UTF_8)));
        Proto graph = new Proto();
        graph.bytesField(1, "a node we do not read".getBytes(StandardCharsets.UTF_8));
        for (byte[] t : new byte[][] {table, other, scale, zero}) {
            graph.bytesField(5, t);
        }
        graph.fixed64Field(13);
        Proto model = new Proto();
        model.varintField(1, 8); // ir_version
        model.bytesField(7, graph.bytes());

        OnnxInitializers init = OnnxInitializers.read(new java.io.ByteArrayInputStream(model.bytes()), "table", "scale", "zero");
        OnnxInitializers.Tensor t = init.require("table");
        assertThat(t.dims()).containsExactly(2, 3);
        assertThat(t.raw()).containsExactly(1, 2, 3, 4, 5, 250);
        assertThat(init.require("scale").floatValue()).isEqualTo(0.125f);
        assertThat(init.require("zero").intValue()).isEqualTo(128);
        assertThatThrownBy(() -> init.require("other")).hasMessageContaining("not in the model");
    }

    @Test
    void aTruncatedFileIsAClearErrorNotAnEndlessLoop() {
        Proto model = new Proto();
        model.bytesField(7, new byte[] {42, 100, 1}); // an initializer claiming 100 bytes, 1 present
        assertThatThrownBy(() -> OnnxInitializers.read(new java.io.ByteArrayInputStream(model.bytes()), "x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("truncated");
    }

    private static byte[] tensor(java.util.function.Consumer<Proto> fields) {
        Proto p = new Proto();
        fields.accept(p);
        return p.bytes();
    }

    private static byte[] littleEndian(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** A minimal protobuf writer. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varintField(int field, long value) {
            varint((long) field << 3);
            varint(value);
        }

        void bytesField(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
        }

        void fixed64Field(int field) {
            varint((long) field << 3 | 1);
            out.writeBytes(new byte[8]);
        }

        private void varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
