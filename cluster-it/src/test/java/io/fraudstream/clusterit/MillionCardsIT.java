package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Transaction;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many distinct cards (one or two transactions each) through the job on the multi-process cluster with
 * RocksDB (parallelism 2, full checkpoints every 2 s): reports the checkpointed state size and the
 * TaskManagers' memory once every card is scored, then verifies TTL expiry at scale: after
 * {@code state.card-ttl} of processing time without transactions, the cleanup timer has deleted every card's
 * state ({@code fraudstreamCardsExpired} = cards) and a later checkpoint is clearly smaller (see the note at the
 * assertion: a quarter to a half of the peak remains, which is open).
 *
 * <p>CI runs 100,000 cards; {@code -Dfraudstream.million.cards=1000000 -Dfraudstream.million.ttl="4 min"}
 * runs the full million (docs/RELIABILITY.md). The TTL must exceed the time it takes to score every card, or
 * the first cards expire before the "full" checkpoint.
 */
class MillionCardsIT {

    private static final int CARDS = Integer.getInteger("fraudstream.million.cards", 100_000);
    private static final String TTL = System.getProperty("fraudstream.million.ttl", "60 s");
    private static final Duration LONG = Duration.ofMinutes(20);
    private static final List<String> MEMORY = List.of("Status.JVM.Memory.Heap.Used", "Status.JVM.Memory.Heap.Max",
            "Status.JVM.Memory.NonHeap.Used", "Status.JVM.Memory.Direct.MemoryUsed", "Status.Flink.Memory.Managed.Used",
            "Status.Flink.Memory.Managed.Total");

