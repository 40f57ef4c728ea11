package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.decision.InFlight;

class SingleFlightTest {

    private final SingleFlight<String> flights = new SingleFlight<>();

    @Test
    void theFirstCallerLeadsAndIdenticalOnesFollowUntilItLands() {
        InFlight leader = flights.join("k");
        List<InFlight> followers = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            followers.add(flights.join("k"));
        }
        assertThat(leader.follower()).isFalse();
        assertThat(leader.landed()).isDone();
        assertThat(followers).allMatch(InFlight::follower);
        assertThat(followers).noneMatch(f -> f.landed().isDone());
        assertThat(flights.inFlight()).isEqualTo(1);

        leader.land();

        assertThat(followers).allMatch(f -> f.landed().isDone() && !f.landed().isCompletedExceptionally());
        assertThat(flights.inFlight()).isZero();
    }

    @Test
    void otherKeysNeverWait() {
        InFlight a = flights.join("caller-a|prompt");
        InFlight b = flights.join("caller-b|prompt");
        assertThat(a.follower()).isFalse();
        assertThat(b.follower()).as("another caller's identical prompt has another key").isFalse();
        a.land();
        b.land();
    }

    @Test
    void afterTheLandingTheNextCallerLeadsANewFlight() {
        InFlight first = flights.join("k");
        InFlight follower = flights.join("k");
        first.land();
        InFlight next = flights.join("k");
        assertThat(next.follower()).isFalse();
        assertThat(follower.landed()).isDone();
        // a late second landing of the old leader must not end the new flight
        first.land();
        InFlight waiting = flights.join("k");
        assertThat(waiting.follower()).isTrue();
        assertThat(waiting.landed()).isNotDone();
        next.land();
        assertThat(waiting.landed()).isDone();
    }

    @Test
    void followersAndTheNoneTicketLeadNothing() {
        InFlight leader = flights.join("k");
        InFlight follower = flights.join("k");
        follower.land();
        assertThat(follower.landed()).isNotDone();
        assertThat(flights.inFlight()).isEqualTo(1);
        SingleFlight.NONE.land();
        assertThat(SingleFlight.NONE.follower()).isFalse();
        assertThat(SingleFlight.NONE.landed()).isDone();
        leader.land();
    }
}
