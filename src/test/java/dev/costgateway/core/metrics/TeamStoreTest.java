package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.testing.Closer;
import dev.costgateway.testing.PostgresServer;

/**
 * The team view's store against a real PostgreSQL that a gateway wrote: it reads what the team wrote, refuses to
 * write, never migrates, and says clearly what is wrong with a database it cannot use.
 */
class TeamStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Records.T0.plus(Duration.ofMinutes(5)));
    private final Closer open = new Closer();
    /** Gateways that wrote to a team database so far: each gets its own data folder. */
    private int writers;

    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    /** A database one gateway migrated and wrote {@code n} requests to; returns its URL. */
    private String teamDatabase(int n) {
        String url = PostgresServer.shared().freshDatabase();
        writeTo(url, n);
        return url;
    }

    private void writeTo(String url, int n) {
        try (MetricsStore gateway = MetricsStore.open(StoreBackend.on(url, Records.config(false, 10_000)),
                dir.resolve("gw-" + (writers++) + "-" + System.nanoTime()), clock)) {
            List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(Records.T0);
            for (int i = 0; i < n; i++) {
                gateway.record(Records.at(kinds.get(i % kinds.size()), "q" + i, Records.T0.plusSeconds(i)));
            }
            gateway.flush();
        }
    }

    private TeamStore team(String url) {
        TeamStore t = TeamStore.open(url, name -> null);
        open.add(t);
        return t;
    }

    @Test
    void readsWhatTheTeamWrote() {
        String url = teamDatabase(27);
        TeamStore team = team(url);
        assertThat(team.summary(null, null).requests()).isEqualTo(27);
        assertThat(team.requests(RequestQuery.latest(100))).hasSize(27);
        assertThat(team.instances(null, null)).singleElement()
                .satisfies(r -> assertThat(r.requests()).isEqualTo(27));
        String instance = team.instances(null, null).get(0).instance();
        assertThat(team.forInstance(instance).summary(null, null).requests()).isEqualTo(27);
        assertThat(team.forInstance("someone-else/12345678").summary(null, null).requests()).isZero();
        assertThat(team.health().get().up()).isTrue();
    }

    @Test
    void aWriteThroughItsConnectionsIsRefusedByTheServer() throws Exception {
        String url = teamDatabase(5);
        TeamStore team = team(url);
        try (Connection c = team.connections().open(); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM requests"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006")); // read-only
            assertThatThrownBy(() -> st.execute("CREATE TABLE intruder (x INTEGER)"))
                    .isInstanceOf(SQLException.class);
            // the session cannot be talked out of it by a transaction of its own either
            c.setAutoCommit(false);
            assertThatThrownBy(() -> st.executeUpdate("UPDATE requests SET instance = 'x'"))
                    .isInstanceOf(SQLException.class);
            c.rollback();
        }
        assertThat(count(url, "SELECT COUNT(*) FROM requests")).isEqualTo(5);
    }

    @Test
    void aUserWhoMayOnlySelectIsEnough() throws Exception {
        String url = teamDatabase(6);
        String db = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        String viewer = "viewer_" + db;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + viewer + " LOGIN PASSWORD 'viewer-test-pw'");
            st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + viewer);
        }
        String viewerUrl = url.substring(0, url.indexOf('?')) + "?user=" + viewer + "&password=viewer-test-pw";
        TeamStore team = team(viewerUrl);
        assertThat(team.summary(null, null).requests()).isEqualTo(6);
        assertThat(team.sessions(MetricsQueries.SessionQuery.latest(10))).isEmpty();
        assertThat(team.report(null, null, MetricsQueries.ReportGrouping.DAY)).isNotEmpty();
    }

    @Test
    void aMissingMigrationIsReportedByNameAndNotApplied() throws Exception {
        String url = teamDatabase(3);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM schema_version WHERE version = 8"); // as if written by an older gateway
        }
        assertThatThrownBy(() -> team(url))
                .isInstanceOf(MetricsStoreException.class)
                .hasMessageContaining("lacks migration V8 (session_cache_health)")
                .hasMessageContaining("never migrates");
        assertThat(count(url, "SELECT COUNT(*) FROM schema_version WHERE version = 8")).isZero();
        assertThat(TeamStore.requiredVersions()).contains(1, 2, 3, 4, 5, 8);
    }

    @Test
    void aDatabaseNoGatewayWroteIsReported() {
        String url = PostgresServer.shared().freshDatabase();
        assertThatThrownBy(() -> team(url))
                .isInstanceOf(MetricsStoreException.class)
                .hasMessageContaining("holds no gateway metrics");
        // and it created nothing there
        assertThat(count(url, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .isZero();
    }

    @Test
    void anUnreachableDatabaseIsReportedWithoutThePassword() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/team?user=viewer&password=hunter2-not-real";
        long started = System.nanoTime();
        assertThatThrownBy(() -> team(url))
                .isInstanceOf(MetricsStoreException.class)
                .hasMessageStartingWith("cannot reach the team's database: ")
                .hasMessageContaining("(jdbc:postgresql://127.0.0.1:" + closedPort + "/team?")
                .hasMessageContaining("password=***")
                .hasMessageNotContaining("hunter2");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void onlyPostgresqlUrlsAreAccepted() {
        assertThatThrownBy(() -> team("jdbc:h2:mem:x;PASSWORD=secret-ish"))
                .isInstanceOf(MetricsStoreException.class)
                .hasMessageContaining("must be a jdbc:postgresql://")
                .hasMessageNotContaining("secret-ish");
        assertThatThrownBy(() -> team("")).hasMessageContaining("it is empty");
    }

    @Test
    void describesTheDatabaseWithThePasswordMasked() {
        String url = teamDatabase(1);
        TeamStore team = team(url);
        assertThat(team.description()).startsWith("jdbc:postgresql://127.0.0.1:")
                .contains("password=***").doesNotContain(PostgresServer.shared().password());
    }

    @Test
    void aDatabaseThatGoesAwayIsReportedAndReadAgainWhenBack() {
        PostgresServer server = PostgresServer.start();
        open.add(server);
        String url = server.freshDatabase();
        writeTo(url, 4);
        TeamStore team = team(url);
        assertThat(team.summary(null, null).requests()).isEqualTo(4);
        List<TeamStore.Health> seen = new ArrayList<>();
        team.health().subscribe(seen::add);

        server.stop();
        assertThatThrownBy(() -> team.summary(null, null)).isInstanceOf(RuntimeException.class);
        TeamStore.Health down = team.health().get();
        assertThat(down.up()).isFalse();
        assertThat(down.problem()).isNotBlank().doesNotContain(server.password());

        server.restart();
        assertThat(team.summary(null, null).requests()).isEqualTo(4);
        assertThat(team.health().get().up()).isTrue();
        assertThat(seen).extracting(TeamStore.Health::up).containsSubsequence(true, false, true);
    }

    private static long count(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
