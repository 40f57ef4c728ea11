package dev.costgateway.core.routing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.Tier;

/**
 * Layer 1 of the classifier: a free, fast (tens of microseconds) estimate of how demanding a request is, from the
 * shape of its last user turn, its system prompt and its conversation.
 *
 * <p>Signals add to a score: length, code, mathematics, reasoning and design verbs, multiple-choice and writing
 * tasks, explicit constraints, a large system prompt and a long conversation push it up; a short factual question
 * pushes it down; a bare greeting or acknowledgement is {@code fast} at once. The score maps to a tier through two
 * boundaries, and the confidence grows with the distance from the nearest boundary, so only clear cases are
 * decided here and the rest goes to the next layer. Only the first {@value #MAX_SCAN_CHARS} characters of the turn
 * are scanned, which bounds the time on huge prompts (those are caught by the long-context rule anyway).
 *
 * <p>Immutable and thread-safe; the patterns are compiled once.
 */
public final class HeuristicClassifier {

    static final int MAX_SCAN_CHARS = 6000;

    /** Scores below this are {@code fast}. */
    static final double FAST_BELOW = 0.75;
    /** Scores at or above this are {@code premium}. */
    static final double PREMIUM_FROM = 2.5;

    private static final double BASE_CONFIDENCE = 0.6;
    private static final double CONFIDENCE_PER_POINT = 0.2;
    private static final double MAX_CONFIDENCE = 0.95;

    private static final int CI = Pattern.CASE_INSENSITIVE;

    private static final Pattern GREETING = Pattern.compile(
            "\\s*(?:hi|hello|hey|yo|hiya|thanks|thank you|thx|ty|cheers|ok|okay|k|cool|great|nice|got it|sure|yes|no"
                    + "|yep|nope|good morning|good evening|good night|bye|goodbye|perfect|awesome|sounds good|understood)"
                    + "(?:\\s+(?:there|you|so much|a lot|again|claude))?[\\s!.?,:)]*", CI);
    private static final int GREETING_MAX_CHARS = 60;

    private static final Pattern CODE_FENCE = Pattern.compile("```");
    private static final Pattern CODE_TOKENS = Pattern.compile(
            "\\b(?:def|class|import|return|function|public|private|static|void|const|let|var|lambda|struct|impl"
                    + "|async|await|println|printf|console\\.log|SELECT|INSERT|UPDATE|#include)\\b|=>|\\)\\s*\\{|;\\s*$",
            Pattern.MULTILINE);
    private static final Pattern CODE_WORDS = Pattern.compile(
            "\\b(?:code|function|script|program|regex|sql|query|api|bug|compile|python|java|javascript|typescript"
                    + "|rust|golang|c\\+\\+|bash|algorithm)\\b", CI);
    private static final Pattern LATEX = Pattern.compile(
            "\\\\(?:frac|sum|int|sqrt|prod|lim|begin|cdot|leq?|geq?|binom|pi|infty|mathbb)\\b|\\$[^$\\n]{1,80}\\$");
    private static final Pattern MATH_WORDS = Pattern.compile(
            "\\b(?:prove|proof|theorem|lemma|integral|derivative|eigen\\w*|polynomial|probability|combinatori\\w*"
                    + "|modulo|divisible|prime|matrix|equation|inequality|logarithm|vector)s?\\b", CI);
    private static final Pattern ARITHMETIC = Pattern.compile("\\d\\s*[-+*/^×÷=<>]\\s*\\(?\\d");
    private static final Pattern REASONING = Pattern.compile(
            "\\b(?:prove|design|architect\\w*|analy[sz]\\w*|step[- ]by[- ]step|compare|contrast|trade-?offs?"
                    + "|optimi[sz]\\w*|debug\\w*|refactor\\w*|implement\\w*|evaluate|critique|derive|justify"
                    + "|pros and cons|in detail|comprehensive|strategy|reason(?:ing)? about|explain why)\\b", CI);
    private static final Pattern MULTIPLE_CHOICE = Pattern.compile("^\\s*\\(?[A-D][.):]\\s", Pattern.MULTILINE);
    private static final Pattern FACTUAL_QUESTION = Pattern.compile(
            "\\s*(?:what|who|when|where|which|is|are|was|were|does|do|did|can|how many|how much|define|translate"
                    + "|name|spell|convert)\\b[^\\n]*\\?\\s*", CI);
    private static final int FACTUAL_MAX_CHARS = 200;
    private static final Pattern WRITING = Pattern.compile(
            "\\b(?:poem|story|essay|haiku|limerick|song|lyrics|blog post|article|speech|screenplay|novel|letter"
                    + "|email)\\b", CI);
    private static final Pattern CONSTRAINTS = Pattern.compile(
            "\\b(?:must|should|ensure|require(?:s|d|ments?)?|at least|no more than|exactly|without using)\\b", CI);

