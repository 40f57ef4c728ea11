package dev.costgateway.core.routing;

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
 * <p>Immutable and thread-safe. The signals are counted in one allocation-free pass ({@link PromptScanner}); the
 * two regular expressions (greeting, factual question) only ever see short texts.
 */
public final class HeuristicClassifier {

    static final int MAX_SCAN_CHARS = 6000;

    /** Every turn starts here: an ordinary request is moderate until signals say otherwise. */
    static final double BASE_SCORE = 1.0;
    /** Scores below this are {@code fast}. */
    static final double FAST_BELOW = 0.5;
    /** Scores at or above this are {@code premium}. */
    static final double PREMIUM_FROM = 3.0;

    private static final double BASE_CONFIDENCE = 0.65;
    private static final double CONFIDENCE_PER_POINT = 0.2;
    private static final double MAX_CONFIDENCE = 0.95;

    private static final int CI = Pattern.CASE_INSENSITIVE;

    /** One or more greetings or acknowledgements and nothing else ("Hi! Thanks so much."). */
    private static final Pattern GREETING = Pattern.compile(
            "\\s*(?:(?:hi|hello|hey|yo|hiya|thanks|thank you|thx|ty|cheers|ok|okay|k|cool|great|nice|got it|sure|yes"
                    + "|no|yep|nope|good morning|good evening|good night|bye|goodbye|perfect|awesome|sounds good"
                    + "|understood)(?:\\s+(?:there|you|so much|a lot|again|claude))?[\\s!.?,:)]*)+", CI);
    private static final int GREETING_MAX_CHARS = 60;

    private static final Pattern FACTUAL_QUESTION = Pattern.compile(
            "\\s*(?:what|who|when|where|which|is|are|was|were|does|do|did|can|how many|how much|define|translate"
                    + "|name|spell|convert)\\b[^\\n]*\\?\\s*", CI);
    private static final int FACTUAL_MAX_CHARS = 200;
    private static final int SHORT_QUESTION_MAX_CHARS = 80;

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
        if (isGreeting(text)) {
            return new Classification(Tier.FAST, MAX_CONFIDENCE, "greeting/acknowledgement", BASE_SCORE - 1);
        }
        int end = Math.min(len, MAX_SCAN_CHARS);
        Score s = new Score();

        PromptScanner p = PromptScanner.scan(text, end);
        // A CJK character carries about a word: count it as three so length means roughly the same in every script.
        int effective = len + 2 * p.wideChars;
        if (effective < 40) {
            s.add(-0.75, "very short");
        } else if (effective < 120) {
            s.add(-0.25, "short");
        } else if (effective >= 4000) {
            s.add(1.5, "very long");
        } else if (effective >= 1500) {
            s.add(1, "long");
        } else if (effective >= 600) {
            s.add(0.5, "medium length");
        }

        if (p.codeFences > 0) {
            s.add(1, "code block");
        } else if (p.codeKeywords >= 2) {
            s.add(0.75, "code");
        } else if (p.codeTopic > 0) {
            s.add(0.25, "code topic");
        }

        if (p.latex) {
            s.add(1, "latex");
        }
        if (p.math > 0) {
            s.add(0.5 * Math.min(p.math, 2), "math terms");
        }
        if (p.arithmetic >= 3) {
            s.add(0.5, "arithmetic");
        } else if (p.formula) {
            s.add(0.5, "formula");
        } else if (p.numbers >= 3) {
            s.add(0.5, "quantities");
        }

        if (p.reasoning > 0) {
            s.add(0.5 * Math.min(p.reasoning, 3), "reasoning verbs");
        }
        if (p.choiceLines >= 3) {
            s.add(0.5, "multiple choice");
        }
        if (p.constraints >= 3) {
            s.add(0.5, "constraints");
        }
        if (isFactualQuestion(text)) {
            s.add(-0.5, "factual question");
        } else if (effective < SHORT_QUESTION_MAX_CHARS && isOneLineQuestion(text)) {
            s.add(-0.5, "short question");
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

    /** One or more greetings or acknowledgements and nothing else. */
    static boolean isGreeting(String text) {
        return text.length() <= GREETING_MAX_CHARS && GREETING.matcher(text).matches();
    }

    /** A one-line question opening with a question word or a lookup verb ("What is ...?", "Convert ...?"). */
    static boolean isFactualQuestion(String text) {
        return text.length() <= FACTUAL_MAX_CHARS && FACTUAL_QUESTION.matcher(text).matches();
    }

    static boolean isOneLineQuestion(String text) {
        String t = text.strip();
        return t.endsWith("?") && t.indexOf('\n') < 0;
    }

    /** The running score and the names of the signals that moved it. */
    private static final class Score {
        private double value = BASE_SCORE;
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
            return new Classification(tier, confidence, signals.toString(), value);
        }
    }
}
