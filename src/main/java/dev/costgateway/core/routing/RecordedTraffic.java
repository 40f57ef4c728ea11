package dev.costgateway.core.routing;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.metrics.MetricsQueries.ScoredRequest;
import dev.costgateway.core.metrics.RouterScores;

/**
 * A range of recorded, scored requests (the V3 columns) ready to be re-thresholded: what a routing setting would
 * have done to the user's own traffic, next to what the setting in force gives on the same estimate and what was
 * actually spent. Feeds {@code GET /v1/routing/whatif} and the routing knob's live preview, which loads the rows
 * once and then calls {@link #evaluate} for every position of the knob (in memory, no I/O). Immutable.
 *
 * <p>Requests a conservative rule sent to the ceiling (layer {@code rule}, or {@code n/a}: the ceiling decided)
 * keep their tier under every setting. The estimate prices the final answer's usage at the tier each request would
 * get ({@link WhatIf}); the actual cost also holds escalations and classifier calls, so "now" (the setting in force,
 * estimated the same way) is the figure to compare a proposal with.
 */
public final class RecordedTraffic {

    /** How many requests that would change tier are listed as examples. */
    public static final int MAX_EXAMPLES = 5;

    /**
     * What the recorded requests actually did.
     *
     * @param share           fraction per final tier (after escalations)
     * @param costUsd         their recorded cost, unknown costs left out
     * @param unknownCost     requests whose cost is unknown
     * @param escalated       requests that were escalated at least once
     */
    public record Actual(Map<Tier, Double> share, double costUsd, int unknownCost, int escalated) {
    }

    /** One request that the proposal moves: its query id and its tier now and under the proposal. */
    public record Change(String queryId, Tier now, Tier proposed) {
    }

    /**
     * @param proposed    the proposed setting's estimate
     * @param now         the setting in force, estimated the same way
     * @param actual      what was recorded
     * @param changedTier requests whose tier differs between {@code now} and {@code proposed}
     * @param examples    up to {@value #MAX_EXAMPLES} of them, newest first
     */
    public record Report(WhatIf.Result proposed, WhatIf.Result now, Actual actual, int changedTier,
                         List<Change> examples) {
    }

    private final List<ScoredRequest> rows;
    private final List<WhatIf.Scored> scored;
    private final RouterModel model;

    private RecordedTraffic(List<ScoredRequest> rows, List<WhatIf.Scored> scored, RouterModel model) {
        this.rows = rows;
        this.scored = scored;
        this.model = model;
    }

    /** The rows that carry usable scores (a known ceiling); others are left out. */
    public static RecordedTraffic of(List<ScoredRequest> recorded, RouterModel model) {
        List<ScoredRequest> rows = new ArrayList<>();
        List<WhatIf.Scored> scored = new ArrayList<>();
        for (ScoredRequest r : recorded) {
            Optional<WhatIf.Scored> s = toScored(r);
            if (s.isPresent()) {
                rows.add(r);
                scored.add(s.get());
            }
        }
        return new RecordedTraffic(List.copyOf(rows), List.copyOf(scored), model);
    }

    private static Optional<WhatIf.Scored> toScored(ScoredRequest r) {
        RouterScores s = r.scores();
        if (s == null || r.usage() == null || Double.isNaN(s.premium()) || Double.isNaN(s.balanced())) {
            return Optional.empty();
        }
        Optional<Tier> ceiling = Tier.fromId(s.ceiling());
        if (ceiling.isEmpty()) {
            return Optional.empty();
        }
        boolean pinned = ClassifierLayer.RULE.id().equals(r.classifierLayer())
                || ClassifierLayer.NONE.id().equals(r.classifierLayer());
        DifficultyScore score = new DifficultyScore(s.premium(), s.balanced(), s.model());
        return Optional.of(new WhatIf.Scored(score, ceiling.get(), r.requestedModel(), r.usage(),
                pinned ? ceiling.get() : null));
    }

    /**
     * The setting {@code r} with raw thresholds calibrated on this traffic instead of the shipped reference: the
     * premium threshold that about {@code premiumShare} of these requests' premium scores reach, the fast threshold
     * that about {@code fastShare} of their balanced scores stay below (the quantile method of {@link Calibration}).
     * Only requests the scores decide count (not those a rule kept at the ceiling), and only those scored with the
     * embedding when there are any, since one raw threshold applies to both scoring models. Empty when no request
     * qualifies or a share is not strictly between 0 and 1 (a threshold would be infinite).
     */
    public Optional<GatewayConfig.Routing> calibratedOnThis(GatewayConfig.Routing r, double premiumShare,
                                                          double fastShare) {
        if (!(premiumShare > 0 && premiumShare < 1 && fastShare > 0 && fastShare < 1)) {
            return Optional.empty();
        }
        boolean anyEmbedding = scored.stream()
                .anyMatch(s -> s.pinned() == null && s.score().usedEmbedding());
        double[] premium = scored.stream().filter(s -> s.pinned() == null
                        && (!anyEmbedding || s.score().usedEmbedding()))
                .mapToDouble(s -> s.score().premium()).sorted().toArray();
        double[] balanced = scored.stream().filter(s -> s.pinned() == null
                        && (!anyEmbedding || s.score().usedEmbedding()))
                .mapToDouble(s -> s.score().balanced()).sorted().toArray();
        if (premium.length == 0) {
            return Optional.empty();
        }
        double pt = Calibration.premiumThresholdForShare(premium, premiumShare);
        double ft = Calibration.fastThresholdForShare(balanced, fastShare);
        return Optional.of(new GatewayConfig.Routing(r.mode(), r.allowUpgrade(), r.longContextTokens(), r.manyTurns(),
                r.conservativeTools(), r.conservativeThinking(), r.conservativeMedia(), r.conservativeLongContext(),
                r.conservativeManyTurns(), premiumShare, fastShare, pt, ft));
    }

    /** Requests in the range that can be re-thresholded. */
    public int size() {
        return scored.size();
    }

    /** {@code proposed} against the setting in force ({@code cfg.routing()}), prices from {@code cfg}. */
    public Report evaluate(GatewayConfig.Routing proposed, GatewayConfig cfg) {
        WhatIf.Result next = WhatIf.evaluate(scored, proposed, model, cfg);
        WhatIf.Result now = WhatIf.evaluate(scored, cfg.routing(), model, cfg);
        int changed = 0;
        List<Change> examples = new ArrayList<>();
        for (int i = 0; i < scored.size(); i++) {
            Tier a = WhatIf.tierOf(scored.get(i), cfg.routing(), model);
            Tier b = WhatIf.tierOf(scored.get(i), proposed, model);
            if (a != b) {
                changed++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(new Change(rows.get(i).queryId(), a, b));
                }
            }
        }
        return new Report(next, now, actual(), changed, List.copyOf(examples));
    }

    private Actual actual() {
        Map<Tier, Integer> counts = new EnumMap<>(Tier.class);
        double cost = 0;
        int unknown = 0;
        int escalated = 0;
        for (ScoredRequest r : rows) {
            Tier.fromId(r.tier()).ifPresent(t -> counts.merge(t, 1, Integer::sum));
            if (r.costUsd() == null) {
                unknown++;
            } else {
                cost += r.costUsd();
            }
            if (r.escalations() > 0) {
                escalated++;
            }
        }
        Map<Tier, Double> share = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            share.put(t, rows.isEmpty() ? 0 : counts.getOrDefault(t, 0) / (double) rows.size());
        }
        return new Actual(share, cost, unknown, escalated);
    }
}
