package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestsViewFormatsTest {

    @Test
    void moneyFitsANarrowColumn() {
        assertThat(RequestsView.compactUsd(0.0)).isEqualTo("$0");
        assertThat(RequestsView.compactUsd(0.00591)).isEqualTo("$0.0059");
        assertThat(RequestsView.compactUsd(-0.0123)).isEqualTo("-$0.01");
        assertThat(RequestsView.compactUsd(12.404)).isEqualTo("$12.40");
        assertThat(RequestsView.compactUsd(1234.0)).isEqualTo("$1.2k");
        assertThat(RequestsView.compactUsd(null)).isEqualTo("—");
    }

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
