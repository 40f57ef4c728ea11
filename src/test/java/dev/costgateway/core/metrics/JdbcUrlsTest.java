package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void masksPasswordsInEveryFormAUrlCarriesThem() {
        assertThat(JdbcUrls.masked("jdbc:postgresql://db:5432/gw?user=gw&password=s3cr%40t&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/gw?user=gw&password=***&ssl=true");
        assertThat(JdbcUrls.masked("jdbc:postgresql://gw:s3cret@db/gw")).isEqualTo("jdbc:postgresql://gw:***@db/gw");
        assertThat(JdbcUrls.masked("jdbc:h2:tcp://x/db;USER=sa;PASSWORD=s3cret;MODE=x"))
                .isEqualTo("jdbc:h2:tcp://x/db;USER=sa;PASSWORD=***;MODE=x");
        assertThat(JdbcUrls.masked(null)).isEmpty();
    }

    @Test
    void takesCredentialsOutOfThePostgresUrlAndAddsTimeouts() {
        JdbcUrls.Postgres pg = JdbcUrls.postgres(
                "jdbc:postgresql://db:5432/gw?user=gw&password=p%26ss&socketTimeout=5", name -> "from-env");
        assertThat(pg.user()).isEqualTo("gw");
        assertThat(pg.password()).isEqualTo("p&ss");
        assertThat(pg.url()).startsWith("jdbc:postgresql://db:5432/gw?socketTimeout=5&connectTimeout=3")
                .contains("loginTimeout=3", "reWriteBatchedInserts=true").doesNotContain("p%26ss", "user=");
        assertThat(pg.toString()).doesNotContain("p&ss");
    }

    @Test
    void fallsBackToPgUserAndPgPasswordFromTheEnvironment() {
        JdbcUrls.Postgres pg = JdbcUrls.postgres("jdbc:postgresql://db/gw",
                name -> name.equals("PGUSER") ? "team" : name.equals("PGPASSWORD") ? "envpw" : null);
        assertThat(pg.user()).isEqualTo("team");
        assertThat(pg.password()).isEqualTo("envpw");
        assertThat(pg.url()).startsWith("jdbc:postgresql://db/gw?connectTimeout=");
    }

    @Test
    void refusesOtherDatabasesWithoutShowingTheirPassword() {
        assertThat(Dialect.of("")).isEqualTo(Dialect.H2);
        assertThat(Dialect.of("jdbc:h2:mem:x")).isEqualTo(Dialect.H2);
        assertThat(Dialect.of("jdbc:postgresql://db/gw")).isEqualTo(Dialect.POSTGRESQL);
        assertThatThrownBy(() -> Dialect.of("jdbc:mysql://db/gw?password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password=***")
                .hasMessageNotContaining("hunter2");
    }
}
