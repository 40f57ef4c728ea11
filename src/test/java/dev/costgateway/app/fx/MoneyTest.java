package dev.costgateway.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void moneyFitsANarrowColumn() {
        assertThat(Money.compact(0.0)).isEqualTo("$0");
        assertThat(Money.compact(0.00591)).isEqualTo("$0.0059");
        assertThat(Money.compact(-0.0123)).isEqualTo("-$0.01");
        assertThat(Money.compact(12.404)).isEqualTo("$12.40");
        assertThat(Money.compact(1234.0)).isEqualTo("$1.2k");
        assertThat(Money.compact(null)).isEqualTo("—");
    }

    @Test
    void cardsShowCentsWithThousandsAndMoreDigitsBelowACent() {
        assertThat(Money.usd(1234.567)).isEqualTo("$1,234.57");
        assertThat(Money.usd(0.00591)).isEqualTo("$0.0059");
        assertThat(Money.usd(-2.5)).isEqualTo("-$2.50");
        assertThat(Money.usd(0.0)).isEqualTo("$0.00");
        assertThat(Money.usd((Double) null)).isEqualTo("—");
    }

    @Test
    void exactAmountsHaveSixDecimalsAndTheSignInFront() {
        assertThat(Money.exact(0.000236)).isEqualTo("$0.000236");
        assertThat(Money.exact(-0.0000591)).isEqualTo("-$0.000059");
        assertThat(Money.exact(null)).isEqualTo("—");
    }

    @Test
    void axisTicksHaveEnoughDecimalsToBeToldApart() {
        assertThat(Money.tick(0.0005, 0.0005)).isEqualTo("$0.0005");
        assertThat(Money.tick(0.25, 0.05)).isEqualTo("$0.25");
        assertThat(Money.tick(20, 5)).isEqualTo("$20");
        assertThat(Money.tick(5, 5)).isEqualTo("$5.00");
    }
}
