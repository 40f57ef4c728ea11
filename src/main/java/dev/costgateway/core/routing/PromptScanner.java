package dev.costgateway.core.routing;

import java.util.List;

/**
 * One pass over a prompt that counts the signals {@link HeuristicClassifier} weighs. Words, two- and three-word
 * phrases are looked up by a 64-bit FNV-1a hash of their lower-case form in a small open-addressing table, so the
 * scan allocates nothing and costs a few nanoseconds per character (a regular expression per signal cost
 * 20 to 50 ns per character each). Character-level signals (code fences, operators, LaTeX, numbers,
 * multiple-choice options, CJK text) are checked in the same loop.
 *
 * <p>Instances are single-use and not thread-safe; the keyword table is immutable and shared.
 */
final class PromptScanner {

    static final int REASONING = 1;
    static final int MATH = 1 << 1;
    static final int CODE_TOPIC = 1 << 2;
    static final int CONSTRAINT = 1 << 3;
    static final int LATEX_COMMAND = 1 << 4;
    static final int CODE_KEYWORD = 1 << 5;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final int TABLE_SIZE = 1024;
    /** {@code include} is a code keyword only as {@code #include}. */
    private static final long INCLUDE = hash("include");
    private static final long[] KEYS = new long[TABLE_SIZE];
    private static final int[] FLAGS = new int[TABLE_SIZE];
    /** Keywords matched with their case (code keywords that are also English words in lower case). */
    private static final long[] EXACT_KEYS = new long[TABLE_SIZE];
    private static final int[] EXACT_FLAGS = new int[TABLE_SIZE];

    static {
        add(REASONING, List.of("prove", "design", "designing", "architect", "architecture", "architectural",
                "analyze", "analyse", "analysis", "analyzing", "analysing", "analyzes", "analyses", "step by step",
                "compare", "contrast", "trade offs", "tradeoffs", "trade off", "tradeoff", "optimize", "optimise",
                "optimization", "optimisation", "optimizing", "optimising", "debug", "debugging", "refactor",
                "refactoring", "implement", "implementation", "implementing", "evaluate", "critique", "derive",
                "justify", "pros and cons", "in detail", "comprehensive", "strategy", "reason about",
                "reasoning about", "explain why"));
        add(MATH, List.of("prove", "proof", "proofs", "theorem", "theorems", "lemma", "lemmas", "integral",
                "integrals", "derivative", "derivatives", "eigenvalue", "eigenvalues", "eigenvector", "eigenvectors",
                "polynomial", "polynomials", "probability", "probabilities", "combinatorics", "combinatorial",
                "modulo", "divisible", "prime", "primes", "matrix", "matrices", "equation", "equations",
                "inequality", "inequalities", "logarithm", "logarithms", "vector", "vectors"));
        add(CODE_TOPIC, List.of("code", "function", "script", "program", "regex", "sql", "query", "api", "bug",
                "compile", "python", "java", "javascript", "typescript", "rust", "golang", "bash", "algorithm"));
        add(CONSTRAINT, List.of("must", "should", "ensure", "require", "requires", "required", "requirement",
                "requirements", "at least", "no more than", "exactly", "without using"));
        add(LATEX_COMMAND, List.of("frac", "sum", "int", "sqrt", "prod", "lim", "begin", "cdot", "le", "leq", "ge",
                "geq", "binom", "pi", "infty", "mathbb"));
        for (String k : List.of("def", "class", "import", "return", "function", "public", "private", "static",
                "void", "const", "let", "var", "lambda", "struct", "impl", "async", "await", "println", "printf",
                "SELECT", "INSERT", "UPDATE", "include")) {
            put(EXACT_KEYS, EXACT_FLAGS, hash(k), CODE_KEYWORD);
        }
    }

    int reasoning;
    int math;
    int codeTopic;
    int constraints;
    int codeKeywords;
    int codeFences;
    boolean latex;
    int arithmetic;
    boolean formula;
    int numbers;
    int choiceLines;
    int wideChars;

