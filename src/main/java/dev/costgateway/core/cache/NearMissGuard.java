package dev.costgateway.core.cache;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rejects semantic matches whose prompts look alike to the embedding but ask different things. Two prompts are
 * compatible only when they agree on:
 * <ul>
 *   <li>numbers and arithmetic ("2+2" vs "2+3"; "3 apples" and "three apples" agree),</li>
 *   <li>negations and what they apply to (not, no, never, n't, without, only, unable, …: "safe" vs "not safe",
 *       "They're not dangerous, are they?" vs "They're dangerous, aren't they?"),</li>
 *   <li>quoted strings and inline code (exact text),</li>
 *   <li>programming languages, libraries and tools ("in Python" vs "in Rust"),</li>
 *   <li>names: a capitalised word, acronym or code identifier in one prompt must occur in the other
 *       ("Austria" vs "Australia"),</li>
 *   <li>structure: the same number of "and"/"or" (an added list item asks for more) and of questions,</li>
 *   <li>no antonym between the words only one of them uses ("hot" vs "cold", "healthy" vs "unhealthy").</li>
 * </ul>
 * Stateless and thread-safe; {@link #features} is the expensive half and can be computed once per prompt.
 */
final class NearMissGuard {

    /** What the guard compares, extracted once per prompt. */
    record Features(List<String> numbers, List<String> negations, Set<String> quoted, Set<String> technologies,
            Set<String> names, Set<String> words, List<String> content, int conjunctions, int extraQuestions) {
    }

    /**
     * The checks every verification path treats as vetoes, as one value: two prompts whose keys differ are never
     * compatible, neither under the guards alone ({@link #compatible}) nor under the {@link PairVerifier} (whose
     * {@link PairVerifier#VETOES} include these four). It needs no embedding, so the cache can tell that no entry
     * of a group could answer a prompt before embedding it.
     */
    record VetoKey(List<String> numbers, List<String> negations, Set<String> quoted, Set<String> technologies) {

        static VetoKey of(Features f) {
            return new VetoKey(f.numbers(), f.negations(), f.quoted(), f.technologies());
        }
    }

    private static final Pattern QUOTED = Pattern.compile(
            "\"([^\"\\n]{1,200})\"|“([^”\\n]{1,200})”|`([^`\\n]{1,200})`|(?<![\\p{L}\\p{N}])'([^'\\n]{2,200})'(?![\\p{L}\\p{N}])");
    private static final Pattern NUMBER_EXPR = Pattern.compile(
            "\\d+(?:[.,]\\d+)*(?:\\s*[-+*/^×÷x%=<>]\\s*\\d+(?:[.,]\\d+)*)*%?");
    private static final Pattern WORD = Pattern.compile(
            "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}_'’#+]|[.-](?=[\\p{L}\\p{N}]))*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?:;]\\s*$|^\\s*$");

    private static final Map<String, String> NUMBER_WORDS = numberWords();

    private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "none", "nobody", "nothing",
            "nowhere", "neither", "nor", "without", "cannot", "can't", "won't", "don't", "doesn't", "didn't",
            "isn't", "aren't", "wasn't", "weren't", "shouldn't", "wouldn't", "couldn't", "mustn't", "hasn't",
            "haven't", "hadn't", "needn't", "ain't", "except", "excluding", "unless", "lack", "lacks", "fail",
            "fails", "avoid", "stop", "refuse", "deny", "against", "only", "unable", "hardly", "barely", "rarely",
            "seldom", "instead", "rather", "ousted", "withheld", "distinct", "missing", "absent", "lacking", "banned",
            "refused", "prevent", "prevents", "prevented", "exclude", "excludes", "excluded", "outside", "incapable",
            "ineligible", "unnecessary", "yet", "little", "few", "unlike", "exempt", "exemption", "exemptions",
            "forbidden", "prohibited", "failed", "merely", "indifferent");

    /** Lower-case names of languages, libraries and tools: prompts about different ones are different. */
    private static final Set<String> TECHNOLOGIES = Set.of("python", "rust", "java", "javascript", "typescript",
            "go", "golang", "js", "ts", "py", "c", "c++", "c#", "f#", "kotlin", "swift", "ruby", "php", "perl", "scala", "haskell",
            "elixir", "erlang", "clojure", "lua", "r", "julia", "matlab", "dart", "zig", "nim", "ocaml", "fortran",
            "cobol", "pascal", "delphi", "groovy", "objective-c", "assembly", "wasm", "webassembly", "sql", "mysql",
            "postgres", "postgresql", "sqlite", "oracle", "mongodb", "redis", "cassandra", "dynamodb",
            "elasticsearch", "kafka", "rabbitmq", "bash", "zsh", "powershell", "shell", "html", "css", "sass",
            "react", "vue", "angular", "svelte", "jquery", "node", "node.js", "nodejs", "deno", "bun", "express",
            "django", "flask", "fastapi", "rails", "spring", "laravel", "symfony", ".net", "dotnet", "asp.net",
            "pandas", "numpy", "scipy", "pytorch", "tensorflow", "keras", "sklearn", "scikit-learn", "jax",
            "docker", "kubernetes", "k8s", "terraform", "ansible", "aws", "azure", "gcp", "linux", "windows",
            "macos", "ios", "android", "git", "maven", "gradle", "npm", "yarn", "pip", "cargo", "webpack", "vite",
            "graphql", "rest", "grpc", "json", "yaml", "xml", "csv", "excel", "regex", "jvm", "llvm", "gcc",
            "clang", "tokio", "jetty", "tomcat", "nginx", "apache", "hibernate", "junit", "pytest", "selenium",
            "unity", "unreal", "flutter", "qt", "gtk", "javafx", "swing", "opencv", "spark", "hadoop", "airflow");

    private static final Map<String, String> TECHNOLOGY_ALIASES = Map.ofEntries(Map.entry("js", "javascript"),
            Map.entry("ts", "typescript"), Map.entry("golang", "go"), Map.entry("node.js", "node"),
            Map.entry("nodejs", "node"), Map.entry("postgres", "postgresql"), Map.entry("k8s", "kubernetes"),
            Map.entry("py", "python"), Map.entry("dotnet", ".net"), Map.entry("sklearn", "scikit-learn"),
            Map.entry("webassembly", "wasm"));

    /** Each pair of opposites, both ways. */
    private static final Map<String, Set<String>> ANTONYMS = antonyms(
            "hot cold", "warm cool", "big small", "large small", "long short", "tall short", "high low",
            "fast slow", "quick slow", "early late", "good bad", "best worst", "better worse", "more less",
            "most least", "many few", "increase decrease", "increases decreases", "increased decreased",
            "raise lower", "rise fall", "up down", "before after", "first last", "true false", "yes no",
            "open close", "open closed", "start end", "begin end", "buy sell", "bought sold", "win lose",
            "won lost", "add remove", "include exclude", "allow deny", "accept reject", "enable disable",
            "enabled disabled", "safe dangerous", "safe unsafe", "safe risky", "legal illegal", "possible impossible",
            "easy hard", "easy difficult", "simple complex", "cheap expensive", "rich poor", "strong weak",
            "heavy light", "dark light", "old new", "old young", "young old", "happy sad", "love hate",
            "like dislike", "always never", "all none", "everything nothing", "push pull", "import export",
            "input output", "min max", "minimum maximum", "minimize maximize", "upper lower", "uppercase lowercase",
            "ascending descending", "encrypt decrypt", "encode decode", "compress decompress", "serialize deserialize",
            "left right", "north south", "east west", "inside outside", "internal external", "above below",
            "over under", "positive negative", "plus minus", "odd even", "male female", "men women", "man woman",
            "boy girl", "wet dry", "full empty", "thick thin", "wide narrow", "deep shallow", "success failure",
            "succeed fail", "pass fail", "agree disagree", "right wrong", "correct incorrect", "valid invalid",
            "healthy unhealthy", "effective ineffective", "efficient inefficient", "friend enemy", "war peace",
            "day night", "summer winter", "spring autumn", "sunrise sunset", "birth death", "born died",
            "alive dead", "arrive depart", "send receive", "sent received", "give take", "lend borrow",
            "teach learn", "ask answer", "question answer", "sync async", "synchronous asynchronous",
            "client server", "frontend backend", "static dynamic", "mutable immutable", "public private",
            "read write", "get set", "encrypt decrypt", "horizontal vertical", "parallel serial", "union intersection",
            "permanent temporary", "major minor", "senior junior", "ancient modern", "similar different",
            "same different", "same opposite", "agreed refused", "supported opposed", "support oppose",
            "acquired sold", "appointed dismissed", "victory defeat", "gain loss", "profit loss", "much little",
            "sure unsure", "certain uncertain", "stay leave", "guilty innocent", "primary secondary", "gold silver",
            "success fail", "win loss", "brief long", "before since", "natural artificial", "rural urban",
            "shut open", "awake asleep", "correct wrong", "varies constant", "encouraged restricted",
            "accept refuse", "enables prevents", "allow prevent", "rare common", "inside outside");

    /** Words that carry grammar rather than content; their order and choice do not change the question. */
    private static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "of", "to", "in", "on", "at", "for",
            "by", "with", "from", "into", "onto", "about", "as", "and", "or", "but", "if", "then", "so", "than",
            "that", "this", "these", "those", "there", "here", "it", "its", "it's", "is", "are", "was", "were", "be",
            "been", "being", "am", "do", "does", "did", "done", "have", "has", "had", "having", "can", "could",
            "will", "would", "shall", "should", "may", "might", "must", "i", "me", "my", "mine", "we", "us", "our",
            "you", "your", "yours", "he", "him", "his", "she", "her", "hers", "they", "them", "their", "what",
            "what's", "which", "who", "whom", "whose", "when", "where", "why", "how", "please", "tell", "explain",
            "give", "show", "let", "let's", "some", "any", "just", "also", "very", "really", "i'm", "i've", "you're",
            "one's", "get", "got", "s", "way", "ways", "best", "good", "kind", "sort");

    /** A pair of edits this many times smaller than the shared content is a minimal edit. */
    private static final int SUBSTITUTION_RATIO = 1;
    /** Edits touching more words than this are rewordings, not minimal edits. */
    private static final int MAX_EDIT_WORDS = 4;
    /** In a sentence of at least this many content words, a one- or two-word insertion changes the claim. */
    private static final int MIN_WORDS_FOR_INSERTION = 5;
    private static final int MAX_INSERTED_WORDS = 2;
    /** Shared content words reordered with this many times fewer other changes: a swap of roles. */
    private static final int REORDER_RATIO = 3;

    private static final Set<String> NOT_NAMES = Set.of("i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "a");

    private NearMissGuard() {
    }

    static boolean compatible(String a, String b) {
        return compatible(features(a), features(b));
    }

    static boolean compatible(Features a, Features b) {
        return disagreement(a, b) == null;
    }

    /** What the two prompts disagree on ("numbers", "negations", …), or null when they are compatible. */
    static String disagreement(Features a, Features b) {
        if (!a.numbers.equals(b.numbers)) {
            return "numbers";
        }
        if (!a.negations.equals(b.negations)) {
            return "negations";
        }
        if (!a.quoted.equals(b.quoted)) {
            return "quoted";
        }
        if (!a.technologies.equals(b.technologies)) {
            return "technologies";
        }
        if (!b.words.containsAll(a.names) || !a.words.containsAll(b.names)) {
            return "names";
        }
        if (a.conjunctions != b.conjunctions || a.extraQuestions != b.extraQuestions) {
            return "structure";
        }
        if (antonymBetween(a.words, b.words)) {
            return "antonyms";
        }
        if (reordered(a.content, b.content)) {
            return "reordered";
        }
        if (substituted(a.content, b.content)) {
            return "substituted";
        }
        if (inserted(a.content, b.content)) {
            return "inserted";
        }
        return null;
    }

    /** Names of the checks, in the order {@link #disagreements} reports them. */
    static final List<String> CHECKS = List.of("numbers", "negations", "quoted", "technologies", "names",
            "structure", "antonyms", "reordered", "substituted", "inserted");

    /** Every check the two prompts fail (not just the first), as a flag per entry of {@link #CHECKS}. */
    static boolean[] disagreements(Features a, Features b) {
        return new boolean[] {
            !a.numbers.equals(b.numbers),
            !a.negations.equals(b.negations),
            !a.quoted.equals(b.quoted),
            !a.technologies.equals(b.technologies),
            !b.words.containsAll(a.names) || !a.words.containsAll(b.names),
            a.conjunctions != b.conjunctions || a.extraQuestions != b.extraQuestions,
            antonymBetween(a.words, b.words),
            reordered(a.content, b.content),
            substituted(a.content, b.content),
            inserted(a.content, b.content),
        };
    }

    /*
     * Two shapes of edit keep a sentence looking the same to the embedding while changing its meaning: shared
     * content words in a different order ("flights from Denver to Boston" / "from Boston to Denver"), and a
     * substitution of a few words in an otherwise identical sentence ("slow but effective" / "fast but
     * effective"). Real paraphrases mostly reword more broadly; the few that are minimal edits are lost (safe).
     */

    /** Shared content words in another order, with few other changes. */
    static boolean reordered(List<String> a, List<String> b) {
        Set<String> common = common(a, b);
        int changed = new HashSet<>(a).size() + new HashSet<>(b).size() - 2 * common.size();
        return common.size() >= 2 && changed <= MAX_EDIT_WORDS && changed * REORDER_RATIO <= common.size()
                && !inOrder(a, common).equals(inOrder(b, common));
    }

    /** A few words replaced in an otherwise identical sentence. */
    static boolean substituted(List<String> a, List<String> b) {
        Set<String> common = common(a, b);
        int onlyA = new HashSet<>(a).size() - common.size();
        int onlyB = new HashSet<>(b).size() - common.size();
        return onlyA > 0 && onlyB > 0 && onlyA + onlyB <= MAX_EDIT_WORDS
                && (onlyA + onlyB) * SUBSTITUTION_RATIO <= common.size();
    }

    /** A word or two added to (or dropped from) a long, otherwise identical sentence. */
    static boolean inserted(List<String> a, List<String> b) {
        Set<String> common = common(a, b);
        int onlyA = new HashSet<>(a).size() - common.size();
        int onlyB = new HashSet<>(b).size() - common.size();
        int added = onlyA + onlyB;
        return (onlyA == 0 || onlyB == 0) && added > 0 && added <= MAX_INSERTED_WORDS
                && common.size() >= MIN_WORDS_FOR_INSERTION;
    }

    private static Set<String> common(List<String> a, List<String> b) {
        Set<String> common = new HashSet<>(a);
        common.retainAll(new HashSet<>(b));
        return common;
    }

    private static List<String> inOrder(List<String> words, Set<String> keep) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String w : words) {
            if (keep.contains(w) && seen.add(w)) {
                out.add(w);
            }
        }
        return out;
    }

    static Features features(String text) {
        Set<String> quoted = new HashSet<>();
        Matcher q = QUOTED.matcher(text);
        while (q.find()) {
            for (int g = 1; g <= q.groupCount(); g++) {
                if (q.group(g) != null) {
                    quoted.add(q.group(g).strip());
                }
            }
        }

        List<String> numbers = new ArrayList<>();
        Matcher n = NUMBER_EXPR.matcher(text);
        while (n.find()) {
            numbers.add(n.group().replaceAll("\\s+", "").replace("×", "*").replace("÷", "/").replace(",", ""));
        }

        List<String> negations = new ArrayList<>();
        int openNegation = -1;
        Set<String> technologies = new HashSet<>();
        Set<String> names = new HashSet<>();
        Set<String> words = new HashSet<>();
        List<String> content = new ArrayList<>();
        int conjunctions = 0;
        Matcher w = WORD.matcher(text);
        while (w.find()) {
            String raw = trimTrailingPunctuation(w.group());
            if (raw.isEmpty()) {
                continue;
            }
            String lower = raw.toLowerCase(Locale.ROOT).replace('’', '\'');
            words.add(lower);
            if (lower.endsWith("'s")) {
                words.add(lower.substring(0, lower.length() - 2));
            }
            if (lower.equals("and") || lower.equals("or")) {
                conjunctions++;
            }
            String number = NUMBER_WORDS.get(lower);
            if (number != null) {
                numbers.add(number);
            }
            boolean negation = NEGATIONS.contains(lower) || lower.endsWith("n't");
            if (!negation && openNegation >= 0 && !FUNCTION_WORDS.contains(lower)) {
                negations.set(openNegation, negations.get(openNegation) + stem(lower));
                openNegation = -1;
            }
            if (negation) {
                negations.add("¬");
                openNegation = negations.size() - 1;
            } else if (number == null && !FUNCTION_WORDS.contains(lower) && !lower.chars().allMatch(Character::isDigit)) {
                // negations and numbers are compared on their own; content words are everything else
                content.add(stem(lower));
            }
            for (String part : lower.split("-")) {
                if (TECHNOLOGIES.contains(part)) {
                    technologies.add(TECHNOLOGY_ALIASES.getOrDefault(part, part));
                }
            }
            if (isName(raw, lower, sentenceStart(text, w.start()))) {
                names.add(lower);
            }
        }
        numbers.sort(null);
        negations.sort(null);
        return new Features(List.copyOf(numbers), List.copyOf(negations), Set.copyOf(quoted), Set.copyOf(technologies),
                Set.copyOf(names), Set.copyOf(words), List.copyOf(content), conjunctions,
                extraQuestions(text));
    }

    private static boolean isName(String raw, String lower, boolean atSentenceStart) {
        if (NOT_NAMES.contains(lower) || raw.chars().allMatch(Character::isDigit)) {
            return false;
        }
        boolean acronym = raw.length() >= 2 && raw.chars().filter(Character::isLetter).allMatch(Character::isUpperCase)
                && raw.chars().anyMatch(Character::isLetter);
        boolean identifier = raw.contains("_") || raw.matches(".*[a-z][A-Z].*") || raw.matches(".*\\w\\.\\w.*");
        boolean capitalised = Character.isUpperCase(raw.codePointAt(0)) && !atSentenceStart;
        return acronym || identifier || capitalised;
    }

    private static boolean sentenceStart(String text, int offset) {
        int from = Math.max(0, offset - 3);
        return SENTENCE_END.matcher(text.substring(from, offset)).find() || offset == 0;
    }

    /** Question marks with more text after them: "What is X? And why?" asks two things. */
    private static int extraQuestions(String text) {
        String t = text.strip();
        int count = 0;
        for (int i = t.indexOf('?'); i >= 0 && i < t.length() - 1; i = t.indexOf('?', i + 1)) {
            if (t.substring(i + 1).chars().anyMatch(Character::isLetterOrDigit)) {
                count++;
            }
        }
        return count;
    }

    /** Crude suffix stripping so "lists"/"list" or "sorted"/"sorting" count as one word. */
    private static String stem(String word) {
        for (String suffix : new String[] {"ing", "ed", "es", "s", "ly"}) {
            if (word.length() > suffix.length() + 3 && word.endsWith(suffix)) {
                return word.substring(0, word.length() - suffix.length());
            }
        }
        return word;
    }

    private static String trimTrailingPunctuation(String word) {
        int end = word.length();
        while (end > 0 && ".'’-+".indexOf(word.charAt(end - 1)) >= 0 && !word.endsWith("++")) {
            end--;
        }
        return word.substring(0, end);
    }

    private static boolean antonymBetween(Set<String> a, Set<String> b) {
        for (String x : a) {
            if (b.contains(x)) {
                continue;
            }
            Set<String> opposites = ANTONYMS.get(x);
            if (opposites != null) {
                for (String y : opposites) {
                    if (b.contains(y) && !a.contains(y)) {
                        return true;
                    }
                }
            }
            if (negatedForm(x, b, a)) {
                return true;
            }
        }
        for (String y : b) {
            if (!a.contains(y) && negatedForm(y, a, b)) {
                return true;
            }
        }
        return false;
    }

    /** "unhealthy" in one prompt and "healthy" only in the other (also in-, im-, il-, ir-, dis-, non-). */
    private static boolean negatedForm(String word, Set<String> other, Set<String> own) {
        for (String prefix : new String[] {"un", "in", "im", "il", "ir", "dis", "non", "non-"}) {
            if (word.length() > prefix.length() + 3 && word.startsWith(prefix)) {
                String stem = word.substring(prefix.length());
                if (other.contains(stem) && !own.contains(stem)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Map<String, String> numberWords() {
        // "one" is left out: far more often a pronoun ("which one", "in one go") than a quantity
        String[] units = {"zero", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty"};
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < units.length; i++) {
            if (!units[i].isEmpty()) {
                m.put(units[i], Integer.toString(i));
            }
        }
        m.put("thirty", "30");
        m.put("forty", "40");
        m.put("fifty", "50");
        m.put("sixty", "60");
        m.put("seventy", "70");
        m.put("eighty", "80");
        m.put("ninety", "90");
        m.put("hundred", "100");
        m.put("thousand", "1000");
        m.put("million", "1000000");
        m.put("billion", "1000000000");
        return Map.copyOf(m);
    }

    private static Map<String, Set<String>> antonyms(String... pairs) {
        Map<String, Set<String>> m = new TreeMap<>();
        for (String pair : pairs) {
            String[] two = pair.split(" ");
            m.computeIfAbsent(two[0], k -> new HashSet<>()).add(two[1]);
            m.computeIfAbsent(two[1], k -> new HashSet<>()).add(two[0]);
        }
        m.replaceAll((k, v) -> Set.copyOf(v));
        return Map.copyOf(m);
    }
}