    private static ClusterFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        // Full (not incremental) RocksDB checkpoints: their size is the live state, deleted keys excluded.
        fixture = ClusterFixture.start("-million", 2, 1.0, Map.of("execution.checkpointing.incremental", "false"));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void stateGrowsWithCardsAndIsDeletedAfterTheTtl() throws Exception {
        long t0 = System.nanoTime();
        Instant start = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        // Every card once; every other card a second time, one second later (event time).
        int total = CARDS + CARDS / 2;
        List<Transaction> txs = new AbstractList<>() {
            @Override
            public Transaction get(int i) {
                int card = i < CARDS ? i : (i - CARDS) * 2;
                int n = i < CARDS ? 0 : 1;
                return ClusterFixture.transaction("c" + card + "-t" + n, String.format("card-%07d", card),
                        start.plusMillis(card * 100L + n * 1000L), 500 + card % 9_000);
            }

            @Override
            public int size() {
                return total;
            }
        };
        fixture.produce(Topics.TRANSACTIONS.name(), txs);
        double produced = (System.nanoTime() - t0) / 1e9;

        String jobId = fixture.rest.runJar(fixture.uploadJobJar(), FraudScoringJob.class.getName(), fixture.jobArgs(
                "--" + JobOptions.CHECKPOINT_INTERVAL.key(), "2 s",
                "--" + JobOptions.CARD_STATE_TTL.key(), TTL,
                // ~300 bytes per cached transaction: keep the deserialized-history cache inside the 256 MB task heap.
                "--" + JobOptions.HISTORY_CACHE_TRANSACTIONS.key(), "200000"), 2, null);
        fixture.rest.awaitRunning(jobId, ClusterFixture.START);
        long jobStarted = System.nanoTime();
        FlinkStandaloneCluster cluster = fixture.cluster;
        String scores = Topics.FRAUD_SCORES.name();
        cluster.await(total + " scores written", LONG, () -> fixture.endOffsetSum(scores, "read_uncommitted") >= total);
        double scoring = (System.nanoTime() - jobStarted) / 1e9;
        long allScoredAt = System.currentTimeMillis();

        // The first checkpoint that covers every card, and the memory at that point.
        JsonNode full = fixture.rest.awaitCheckpointTriggeredAfter(jobId, allScoredAt, Duration.ofSeconds(120));
        long expiredAtFull = fixture.rest.operatorMetricSum(jobId, JobMetrics.CARDS_EXPIRED);
        Map<String, Map<String, Long>> memoryFull = memory();
        Map<String, Long> rssFull = rss();

        // Every card's cleanup timer fires TTL after its transaction; wait until all did, then one more checkpoint.
        cluster.await("every card's state deleted by its TTL timer", LONG,
                () -> fixture.rest.operatorMetricSum(jobId, JobMetrics.CARDS_EXPIRED) >= CARDS);
        long allExpiredAt = System.currentTimeMillis();
        JsonNode empty = fixture.rest.awaitCheckpointTriggeredAfter(jobId, allExpiredAt, Duration.ofSeconds(120));
        long expired = fixture.rest.operatorMetricSum(jobId, JobMetrics.CARDS_EXPIRED);
        Map<String, Map<String, Long>> memoryEmpty = memory();
        Map<String, Long> rssEmpty = rss();

        long scored = fixture.endOffsetSum(scores, "read_committed");
        System.out.printf("million-cards: state per vertex when full %s; after expiry %s%n",
                perVertex(jobId, full.path("id").asLong()), perVertex(jobId, empty.path("id").asLong()));
        fixture.rest.assertRunningWithoutRestarts(jobId);
        long fullSize = full.path("state_size").asLong();
        long emptySize = empty.path("state_size").asLong();
        System.out.printf("million-cards: %d cards, %d transactions (produced in %.0f s, scored in %.0f s), TTL %s;"
                        + " checkpoint %d after all scored: state_size %d B (%.0f B/card), checkpointed_size %d B,"
                        + " duration %d ms, cards expired then %d; checkpoint %d after expiry: state_size %d B,"
                        + " checkpointed_size %d B, cards expired %d; TaskManager memory when full %s, RSS %s;"
                        + " after expiry %s, RSS %s; test %.0f s%n",
                CARDS, total, produced, scoring, TTL, full.path("id").asLong(), fullSize, (double) fullSize / CARDS,
                full.path("checkpointed_size").asLong(), full.path("end_to_end_duration").asLong(), expiredAtFull,
                empty.path("id").asLong(), emptySize, empty.path("checkpointed_size").asLong(), expired,
                memoryFull, rssFull, memoryEmpty, rssEmpty, (System.nanoTime() - t0) / 1e9);

        assertThat(scored).as("scores (at-least-once, no failure: exactly one per transaction)").isEqualTo(total);
        assertThat(expiredAtFull).as("cards expired before the full checkpoint (TTL too short for this scale?)")
                .isLessThan(CARDS / 100 + 1);
        assertThat(fullSize).as("full state: per-card histories and timers").isGreaterThan(50L * CARDS);
        assertThat(expired).as("cards whose state the TTL timer deleted").isEqualTo(CARDS);
        // Measured: the full checkpoint of the scoring operator keeps 27-49 % of its peak size (2.1 of 7.9 MB,
        // 3.4 of 7.0 MB at 100,000 cards) after every card's timer cleared its history and last-seen state; unexplained
        // and open in docs/RELIABILITY.md. Until that is understood, only a clear drop is asserted.
        assertThat(emptySize).as("state after expiry vs %d bytes before", fullSize).isLessThan(fullSize * 3 / 4);
    }

    private static Map<String, Map<String, Long>> memory() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String tm : fixture.rest.taskManagerIds()) {
            Map<String, Long> mb = new LinkedHashMap<>();
            fixture.rest.taskManagerMetrics(tm, MEMORY).forEach((k, v) -> mb.put(k.replace("Status.", "") + "MB", v >> 20));
            out.put(tm.length() > 12 ? tm.substring(tm.length() - 12) : tm, mb);
        }
        return out;
    }

    private static Map<String, Long> perVertex(String jobId, long checkpointId) {
        Map<String, Long> out = new LinkedHashMap<>();
        JsonNode details = fixture.rest.tryGet("/jobs/" + jobId + "/checkpoints/details/" + checkpointId);
        if (details != null) {
            details.path("tasks").fields().forEachRemaining(e -> out.put(e.getKey().substring(0, 8), e.getValue().path("state_size").asLong()));
        }
        return out;
    }

    private static Map<String, Long> rss() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (FlinkStandaloneCluster.Node n : fixture.cluster.taskManagers()) {
            out.put(n.name() + "MB", FlinkStandaloneCluster.residentBytes(n.process()) >> 20);
        }
        return out;
    }
}