    /** Scans the first {@code end} characters of {@code text}. */
    static PromptScanner scan(String text, int end) {
        PromptScanner s = new PromptScanner();
        s.run(text, end);
        return s;
    }

    private void run(String t, int end) {
        long prevWord = 0;
        long prevBigram = 0;
        int backticks = 0;
        int dollarAt = -1;
        int i = 0;
        while (i < end) {
            char c = t.charAt(i);
            if (isLetter(c)) {
                int start = i;
                long lower = FNV_OFFSET;
                long exact = FNV_OFFSET;
                while (i < end && isLetter(t.charAt(i))) {
                    char w = t.charAt(i);
                    exact = (exact ^ w) * FNV_PRIME;
                    lower = (lower ^ (w | 0x20)) * FNV_PRIME;
                    i++;
                }
                char before = start > 0 ? t.charAt(start - 1) : ' ';
                int flags = lookup(KEYS, FLAGS, lower);
                if (before == '\\') {
                    latex |= (flags & LATEX_COMMAND) != 0;
                } else {
                    int exactFlags = lookup(EXACT_KEYS, EXACT_FLAGS, exact);
                    if (exactFlags != 0 && (exact != INCLUDE || before == '#')) {
                        codeKeywords++;
                    }
                }
                long bigram = prevWord == 0 ? 0 : continueHash(continueHash(prevWord, ' '), t, start, i);
                long trigram = prevBigram == 0 ? 0 : continueHash(continueHash(prevBigram, ' '), t, start, i);
                flags |= bigram == 0 ? 0 : lookup(KEYS, FLAGS, bigram);
                flags |= trigram == 0 ? 0 : lookup(KEYS, FLAGS, trigram);
                count(flags);
                prevBigram = bigram;
                prevWord = lower;
                continue;
            }
            if (c >= '0' && c <= '9') {
                int start = i;
                while (i < end && (isDigit(t.charAt(i))
                        || ((t.charAt(i) == '.' || t.charAt(i) == ',') && i + 1 < end && isDigit(t.charAt(i + 1))))) {
                    i++;
                }
                boolean boundedLeft = start == 0 || !isWordChar(t.charAt(start - 1));
                boolean boundedRight = i >= end || !isWordChar(t.charAt(i));
                if (boundedLeft && boundedRight) {
                    numbers++;
                }
                if (i < end && t.charAt(i) == '!') {
                    formula = true;
                }
                prevWord = 0;
                prevBigram = 0;
                continue;
            }
            if (c >= '\u2e80' && c < '\ud7b0') {
                wideChars++;
            }
            switch (c) {
                case '`':
                    if (++backticks == 3) {
                        codeFences++;
                    }
                    break;
                case '$':
                    if (dollarAt >= 0 && i - dollarAt > 1 && i - dollarAt <= 81) {
                        latex = true;
                        dollarAt = -1;
                    } else {
                        // "$2 per egg" is money, not mathematics: an opening $ is followed by no digit.
                        dollarAt = i + 1 < end && !isDigit(t.charAt(i + 1)) ? i : -1;
                    }
                    break;
                case '\n':
                    dollarAt = -1;
                    break;
                case '=':
                    if (i + 1 < end && t.charAt(i + 1) == '>') {
                        codeKeywords++;
                    }
                    checkOperator(t, i, end, true);
                    break;
                case '^':
                    checkOperator(t, i, end, true);
                    break;
                case '+': case '-': case '*': case '/': case '×': case '÷': case '<': case '>':
                    checkOperator(t, i, end, false);
                    break;
                case ')':
                    if (nextNonSpace(t, i + 1, end) == '{') {
                        codeKeywords++;
                    }
                    break;
                case ';':
                    char next = nextNonSpaceOrNewline(t, i + 1, end);
                    if (next == '\n' || next == 0) {
                        codeKeywords++;
                    }
                    break;
                default:
                    break;
            }
            if (c != '`') {
                backticks = 0;
            }
            if (c == '\n') {
                checkChoiceLine(t, i + 1, end);
            }
            if (c != ' ' && c != '-' && c != '\'') {
                // phrases continue across spaces and hyphens ("trade-offs", "step-by-step") only
                prevWord = 0;
                prevBigram = 0;
            }
            i++;
        }
    }

