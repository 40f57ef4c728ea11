package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestsViewFormatsTest {

    @Test
    void latencyFitsANarrowColumn() {
        assertThat(RequestsView.compactMillis(570)).isEqualTo("570ms");
        assertThat(RequestsView.compactMillis(1440)).isEqualTo("1.4s");
        assertThat(RequestsView.compactMillis(12_345)).isEqualTo("12s");
        assertThat(RequestsView.compactMillis(-1)).isEqualTo("—");
    }

    @Test
    void modelsShortenToFamilyAndVersion() {
        assertThat(RequestsView.shortModel("claude-haiku-4-5-20251001")).isEqualTo("haiku-4-5");
        assertThat(RequestsView.compact(6040)).isEqualTo("6.0k");
    }
}
