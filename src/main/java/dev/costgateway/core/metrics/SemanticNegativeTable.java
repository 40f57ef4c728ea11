package dev.costgateway.core.metrics;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.costgateway.core.cache.SemanticNegativeStore;

/**
 * The {@code semantic_negatives} table (migration V4): rejected semantic hits, vectors as big-endian float32
 * bytes. Same SQL on H2 and PostgreSQL. Each call borrows its own connection. Thread-safe.
 */
final class SemanticNegativeTable implements SemanticNegativeStore {

    private final ConnectionFactory connections;

    SemanticNegativeTable(ConnectionFactory connections) {
        this.connections = Objects.requireNonNull(connections);
    }

    @Override
    public List<Row> load(String model, int limit) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = connections.open();
                PreparedStatement ps = c.prepareStatement("SELECT group_key, stored_vector, asked_vector, similarity, "
                        + "rejected_at_millis FROM semantic_negatives WHERE model = ? "
                        + "ORDER BY rejected_at_millis DESC FETCH FIRST " + Math.max(0, limit) + " ROWS ONLY")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), model, floats(rs.getBytes(2)), floats(rs.getBytes(3)),
                            rs.getDouble(4), Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
        }
        return out;
    }

    @Override
    public void save(Row row) throws SQLException {
        try (Connection c = connections.open();
                PreparedStatement ps = c.prepareStatement("INSERT INTO semantic_negatives (group_key, model, "
                        + "stored_vector, asked_vector, similarity, rejected_at_millis) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, row.group());
            ps.setString(2, row.model());
            ps.setBytes(3, bytes(row.stored()));
            ps.setBytes(4, bytes(row.asked()));
            ps.setDouble(5, row.similarity());
            ps.setLong(6, row.rejectedAt().toEpochMilli());
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    static byte[] bytes(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(vector.length * Float.BYTES);
        b.asFloatBuffer().put(vector);
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
        return v;
    }
}