    private void count(int flags) {
        if ((flags & REASONING) != 0) {
            reasoning++;
        }
        if ((flags & MATH) != 0) {
            math++;
        }
        if ((flags & CODE_TOPIC) != 0) {
            codeTopic++;
        }
        if ((flags & CONSTRAINT) != 0) {
            constraints++;
        }
    }

    /** Digit op digit counts as arithmetic; for {@code =} and {@code ^} any operand pair counts as a formula. */
    private void checkOperator(String t, int at, int end, boolean formulaOperator) {
        char before = prevNonSpace(t, at - 1);
        char after = nextNonSpace(t, at + 1, end);
        if (after == '(') {
            int j = at + 1;
            while (j < end && t.charAt(j) != '(') {
                j++;
            }
            after = j + 1 < end ? t.charAt(j + 1) : 0;
        }
        if (isDigit(before) && isDigit(after)) {
            arithmetic++;
        }
        if (formulaOperator && (isAlnum(before) || before == ')') && (isAlnum(after) || after == '(')) {
            formula = true;
        }
    }

    private void checkChoiceLine(String t, int from, int end) {
        int j = from;
        while (j < end && (t.charAt(j) == ' ' || t.charAt(j) == '\t')) {
            j++;
        }
        if (j < end && t.charAt(j) == '(') {
            j++;
        }
        if (j + 2 < end && t.charAt(j) >= 'A' && t.charAt(j) <= 'D'
                && (t.charAt(j + 1) == '.' || t.charAt(j + 1) == ')' || t.charAt(j + 1) == ':')
                && Character.isWhitespace(t.charAt(j + 2))) {
            choiceLines++;
        }
    }

    private static char prevNonSpace(String t, int from) {
        for (int j = from; j >= 0 && from - j < 8; j--) {
            if (t.charAt(j) != ' ') {
                return t.charAt(j);
            }
        }
        return 0;
    }

    private static char nextNonSpace(String t, int from, int end) {
        for (int j = from; j < end && j - from < 8; j++) {
            char c = t.charAt(j);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return c;
            }
        }
        return 0;
    }

    private static char nextNonSpaceOrNewline(String t, int from, int end) {
        for (int j = from; j < end; j++) {
            char c = t.charAt(j);
            if (c != ' ' && c != '\t' && c != '\r') {
                return c;
            }
        }
        return 0;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(char c) {
        return isLetter(c) || isDigit(c);
    }

    private static boolean isWordChar(char c) {
        return isAlnum(c) || c == '_';
    }

    private static long continueHash(long h, char c) {
        return (h ^ c) * FNV_PRIME;
    }

    private static long continueHash(long h, String t, int from, int to) {
        for (int j = from; j < to; j++) {
            h = (h ^ (t.charAt(j) | 0x20)) * FNV_PRIME;
        }
        return h;
    }

    /** FNV-1a of a keyword as the scanner hashes it: letters lower-cased (for the lower table), words by spaces. */
    private static long hash(String keyword) {
        long h = FNV_OFFSET;
        for (int j = 0; j < keyword.length(); j++) {
            h = (h ^ keyword.charAt(j)) * FNV_PRIME;
        }
        return h;
    }

    private static void add(int flag, List<String> keywords) {
        for (String k : keywords) {
            long h = hash(k);
            put(KEYS, FLAGS, h, lookup(KEYS, FLAGS, h) | flag);
        }
    }

    private static void put(long[] keys, int[] flags, long h, int value) {
        int slot = (int) (h ^ (h >>> 32)) & (TABLE_SIZE - 1);
        while (keys[slot] != 0 && keys[slot] != h) {
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        keys[slot] = h;
        flags[slot] = value;
    }

    private static int lookup(long[] keys, int[] flags, long h) {
        int slot = (int) (h ^ (h >>> 32)) & (TABLE_SIZE - 1);
        while (keys[slot] != 0) {
            if (keys[slot] == h) {
                return flags[slot];
            }
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        return 0;
    }
}