    /** Classifies the request body's last user turn in the context of its system prompt and conversation. */
    public Classification classify(ObjectNode body) {
        return classify(PromptText.lastUserText(body), PromptText.systemText(body).length(),
                PromptText.userTurns(body));
    }

    /**
     * Classifies a single turn.
     *
     * @param text        the user's text
     * @param systemChars length of the system prompt in characters (0 when none)
     * @param userTurns   number of user turns in the conversation, this one included
     */
    public Classification classify(String text, int systemChars, int userTurns) {
        int len = text.length();
        if (len == 0) {
            return new Classification(Tier.BALANCED, 0, "no text");
        }
        if (len <= GREETING_MAX_CHARS && GREETING.matcher(text).matches()) {
            return new Classification(Tier.FAST, MAX_CONFIDENCE, "greeting/acknowledgement");
        }
        int end = Math.min(len, MAX_SCAN_CHARS);
        Score s = new Score();

        if (len < 80) {
            s.add(-1, "very short");
        } else if (len < 300) {
            s.add(-0.5, "short");
        } else if (len >= 3000) {
            s.add(2, "very long");
        } else if (len >= 1200) {
            s.add(1, "long");
        }

        if (find(CODE_FENCE, text, end)) {
            s.add(1.5, "code block");
        } else if (count(CODE_TOKENS, text, end, 2) >= 2) {
            s.add(1, "code");
        } else if (find(CODE_WORDS, text, end)) {
            s.add(0.5, "code topic");
        }

        if (find(LATEX, text, end)) {
            s.add(1.5, "latex");
        }
        int mathWords = count(MATH_WORDS, text, end, 2);
        if (mathWords > 0) {
            s.add(mathWords, "math terms");
        }
        if (count(ARITHMETIC, text, end, 3) >= 3) {
            s.add(0.5, "arithmetic");
        }

        int reasoning = count(REASONING, text, end, 3);
        if (reasoning > 0) {
            s.add(0.75 * reasoning, "reasoning verbs");
        }
        if (count(MULTIPLE_CHOICE, text, end, 3) >= 3) {
            s.add(0.5, "multiple choice");
        }
        if (find(WRITING, text, end)) {
            s.add(0.5, "writing task");
        }
        if (count(CONSTRAINTS, text, end, 3) >= 3) {
            s.add(0.5, "constraints");
        }
        if (len <= FACTUAL_MAX_CHARS && FACTUAL_QUESTION.matcher(text).matches()) {
            s.add(-0.5, "factual question");
        }

        if (systemChars > 6000) {
            s.add(1, "large system prompt");
        } else if (systemChars > 1500) {
            s.add(0.5, "system prompt");
        }
        if (userTurns >= 4) {
            s.add(0.5, "long conversation");
        }
        return s.classification();
    }

    private static boolean find(Pattern p, String text, int end) {
        return p.matcher(text).region(0, end).find();
    }

    /** Matches of {@code p}, counting no further than {@code cap}. */
    private static int count(Pattern p, String text, int end, int cap) {
        Matcher m = p.matcher(text).region(0, end);
        int n = 0;
        while (n < cap && m.find()) {
            n++;
        }
        return n;
    }

    /** The running score and the names of the signals that moved it. */
    private static final class Score {
        private double value;
        private final StringBuilder signals = new StringBuilder(64);

        void add(double delta, String signal) {
            value += delta;
            if (signals.length() > 0) {
                signals.append(", ");
            }
            signals.append(signal);
        }

        Classification classification() {
            Tier tier;
            double distance;
            if (value < FAST_BELOW) {
                tier = Tier.FAST;
                distance = FAST_BELOW - value;
            } else if (value < PREMIUM_FROM) {
                tier = Tier.BALANCED;
                distance = Math.min(value - FAST_BELOW, PREMIUM_FROM - value);
            } else {
                tier = Tier.PREMIUM;
                distance = value - PREMIUM_FROM;
            }
            double confidence = Math.min(MAX_CONFIDENCE, BASE_CONFIDENCE + CONFIDENCE_PER_POINT * distance);
            if (signals.length() == 0) {
                signals.append("no signal");
            }
            signals.append(" (score ").append(Math.round(value * 100) / 100.0).append(')');
            return new Classification(tier, confidence, signals.toString());
        }
    }
}
