package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NearMissGuardTest {

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            What is the capital of France?          | Tell me the capital city of France
            How do I learn Python?                  | what is the best way to learn python
            What is 2 + 2?                          | what's 2+2
            I have 3 apples, how many are left?     | I have three apples; how many are left?
            Isn't it dangerous to swim after eating? | Is it not dangerous to swim after eating?
            Explain `git rebase` simply             | Explain `git rebase` in simple terms
            """)
    void acceptsParaphrases(String a, String b) {
        assertThat(NearMissGuard.compatible(a, b)).isTrue();
        assertThat(NearMissGuard.compatible(b, a)).isTrue();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            What is 2+2?                            | What is 2+3?
            What is 2+2?                            | What is 2*2?
            How many days are in 3 weeks?           | How many days are in four weeks?
            What is the capital of Austria?         | What is the capital of Australia?
            Is it safe to eat raw eggs?             | Is it not safe to eat raw eggs?
            Is it safe to eat raw eggs?             | Isn't it safe to eat raw eggs?
            Can I run this without root?            | Can I run this with root?
            Translate "good morning" into French    | Translate "good night" into French
            How do I sort a list in Python?         | How do I sort a list in Rust?
            How do I parse JSON?                    | How do I parse YAML?
            Is a diet of fruit healthy?             | Is a diet of fruit unhealthy?
            Sort the names in ascending order       | Sort the names in descending order
            Why is the sky blue at noon?            | Why is the sky blue at dusk for NASA?
            What does my_function return?           | What does my_method return?
            """)
    void rejectsNearMisses(String a, String b) {
        assertThat(NearMissGuard.compatible(a, b)).isFalse();
        assertThat(NearMissGuard.compatible(b, a)).isFalse();
    }
}
