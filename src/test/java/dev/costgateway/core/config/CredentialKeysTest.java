package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Keys whose value can hold a password are secrets to the form, and their complaints never quote the value. */
class CredentialKeysTest {

    @Test
    void connectionUrlsAreSecretsToTheFormButStillChecked() {
        assertThat(ConfigSchema.METRICS_JDBC_URL.type().kind()).isEqualTo(ValueType.Kind.SECRET);
        assertThat(ConfigSchema.CACHE_REDIS_URL.type().kind()).isEqualTo(ValueType.Kind.SECRET);
        assertThat(ConfigSchema.METRICS_TEAM_VIEW_JDBC_URL.type().kind()).isEqualTo(ValueType.Kind.SECRET);
        assertThat(ConfigSchema.METRICS_TEAM_VIEW_JDBC_URL.type().parse("jdbc:h2:mem:x;PASSWORD=pw").problem())
                .startsWith("must be empty").doesNotContain("pw");
        assertThat(ConfigSchema.METRICS_TEAM_VIEW_JDBC_URL.type().parse("jdbc:postgresql://db/g?user=u&password=p")
                .isOk()).isTrue();

        assertThat(ConfigSchema.METRICS_JDBC_URL.type().parse("mysql://db/x").problem())
                .startsWith("must be empty");
        assertThat(ConfigSchema.METRICS_JDBC_URL.type().parse("jdbc:postgresql://db:5432/g?user=u&password=p")
                .isOk()).isTrue();
        assertThat(ConfigSchema.CACHE_REDIS_URL.type().parse("redis://:pw@127.0.0.1:6379/0").isOk()).isTrue();
    }

    @Test
    void aMalformedRedisUrlIsRefusedWithoutEchoingItsPassword() {
        String problem = ConfigSchema.CACHE_REDIS_URL.type().parse("redis://:hunter2 secret@host:6379/0").problem();

        assertThat(problem).startsWith("not a valid URL: ").contains("at index");
        assertThat(problem).doesNotContain("hunter2").doesNotContain("secret@host");
    }
}
