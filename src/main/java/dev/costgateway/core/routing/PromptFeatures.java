package dev.costgateway.core.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The heuristic's signals as numbers, the non-embedding input of {@link RouterModel}. Every feature is scaled to
 * about 0..1 so one regularisation strength suits them all. The order is part of the weights file's format: append
 * new features at the end and retrain ({@link #COUNT} is checked when the weights load).
 *
 * <p>Costs one {@link PromptScanner} pass plus the heuristic's own (a few microseconds for a short prompt).
 */
public final class PromptFeatures {

    /** Names in order, as written into the weights file. */
    public static final String[] NAMES = {
        "log_length", "very_short", "short", "medium_length", "long", "very_long",
        "code_fence", "code_keywords", "code_topic",
        "latex", "math_terms", "arithmetic", "formula", "quantities",
        "reasoning_verbs", "multiple_choice", "constraints",
        "factual_question", "short_question", "greeting",
        "system_prompt", "long_conversation", "heuristic_score", "lines",
    };
    public static final int COUNT = NAMES.length;

    private static final HeuristicClassifier HEURISTIC = new HeuristicClassifier();

    private PromptFeatures() {
    }

    /** Features of a request body's last user turn, in the context of its system prompt and conversation. */
    public static double[] of(ObjectNode body) {
        return of(PromptText.lastUserText(body), PromptText.systemText(body).length(), PromptText.userTurns(body));
    }

    /** @see HeuristicClassifier#classify(String, int, int) */
    public static double[] of(String text, int systemChars, int userTurns) {
        double[] f = new double[COUNT];
        int len = text.length();
        int end = Math.min(len, HeuristicClassifier.MAX_SCAN_CHARS);
        PromptScanner p = PromptScanner.scan(text, end);
        int effective = len + 2 * p.wideChars;
        int lines = 1;
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        f[0] = Math.log1p(effective) / 9;
        f[1] = effective < 40 ? 1 : 0;
        f[2] = effective >= 40 && effective < 120 ? 1 : 0;
        f[3] = effective >= 600 ? 1 : 0;
        f[4] = effective >= 1500 ? 1 : 0;
        f[5] = effective >= 4000 ? 1 : 0;
        f[6] = p.codeFences > 0 ? 1 : 0;
        f[7] = Math.min(p.codeKeywords, 5) / 5.0;
        f[8] = p.codeTopic > 0 ? 1 : 0;
        f[9] = p.latex ? 1 : 0;
        f[10] = Math.min(p.math, 3) / 3.0;
        f[11] = p.arithmetic >= 3 ? 1 : 0;
        f[12] = p.formula ? 1 : 0;
        f[13] = Math.min(p.numbers, 10) / 10.0;
        f[14] = Math.min(p.reasoning, 3) / 3.0;
        f[15] = p.choiceLines >= 3 ? 1 : 0;
        f[16] = Math.min(p.constraints, 5) / 5.0;
        f[17] = len > 0 && HeuristicClassifier.isFactualQuestion(text) ? 1 : 0;
        f[18] = len > 0 && effective < 80 && HeuristicClassifier.isOneLineQuestion(text) ? 1 : 0;
        f[19] = len > 0 && HeuristicClassifier.isGreeting(text) ? 1 : 0;
        f[20] = Math.log1p(systemChars) / 10;
        f[21] = userTurns >= 4 ? 1 : 0;
        double score = HEURISTIC.classify(text, systemChars, userTurns).score();
        f[22] = Double.isNaN(score) ? 0.25 : Math.max(-1, Math.min(score, 6)) / 4;
        f[23] = Math.min(lines, 40) / 40.0;
        return f;
    }
}
