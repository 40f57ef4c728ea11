package dev.costgateway.core.routing;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.MessageText;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;

/**
 * Decides whether an answer is weak enough to retry on the next stronger tier, and which tier that is.
 *
 * <p>Triggers, checked in this order: {@code max_tokens} (the answer was cut off, when
 * {@code escalation.on_truncation}), {@code phrase:<phrase>} (an uncertainty phrase from {@code escalation.phrases}
 * in the answer's text, case-insensitive, typographic apostrophes counting as {@code '}), {@code hedging} (more than
 * {@code escalation.hedge_threshold} whole-word occurrences of {@code escalation.hedge_words} in total).
 *
 * <p>Thread-safe: the compiled hedge pattern is cached per word list and replaced when the configuration changes.
 */
public final class EscalationPolicy {

    public static final String TRIGGER_MAX_TOKENS = "max_tokens";
    public static final String TRIGGER_HEDGING = "hedging";
    public static final String TRIGGER_PHRASE_PREFIX = "phrase:";

    private volatile HedgePattern hedge = new HedgePattern(List.of(), null);

    private record HedgePattern(List<String> words, Pattern pattern) {
    }

    /** Why {@code message} (a final, non-streaming Messages response) should be retried; empty when it is fine. */
    public Optional<String> trigger(JsonNode message, GatewayConfig cfg) {
        GatewayConfig.Escalation esc = cfg.escalation();
        if (esc.onTruncation() && "max_tokens".equals(message.path("stop_reason").asText())) {
            return Optional.of(TRIGGER_MAX_TOKENS);
        }
        String text = normalise(answerText(message));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (String phrase : esc.phrases()) {
            if (!phrase.isBlank() && text.contains(normalise(phrase))) {
                return Optional.of(TRIGGER_PHRASE_PREFIX + phrase);
            }
        }
        Pattern p = hedgePattern(esc.hedgeWords());
        if (p != null) {
            Matcher m = p.matcher(text);
            int count = 0;
            while (m.find()) {
                if (++count > esc.hedgeThreshold()) {
                    return Optional.of(TRIGGER_HEDGING);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The tier to retry on: the next stronger one, if fewer than {@code max_escalations} retries were made and it is
     * not above the ceiling. Empty for an unrouted request ({@code ceiling} null).
     */
    public Optional<Tier> nextTier(Tier current, Tier ceiling, int escalationsSoFar, GatewayConfig cfg) {
        if (current == null || ceiling == null || escalationsSoFar >= cfg.maxEscalations()) {
            return Optional.empty();
        }
        return current.stronger().filter(next -> !next.isAbove(ceiling));
    }

    /** The text blocks of a Messages response, joined by newlines; empty when there are none. */
    public static String answerText(JsonNode message) {
        JsonNode content = message == null ? null : message.get("content");
        return content == null || !content.isArray() ? "" : MessageText.of(content);
    }

    private Pattern hedgePattern(List<String> words) {
        HedgePattern current = hedge;
        if (!current.words().equals(words)) {
            String alternatives = words.stream()
                    .filter(w -> !w.isBlank())
                    .map(w -> Pattern.quote(normalise(w)))
                    .collect(Collectors.joining("|"));
            current = new HedgePattern(List.copyOf(words),
                    alternatives.isEmpty() ? null : Pattern.compile("\\b(?:" + alternatives + ")\\b"));
            hedge = current;
        }
        return current.pattern();
    }

    private static String normalise(String s) {
        return s.replace('\u2019', '\'').toLowerCase(Locale.ROOT);
    }
}
