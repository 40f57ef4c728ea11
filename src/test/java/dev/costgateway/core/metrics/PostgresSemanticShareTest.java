package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.cache.SemanticShare;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.PostgresServer;

/**
 * The shared semantic cache's table and notification listener on a real PostgreSQL (migration V7, ADR 0061): an
 * entry or an eviction written by one gateway reaches the others (not itself) through LISTEN/NOTIFY, a gateway
 * started later reads what is live, and a listener that lost PostgreSQL catches up when it is back.
 */
class PostgresSemanticShareTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final String MODEL = "test-model";

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** What a listener heard, in order. */
    private static final class Heard implements SemanticShare.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void added(SemanticShare.Entry entry) {
            events.add(entry);
        }

        @Override
        public void evicted(SemanticShare.Eviction eviction) {
            events.add(eviction);
        }

        /** The next event, waiting at most 5 s for it. */
        Object next() throws InterruptedException {
            Object e = events.poll(5, TimeUnit.SECONDS);
            assertThat(e).as("an event within 5 s").isNotNull();
            return e;
        }

        SemanticShare.Entry nextAdded() throws InterruptedException {
            return (SemanticShare.Entry) next();
        }

        SemanticShare.Eviction nextEvicted() throws InterruptedException {
            return (SemanticShare.Eviction) next();
        }
    }

    private PostgresSemanticShare share(String jdbcUrl, String instance) {
        MetricsDatabase db = MetricsDatabase.forUrl(jdbcUrl, dataDir, name -> null);
        open.add(db);
        PostgresSemanticShare share = new PostgresSemanticShare(db, instance, clock);
        open.add(share);
        return share;
    }

    private static Heard listen(PostgresSemanticShare share) throws InterruptedException {
        Heard heard = new Heard();
        share.start(MODEL, 100, heard);
        Await.until(Duration.ofSeconds(10), "listening within 10 s", () -> share.status().up());
        return heard;
    }

    private static SemanticShare.Entry entry(String group, String prompt, float[] vector, Instant storedAt) {
        return new SemanticShare.Entry(0, "", MODEL, group, "scope-1", prompt, vector,
                new byte[] {1, 2, 3, (byte) prompt.length()}, storedAt.toEpochMilli(),
                storedAt.plus(Duration.ofDays(7)).toEpochMilli());
    }

    @Test
    void anEntryWrittenByOneGatewayReachesTheOthersButNotItself() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        PostgresSemanticShare a = share(url, "gateway-a");
        PostgresSemanticShare b = share(url, "gateway-b");
        Heard heardByA = listen(a);
        Heard heardByB = listen(b);

        float[] vector = {0.6f, 0.8f, 0f};
        long sent = System.nanoTime();
        a.publish(entry("g1", "Who wrote Hamlet? \u00e9", vector, T));
        SemanticShare.Entry got = heardByB.nextAdded();
        Duration latency = Duration.ofNanos(System.nanoTime() - sent);
        assertThat(latency).as("delivered within a second").isLessThan(Duration.ofSeconds(1));
        assertThat(got.id()).isPositive();
        assertThat(got.instance()).isEqualTo("gateway-a");
        assertThat(got.model()).isEqualTo(MODEL);
        assertThat(got.group()).isEqualTo("g1");
        assertThat(got.scope()).isEqualTo("scope-1");
        assertThat(got.prompt()).isEqualTo("Who wrote Hamlet? \u00e9");
        assertThat(got.vector()).containsExactly(vector);
        assertThat(got.answer()).containsExactly(1, 2, 3, 19);
        assertThat(got.storedAtMillis()).isEqualTo(T.toEpochMilli());
        assertThat(got.expiresAtMillis()).isEqualTo(T.plus(Duration.ofDays(7)).toEpochMilli());

        // commits notify in order: A's first event is B's later entry, so its own was not delivered to it
        b.publish(entry("g2", "from b", vector, T));
        assertThat(heardByA.nextAdded().prompt()).isEqualTo("from b");
        assertThat(a.status().published()).isEqualTo(1);
        assertThat(b.status().received()).isEqualTo(1);
        assertThat(a.status().received()).isEqualTo(1);
    }

    @Test
    void aRejectionEvictsTheEntryOnTheOthersWithTheRejectedPair() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        PostgresSemanticShare a = share(url, "gateway-a");
        PostgresSemanticShare b = share(url, "gateway-b");
        Heard heardByA = listen(a);
        Heard heardByB = listen(b);
        float[] stored = {0.6f, 0.8f, 0f};
        float[] asked = {0.8f, 0.6f, 0f};
        a.publish(entry("g1", "Who wrote Hamlet?", stored, T));
        long id = heardByB.nextAdded().id();
        // B's own eviction below is not delivered to B: B's next event is A's later entry (cast would fail)

        b.evict(MODEL, new SemanticShare.Eviction(0, "", "g1", "Who wrote Hamlet?", T.toEpochMilli(), stored, asked,
                0.93));
        SemanticShare.Eviction got = heardByA.nextEvicted();
        assertThat(got.id()).isEqualTo(id);
        assertThat(got.instance()).isEqualTo("gateway-b");
        assertThat(got.group()).isEqualTo("g1");
        assertThat(got.prompt()).isEqualTo("Who wrote Hamlet?");
        assertThat(got.storedAtMillis()).isEqualTo(T.toEpochMilli());
        assertThat(got.vector()).containsExactly(stored);
        assertThat(got.asked()).containsExactly(asked);
        assertThat(got.similarity()).isEqualTo(0.93);

        // an eviction of an entry stored before T leaves a newer row alone
        a.publish(entry("g1", "Who wrote Hamlet?", stored, T.plusSeconds(10)));
        assertThat(heardByB.nextAdded().storedAtMillis()).isEqualTo(T.plusSeconds(10).toEpochMilli());
        b.evict(MODEL, new SemanticShare.Eviction(0, "", "g1", "Who wrote Hamlet?", T.toEpochMilli(), stored, asked,
                0.93));
        b.publish(entry("g9", "marker", stored, T)); // after the eviction: B writes in order
        assertThat(heardByA.nextAdded().prompt()).as("nothing was evicted the second time").isEqualTo("marker");
        try (Connection c = StoreBackend.POSTGRESQL.connect(url, dataDir); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM semantic_entries WHERE evicted_at_millis IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void aGatewayStartedLaterReadsWhatIsLiveAndTheEvictionsInForce() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        PostgresSemanticShare a = share(url, "gateway-a");
        listen(a);
        float[] v = {1f, 0f};
        a.publish(entry("g1", "kept", v, T));
        a.publish(entry("g1", "rejected", v, T));
        a.publish(entry("g1", "expired", v, T.minus(Duration.ofDays(8))));
        a.publish(new SemanticShare.Entry(0, "", "other-model", "g1", "", "other model", v, new byte[] {9},
                T.toEpochMilli(), T.plus(Duration.ofDays(1)).toEpochMilli()));
        a.evict(MODEL, new SemanticShare.Eviction(0, "", "g1", "rejected", T.toEpochMilli(), v, new float[] {0f, 1f},
                0.9));
        a.publish(entry("g9", "last", v, T));
        Await.until(Duration.ofSeconds(5), "A's writes done", () -> a.status().published() == 5);

        PostgresSemanticShare c = share(url, "gateway-c");
        Heard heardByC = listen(c);
        assertThat(heardByC.nextAdded().prompt()).isEqualTo("kept");
        assertThat(heardByC.nextAdded().prompt()).isEqualTo("last");
        SemanticShare.Eviction eviction = heardByC.nextEvicted();
        assertThat(eviction.prompt()).isEqualTo("rejected");
        assertThat(eviction.asked()).as("with its rejected pair").containsExactly(0f, 1f);
        assertThat(heardByC.events).isEmpty();

        // the same data folder's gateway, restarted, reads its own entries of the earlier run
        PostgresSemanticShare again = share(url, "gateway-a");
        Heard heardAgain = listen(again);
        assertThat(heardAgain.nextAdded().prompt()).isEqualTo("kept");
    }

    @Test
    void expiredRowsArePurged() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        PostgresSemanticShare a = share(url, "gateway-a");
        listen(a);
        a.publish(entry("g1", "old", new float[] {1f}, T.minus(Duration.ofDays(8))));
        a.publish(entry("g1", "new", new float[] {1f}, T));
        Await.until(Duration.ofSeconds(5), "A's writes done", () -> a.status().published() == 2);
        try (Connection c = StoreBackend.POSTGRESQL.connect(url, dataDir)) {
            assertThat(SemanticEntryTable.purge(c, T.toEpochMilli())).isEqualTo(1);
            assertThat(SemanticEntryTable.live(c, MODEL, 0, 0, null, 10)).extracting(SemanticShare.Entry::prompt)
                    .containsExactly("new");
        }
    }

    @Test
    void aListenerCatchesUpWithWhatWasWrittenWhilePostgresWasDown() throws Exception {
        PostgresServer pg = PostgresServer.start(); // our own: stopped and restarted
        open.add(pg);
        String url = pg.freshDatabase();
        PostgresSemanticShare a = share(url, "gateway-a");
        PostgresSemanticShare b = share(url, "gateway-b");
        listen(a);
        Heard heardByB = listen(b);
        a.publish(entry("g1", "before", new float[] {1f}, T));
        assertThat(heardByB.nextAdded().prompt()).isEqualTo("before");

        pg.stop();
        Await.until(Duration.ofSeconds(10), "B sees the database go", () -> !b.status().up());
        assertThat(b.status().problem()).startsWith("unreachable");
        a.publish(entry("g1", "during", new float[] {1f}, T));
        Await.until(Duration.ofSeconds(10), "A's write waits for the database", () -> !a.status().up());
        assertThat(a.status().published()).isEqualTo(1);

        pg.restart();
        SemanticShare.Entry caught = heardByB.nextAdded();
        assertThat(caught.prompt()).isEqualTo("during");
        Await.until(Duration.ofSeconds(10), "both up again", () -> a.status().up() && b.status().up());
        assertThat(a.status().published()).isEqualTo(2);
        assertThat(a.status().dropped()).isZero();
        a.publish(entry("g1", "after", new float[] {1f}, T));
        assertThat(heardByB.nextAdded().prompt()).as("listening again, each entry once").isEqualTo("after");
    }
}
