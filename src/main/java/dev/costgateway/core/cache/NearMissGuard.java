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
 *   <li>the number of negations (not, no, never, n't, without, …: "safe" vs "not safe"),</li>
 *   <li>quoted strings and inline code (exact text),</li>
 *   <li>programming languages, libraries and tools ("in Python" vs "in Rust"),</li>
 *   <li>names: a capitalised word, acronym or code identifier in one prompt must occur in the other
 *       ("Austria" vs "Australia"),</li>
 *   <li>no antonym between the words only one of them uses ("hot" vs "cold", "healthy" vs "unhealthy").</li>
 * </ul>
 * Stateless and thread-safe; {@link #features} is the expensive half and can be computed once per prompt.
 */
final class NearMissGuard {

    /** What the guard compares, extracted once per prompt. */
    record Features(List<String> numbers, int negations, Set<String> quoted, Set<String> technologies,
            Set<String> names, Set<String> words) {
    }

    private static final Pattern QUOTED = Pattern.compile(
            "\"([^\"\\n]{1,200})\"|“([^”\\n]{1,200})”|`([^`\\n]{1,200})`|(?<![\\p{L}\\p{N}])'([^'\\n]{2,200})'(?![\\p{L}\\p{N}])");
    private static final Pattern NUMBER_EXPR = Pattern.compile(
            "\\d+(?:[.,]\\d+)*(?:\\s*[-+*/^×÷x%=<>]\\s*\\d+(?:[.,]\\d+)*)*%?");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_'’.#+-]*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?:;]\\s*$|^\\s*$");

    private static final Map<String, String> NUMBER_WORDS = numberWords();

    private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "none", "nobody", "nothing",
            "nowhere", "neither", "nor", "without", "cannot", "can't", "won't", "don't", "doesn't", "didn't",
            "isn't", "aren't", "wasn't", "weren't", "shouldn't", "wouldn't", "couldn't", "mustn't", "hasn't",
            "haven't", "hadn't", "needn't", "ain't", "except", "excluding", "unless", "lack", "lacks", "fail",
            "fails", "avoid", "stop", "refuse", "deny", "against");

    /** Lower-case names of languages, libraries and tools: prompts about different ones are different. */
    private static final Set<String> TECHNOLOGIES = Set.of("python", "rust", "java", "javascript", "typescript",
            "go", "golang", "c", "c++", "c#", "f#", "kotlin", "swift", "ruby", "php", "perl", "scala", "haskell",
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
            "acquired sold", "appointed dismissed", "victory defeat", "gain loss", "profit loss", "import export");

    private static final Set<String> NOT_NAMES = Set.of("i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "a");

    private NearMissGuard() {
    }

    static boolean compatible(String a, String b) {
        return compatible(features(a), features(b));
    }

    static boolean compatible(Features a, Features b) {
        return a.numbers.equals(b.numbers)
                && a.negations == b.negations
                && a.quoted.equals(b.quoted)
                && a.technologies.equals(b.technologies)
                && b.words.containsAll(a.names)
                && a.words.containsAll(b.names)
                && !antonymBetween(a.words, b.words);
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

        int negations = 0;
        Set<String> technologies = new HashSet<>();
        Set<String> names = new HashSet<>();
        Set<String> words = new HashSet<>();
        Matcher w = WORD.matcher(text);
        while (w.find()) {
            String raw = trimTrailingPunctuation(w.group());
            if (raw.isEmpty()) {
                continue;
            }
            String lower = raw.toLowerCase(Locale.ROOT).replace('’', '\'');
            words.add(lower);
            String number = NUMBER_WORDS.get(lower);
            if (number != null) {
                numbers.add(number);
            }
            if (NEGATIONS.contains(lower) || lower.endsWith("n't")) {
                negations++;
            }
            if (TECHNOLOGIES.contains(lower)) {
                technologies.add(lower);
            }
            if (isName(raw, lower, sentenceStart(text, w.start()))) {
                names.add(lower);
            }
        }
        numbers.sort(null);
        return new Features(List.copyOf(numbers), negations, Set.copyOf(quoted), Set.copyOf(technologies),
                Set.copyOf(names), Set.copyOf(words));
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
        String[] units = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty"};
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < units.length; i++) {
            m.put(units[i], Integer.toString(i));
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
