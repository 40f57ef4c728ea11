package dev.costgateway.app.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.RequestRecord;

/** Plausible traffic for tests and screenshots: deterministic for a seed. */
public final class SampleData {
    private static final String HAIKU = "claude-haiku-4-5-20251001";
    private static final String SONNET = "claude-sonnet-4-6";
    private static final String OPUS = "claude-opus-4-7";
    private static final String[] PROMPTS = {
        "Rename the variable `cnt` to `count` in this function",
        "Explain why this Jetty handler deadlocks under load and propose a fix",
        "hi",
        "Write a unit test for the CSV exporter that covers quoting",
        "Summarize the attached design document in five bullet points",
        "What is the capital of Australia?",
        "Refactor the payment service to use the outbox pattern; keep the public API",
        "Translate this error message to German",
    };

    private SampleData() {
    }

    /** {@code count} requests spread over the {@code days} before {@code now}, newest last. */
    public static List<RequestRecord> traffic(Instant now, int days, int count, long seed) {
        return traffic(now, Duration.ofDays(days), count, seed);
    }

    /** {@code count} requests spread over {@code span} before {@code now}, newest last. */
    public static List<RequestRecord> traffic(Instant now, Duration spanBefore, int count, long seed) {
        Random rnd = new Random(seed);
        List<RequestRecord> out = new ArrayList<>();
        long span = spanBefore.toMillis();
        for (int i = 0; i < count; i++) {
            double f = (double) i / count;
            Instant t = now.minusMillis((long) ((1 - f) * span) + rnd.nextInt(60_000));
            out.add(request(String.format("q%05d", i), t, rnd));
        }
        return out;
    }

    static RequestRecord request(String id, Instant t, Random rnd) {
        String prompt = PROMPTS[rnd.nextInt(PROMPTS.length)];
        String requested = rnd.nextInt(3) == 0 ? OPUS : SONNET;
        int roll = rnd.nextInt(100);
        String tier;
        String model;
        String layer;
        String reason;
        if (roll < 45) {
            tier = "fast";
            model = HAIKU;
            layer = "heuristic";
            reason = "short prompt, no code, confidence 0.86";
        } else if (roll < 75) {
            tier = "balanced";
            model = SONNET;
            layer = "embedding";
            reason = "nearest examples agree (cosine 0.93): \"write a unit test\"";
        } else if (roll < 92) {
            tier = requested.equals(OPUS) ? "premium" : "balanced";
            model = requested;
            layer = "rule";
            reason = "tools present: kept the requested model";
        } else {
            tier = "fast";
            model = HAIKU;
            layer = "haiku";
            reason = "fast model answered SIMPLE";
        }
        String cache = rnd.nextInt(100) < 12 ? "exact" : rnd.nextInt(100) < 8 ? "semantic" : "none";
        int escalations = cache.equals("none") && rnd.nextInt(100) < 7 ? 1 : 0;
        String finalModel = escalations > 0 ? (model.equals(HAIKU) ? SONNET : OPUS) : model;
        if (escalations > 0) {
            tier = finalModel.equals(SONNET) ? "balanced" : "premium";
        }
        long in = 200 + rnd.nextInt(6000);
        long outTok = 50 + rnd.nextInt(1200);
        Usage usage = new Usage(in, outTok, 0, 0, 0, rnd.nextInt(4) == 0 ? in / 2 : 0);
        double cost = cache.equals("none") ? price(finalModel, in, outTok) * (1 + escalations * 0.3) : 0;
        double cf = price(requested, in, outTok);
        long latency = cache.equals("none") ? 300 + rnd.nextInt(finalModel.equals(HAIKU) ? 900 : 4000)
                : 3 + rnd.nextInt(25);
        boolean failed = rnd.nextInt(100) < 2;
        List<AttemptRecord> attempts = new ArrayList<>();
        if (cache.equals("none")) {
            attempts.add(new AttemptRecord(0, "answer", model, "initial", 200, usage, price(model, in, outTok),
                    latency / (escalations + 1)));
            if (escalations > 0) {
                attempts.add(new AttemptRecord(1, "answer", finalModel, rnd.nextBoolean() ? "phrase:I'm not sure"
                        : "max_tokens", failed ? 529 : 200, usage, price(finalModel, in, outTok), latency / 2));
            }
        }
        return new RequestRecord(id, t, "k-3f9a", requested, finalModel, tier, layer, reason, cache, escalations,
                rnd.nextBoolean(), failed ? 529 : 200, failed ? "overloaded_error" : null, usage, cost, cf, cf - cost,
                latency, Math.min(latency, 120 + rnd.nextInt(200)), cache.equals("none") ? latency - 5 : 0, prompt,
                "Here is a concise answer to: " + prompt.toLowerCase(), attempts);
    }

