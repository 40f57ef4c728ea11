package dev.costgateway.core.metrics;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.testing.PostgresServer;

/**
 * The databases the metrics tests run on: the embedded H2 file (the desktop default) and a real PostgreSQL
 * (the team setup), each given as the {@code metrics.jdbc_url} a user would write. Each {@link #prepare} gives
 * an empty database: a fresh data folder for H2, a fresh database on the shared test server for PostgreSQL.
 */
enum StoreBackend {

    H2 {
        @Override
        String prepare(Path dataDir) {
            return "";
        }

        @Override
        Connection connect(String jdbcUrl, Path dataDir) throws SQLException {
            return DriverManager.getConnection(MetricsStore.defaultUrl(dataDir));
        }
    },

    POSTGRESQL {
        @Override
        String prepare(Path dataDir) {
            return PostgresServer.shared().freshDatabase();
        }

        @Override
        Connection connect(String jdbcUrl, Path dataDir) throws SQLException {
            return DriverManager.getConnection(jdbcUrl);
        }
    };

    /** The {@code metrics.jdbc_url} of an empty database for one test ("" = the H2 file in {@code dataDir}). */
    abstract String prepare(Path dataDir);

    /** A direct connection, for tests that look at or break the tables behind the store's back. */
    abstract Connection connect(String jdbcUrl, Path dataDir) throws SQLException;

    /** The same settings on this backend's database. */
    static GatewayConfig.Metrics on(String jdbcUrl, GatewayConfig.Metrics cfg) {
        return new GatewayConfig.Metrics(jdbcUrl, cfg.storeText(), cfg.textPreviewChars(), cfg.retentionDays(),
                cfg.queueCapacity());
    }

    /** The connections the store itself would use, for tests that wrap them. */
    MetricsDatabase database(String jdbcUrl, Path dataDir) {
        return MetricsDatabase.forUrl(jdbcUrl, dataDir, name -> null);
    }
}
