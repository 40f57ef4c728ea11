package dev.costgateway.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void pathUnderHomeStartsWithTilde() {
        assertThat(Formats.shortPath(Path.of("/home/ada/.config/cost-gateway/config.yaml"), Path.of("/home/ada")))
                .isEqualTo("~/.config/cost-gateway/config.yaml");
    }

    @Test
    void deepPathKeepsItsLastThreeNames() {
        assertThat(Formats.shortPath(Path.of("/tmp/junit-123/a/b/config.yaml"), Path.of("/home/ada")))
                .isEqualTo("/…/a/b/config.yaml");
        assertThat(Formats.shortPath(Path.of("/home/ada/x/y/z/config.yaml"), Path.of("/home/ada")))
                .isEqualTo("~/…/y/z/config.yaml");
    }

    @Test
    void shortPathStaysWhole() {
        assertThat(Formats.shortPath(Path.of("/etc/cost-gateway.yaml"), Path.of("/home/ada")))
                .isEqualTo("/etc/cost-gateway.yaml");
    }
}