    private static double price(String model, long in, long out) {
        double[] p = switch (model) {
            case HAIKU -> new double[] {1, 5};
            case SONNET -> new double[] {3, 15};
            default -> new double[] {5, 25};
        };
        return (in * p[0] + out * p[1]) / 1_000_000.0;
    }

    private static final String[] PROJECTS = {"/home/ana/src/shop/api", "/home/ana/src/shop/web",
        "/home/ana/src/infra", "/home/ana/notes"};
    private static final String[] SESSION_PROMPTS = {"Fix the failing checkout test", "Add pagination to /orders",
        "Why is the build slow?", "Write the migration for the new price table", "Review my last commit"};

    /**
     * Claude Code sessions ending before {@code now}: per session one project, 4 to 30 requests a minute or so
     * apart on Opus, the prompt cache growing turn by turn (a first write, then reads of the prefix and writes of
     * what is new); every third session has an idle gap of 12 minutes (a full re-write), every fifth a move to
     * Sonnet half way. Costs at list prices with the cache multipliers. Newest session last.
     */
    public static List<RequestRecord> sessions(Instant now, int count, long seed) {
        Random rnd = new Random(seed);
        List<RequestRecord> out = new ArrayList<>();
        Instant t = now.minus(Duration.ofMinutes(40L * count));
        for (int s = 0; s < count; s++) {
            String id = java.util.UUID.nameUUIDFromBytes(("session-" + seed + "-" + s)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
            String project = PROJECTS[rnd.nextInt(PROJECTS.length)];
            String prompt = SESSION_PROMPTS[rnd.nextInt(SESSION_PROMPTS.length)];
            int turns = 4 + rnd.nextInt(27);
            long prefix = 0;
            String model = OPUS;
            for (int i = 0; i < turns; i++) {
                boolean idle = s % 3 == 2 && i == turns / 2;
                t = t.plusSeconds(idle ? 720 : 20 + rnd.nextInt(70));
                if (s % 5 == 4 && i == turns / 2) {
                    model = SONNET;
                    prefix = 0;
                }
                long delta = i == 0 ? 11_000 + rnd.nextInt(3000) : 600 + rnd.nextInt(2500);
                long write = prefix == 0 || idle ? prefix + delta : delta;
                long read = prefix == 0 || idle ? 0 : prefix;
                prefix += delta;
                long outTok = 80 + rnd.nextInt(900);
                Usage usage = new Usage(3, outTok, write, write, 0, read);
                double in = model.equals(OPUS) ? 5 : 3;
                double outPrice = model.equals(OPUS) ? 25 : 15;
                double cost = (3 * in + write * in * 1.25 + read * in * 0.1 + outTok * outPrice) / 1e6;
                double cf = (3 * 5 + write * 5 * 1.25 + read * 5 * 0.1 + outTok * 25) / 1e6;
                long latency = 1500 + rnd.nextInt(9000);
                String qid = String.format("s%03d-%02d", s, i);
                out.add(new RequestRecord(qid, t, "k-3f9a", OPUS, model, model.equals(OPUS) ? "premium" : "balanced",
                        "rule", "tools present: kept the requested model", "none", 0, true, 200, null, usage, cost,
                        cf, cf - cost, latency, 400 + rnd.nextInt(300), latency - 5, i == 0 ? prompt
                        : "Let me continue with: " + prompt.toLowerCase(), "Done with step " + (i + 1),
                        List.of(new AttemptRecord(0, "answer", model, "initial", 200, usage, cost, latency)),
                        new dev.costgateway.core.session.SessionTag(id,
                                dev.costgateway.core.session.SessionTag.Source.HEADER, project, 3)));
                t = t.plusMillis(latency);
            }
            t = t.plus(Duration.ofMinutes(5 + rnd.nextInt(30)));
        }
        return out;
    }
}
