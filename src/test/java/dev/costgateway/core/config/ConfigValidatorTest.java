package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigValidatorTest {

    private static GatewayConfig with(String host, String token) {
        return ConfigSchema.build(ConfigValues.defaults().with(ConfigSchema.SERVER_HOST, host)
                .with(ConfigSchema.SERVER_AUTH_TOKEN, token));
    }

    @Test
    void theDefaultsAreServable() {
        assertThat(ConfigValidator.validate(ConfigLoader.defaults(), "f")).isEmpty();
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsOneProblemOnServerHost() {
        assertThat(ConfigValidator.validate(with("0.0.0.0", ""), "config.yaml")).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("server.host");
            assertThat(p.file()).isEqualTo("config.yaml");
            assertThat(p.message()).contains("0.0.0.0").contains("server.auth_token");
        });
    }

    @Test
    void aTokenOrALoopbackAddressIsEnough() {
        assertThat(ConfigValidator.validate(with("0.0.0.0", "s3cret"), "f")).isEmpty();
        assertThat(ConfigValidator.validate(with("localhost", ""), "f")).isEmpty();
        assertThat(ConfigValidator.validate(with("127.0.0.2", ""), "f")).isEmpty();
        assertThat(ConfigValidator.validate(with("::1", ""), "f")).isEmpty();
    }
}
