package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptScannerTest {

    private static PromptScanner scan(String text) {
        return PromptScanner.scan(text, text.length());
    }

    @Test
    void findsPhrasesAcrossSpacesAndHyphensButNotAcrossPunctuation() {
        assertThat(scan("Weigh the trade-offs, step-by-step.").reasoning).isEqualTo(2);
        assertThat(scan("List the pros and cons").reasoning).isEqualTo(1);
        assertThat(scan("Take a step. By step we mean").reasoning).isZero();
    }

    @Test
    void matchesWordsCaseInsensitivelyAndWholeOnly() {
        assertThat(scan("ANALYZE this Design").reasoning).isEqualTo(2);
        assertThat(scan("redesigned designer").reasoning).isZero();
    }

    @Test
    void tellsMoneyFromInlineMath() {
        assertThat(scan("She sells eggs for $2 each and milk for $3.").latex).isFalse();
        assertThat(scan("Solve $x^2 = 4$ for x").latex).isTrue();
        assertThat(scan("Compute \\frac{1}{2}").latex).isTrue();
    }

    @Test
    void countsCodeKeywordsWithTheirCase() {
        assertThat(scan("def f(x):\n    return x").codeKeywords).isEqualTo(2);
        assertThat(scan("Return the Class list").codeKeywords).isZero();
        assertThat(scan("#include <stdio.h>\nint main() { return 0; }\n").codeKeywords).isEqualTo(3);
    }

    @Test
    void countsMultipleChoiceLinesArithmeticAndNumbers() {
        PromptScanner s = scan("What is 2 + 3 * 4 - 1?\nA. 13\nB) 14\n(C) 20\nD: 9\nAnswer:");
        assertThat(s.choiceLines).isEqualTo(4);
        assertThat(s.arithmetic).isEqualTo(3);
        assertThat(s.numbers).isEqualTo(8);
        assertThat(scan("find the last digit of 50!").formula).isTrue();
    }

    @Test
    void countsWideCharacters() {
        assertThat(scan("证明拉格朗日中值定理").wideChars).isEqualTo(10);
    }
}
