package dev.costgateway.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.Tier;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.WhatIf;

/** The what-if preview's list of requests that would change tier, as a person reads it under the knob. */
class RoutingKnobExamplesTest {

    private static RecordedTraffic.Report report(int changed, RecordedTraffic.Change... examples) {
        WhatIf.Result r = new WhatIf.Result(10, Map.of(Tier.FAST, 0.5, Tier.BALANCED, 0.3, Tier.PREMIUM, 0.2), 1, 2, 1);
        return new RecordedTraffic.Report(r, r, new RecordedTraffic.Actual(Map.of(), 0, 0, 0), changed,
                List.of(examples));
    }

    @Test
    void eachExampleShowsBothTiersAndItsPromptOrElseItsQueryId() {
        String text = RoutingKnobViewModel.describeExamples(report(2,
                new RecordedTraffic.Change("q-1", Tier.PREMIUM, Tier.FAST),
                new RecordedTraffic.Change("q-2", Tier.BALANCED, Tier.PREMIUM)),
                id -> id.equals("q-1") ? Optional.of("  Convert 30 degrees\n Celsius to Fahrenheit ") : Optional.empty());
        assertThat(text.split("\n")).containsExactly("They are:",
                "premium \u2192 fast   \u201cConvert 30 degrees Celsius to Fahrenheit\u201d",
                "balanced \u2192 premium   request q-2");
    }

    @Test
    void moreChangesThanExamplesSaysSoAndLongPromptsAreCut() {
        String text = RoutingKnobViewModel.describeExamples(report(40,
                new RecordedTraffic.Change("q-1", Tier.PREMIUM, Tier.BALANCED)), id -> Optional.of("x".repeat(300)));
        String[] lines = text.split("\n");
        assertThat(lines[0]).isEqualTo("For example (newest first):");
        assertThat(lines[1]).startsWith("premium \u2192 balanced   \u201cxxx").endsWith("\u2026\u201d");
        assertThat(lines[1].length()).isLessThan(130);
    }

    @Test
    void noChangeListsNothing() {
        assertThat(RoutingKnobViewModel.describeExamples(report(0), id -> Optional.of("never read"))).isEmpty();
    }
}
