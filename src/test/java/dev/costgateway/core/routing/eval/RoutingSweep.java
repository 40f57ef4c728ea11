package dev.costgateway.core.routing.eval;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.routing.DifficultyScorer;
import dev.costgateway.core.routing.RouterModel;
import dev.costgateway.core.routing.Calibration;

/**
 * Sweeps {@code routing.premium_share} × {@code routing.fast_share} over the TUNE split only (public tune prompts
 * and our own training examples; never the held-out ones) and prints the figures the targets are about.
 * This is how the defaults were chosen. Run with {@code -Deval.sweep=true} on {@link RoutingEvaluationBenchTest}.
 */
final class RoutingSweep {

    private RoutingSweep() {
    }

    static void run(List<RoutingEvaluation.Item> all, Embedder embedder) {
        List<RoutingEvaluation.Item> tune = all.stream().filter(i -> !i.holdout()).toList();
        RouterModel model = RouterModel.load();
        DifficultyScorer scorer = new DifficultyScorer(model, () -> Optional.ofNullable(embedder));
        Map<RoutingEvaluation.Item, DifficultyScore> scores = new IdentityHashMap<>();
        for (RoutingEvaluation.Item i : tune) {
            scores.put(i, scorer.score(i.body()));
        }
        Map<String, List<Double>> dist = new java.util.TreeMap<>();
        for (RoutingEvaluation.Item i : tune) {
            String key = i.set() + (i.set().equals("own") ? ":" + i.group()
                    : i.needsStrong() ? ":needs-strong" : Boolean.TRUE.equals(i.weakRight()) ? ":cheap-ok" : "");
            dist.computeIfAbsent(key, k -> new ArrayList<>()).add(scores.get(i).balanced());
        }
        System.out.println("\nP(at least balanced) by group, tune split: p10 / p50 / p90");
        for (var e : dist.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-28s n=%4d  %.3f / %.3f / %.3f%n", e.getKey(), v.length,
                    v[(int) (0.1 * (v.length - 1))], v[(int) (0.5 * (v.length - 1))], v[(int) (0.9 * (v.length - 1))]);
        }
        System.out.println("\nSweep over the TUNE split (" + tune.size() + " prompts), model "
                + (embedder == null ? RouterModel.FEATURES_ONLY : RouterModel.WITH_EMBEDDING));
        System.out.println("p_share f_share | needs-strong->fast gsm8k mmlu mt all | cheap-ok->fast gsm8k mmlu "
                + "| mt quality cost | own simple->fast moderate->bal complex->prem complex->fast | ref fast/prem");
        for (double ps : new double[] {0.15, 0.2, 0.25, 0.3, 0.35}) {
            for (double fs : new double[] {0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25}) {
                GatewayConfig.Routing r = new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12,
                        true, true, true, true, true, ps, fs, null, null);
                line(ps, fs, tune, scores, model, r);
            }
        }
    }

    private static void line(double ps, double fs, List<RoutingEvaluation.Item> tune,
                             Map<RoutingEvaluation.Item, DifficultyScore> scores, RouterModel model,
                             GatewayConfig.Routing r) {
        Map<String, int[]> c = new java.util.HashMap<>();
        double mtRight = 0;
        double mtStrong = 0;
        double mtCost = 0;
        double mtPremium = 0;
        int refFast = 0;
        int refPrem = 0;
        for (RoutingEvaluation.Item i : tune) {
            DifficultyScore s = scores.get(i);
            Tier t = Calibration.of(r, model, s.model()).tierFor(s);
            refFast += t == Tier.FAST ? 1 : 0;
            refPrem += t == Tier.PREMIUM ? 1 : 0;
            boolean fast = t == Tier.FAST;
            if (i.needsStrong()) {
                count(c, "ns:" + i.set(), fast);
                if (!i.set().equals("own")) {
                    count(c, "ns:all", fast);
                }
            }
            if (Boolean.TRUE.equals(i.weakRight())) {
                count(c, "ok:" + i.set(), fast);
            }
            if (i.set().equals("mt-bench")) {
                mtRight += fast ? (i.weakRight() ? 1 : 0) : 1;
                mtStrong += 1;
                double w = t == Tier.FAST ? 0.2 : t == Tier.BALANCED ? 0.6 : 1.0;
                mtCost += w;
                mtPremium += 1;
            }
            if (i.set().equals("own")) {
                count(c, "own:" + i.group(), t.id().equals(i.group()));
                if (i.group().equals("premium")) {
                    count(c, "own:complex-fast", fast);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%5.2f  %5.2f  | %5.1f %5.1f %5.1f %5.1f | %5.1f %5.1f | %5.1f %5.1f "
                        + "| %5.1f %5.1f %5.1f %5.1f | %4.1f %4.1f%n",
                ps, fs, pct(c, "ns:gsm8k"), pct(c, "ns:mmlu"), pct(c, "ns:mt-bench"), pct(c, "ns:all"),
                pct(c, "ok:gsm8k"), pct(c, "ok:mmlu"), 100 * mtRight / mtStrong, 100 * mtCost / mtPremium,
                pct(c, "own:fast"), pct(c, "own:balanced"), pct(c, "own:premium"), pct(c, "own:complex-fast"),
                100.0 * refFast / tune.size(), 100.0 * refPrem / tune.size());
    }

    private static void count(Map<String, int[]> c, String key, boolean hit) {
        int[] v = c.computeIfAbsent(key, k -> new int[2]);
        v[0] += hit ? 1 : 0;
        v[1]++;
    }

    private static double pct(Map<String, int[]> c, String key) {
        int[] v = c.get(key);
        return v == null || v[1] == 0 ? Double.NaN : 100.0 * v[0] / v[1];
    }
}
