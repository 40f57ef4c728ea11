package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a new JDBC connection to the metrics database; the caller closes it. */
@FunctionalInterface
interface ConnectionFactory {

    Connection open() throws SQLException;
}
