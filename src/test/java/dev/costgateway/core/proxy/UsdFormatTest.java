package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsdFormatTest {
    @Test
    void savedHeaderHasExactlySixDecimals() {
        assertThat(GatewayHeaders.usd6(0.000236)).isEqualTo("0.000236");
        assertThat(GatewayHeaders.usd6(-0.0000591)).isEqualTo("-0.000059");
        assertThat(GatewayHeaders.usd6(12)).isEqualTo("12.000000");
        assertThat(GatewayHeaders.usd6(1e-9)).isEqualTo("0.000000");
        assertThat(GatewayHeaders.usd6(2.5e-7)).isEqualTo("0.000000");
        assertThat(GatewayHeaders.usd6(5e-7)).isEqualTo("0.000001");
    }
}
