package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SIGKILL of a TaskManager process while the job scores 200,000 transactions at parallelism 2 across two
 * TaskManagers (one slot each, RocksDB, checkpoints every second, fixed-delay restarts); a replacement
 * TaskManager process is started right after the kill, the job restores from its last checkpoint on the
 * survivor and the replacement and runs its bounded source to the end. Then, on a {@code read_committed}
 * consumer: exactly-once → the scored ids are exactly the inputs, none twice; at-least-once → none lost,
 * duplicates counted. Recovery is measured from the kill to the job RUNNING again (REST) and to the first
 * score computed by the restarted tasks becoming visible. Figures in docs/RELIABILITY.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskManagerKillIT {

    private static final int COUNT = Integer.getInteger("fraudstream.tmkill.count", 200_000);
    private static final int CARDS = 20_000;
    private static final Duration RUN = Duration.ofSeconds(240);

    private static ClusterFixture fixture;
    private static int replacements;

    @BeforeAll
    static void start() throws Exception {
        fixture = ClusterFixture.start("-tmkill", 2, 1.0, ClusterFixture.killTestConfig(30));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void exactlyOnceLosesAndDuplicatesNothingWhenATaskManagerIsKilled() throws Exception {
        Result r = run("EXACTLY_ONCE");
        assertThat(r.lost).as("lost").isZero();
        assertThat(r.duplicates).as("duplicates").isZero();
    }

    @Test
    @Order(2)
    void atLeastOnceLosesNothingWhenATaskManagerIsKilled() throws Exception {
        Result r = run("AT_LEAST_ONCE");
        assertThat(r.lost).as("lost").isZero();
    }

    record Result(long lost, long duplicates, String jobId) {}

    private Result run(String delivery) throws Exception {
        String name = "tmkill-" + delivery.toLowerCase().replace('_', '-');
        createTopics(fixture, name);
        Set<String> ids = fixture.produceTransactions(name + "-transactions", COUNT, CARDS);
        return killDuringRun(fixture, name, delivery, ids, null, ++replacements);
    }

    /** The topics of one run named {@code name}: transactions ({@code name-transactions}), scores, dlq, alerts, shadow. */
    static void createTopics(ClusterFixture fixture, String name) throws Exception {
        fixture.broker.createTopics(Map.of(name + "-transactions", 4, name + "-scores", 2, name + "-dlq", 2,
                name + "-alerts", 2, name + "-shadow", 2), Duration.ofSeconds(60));
    }

    /**
     * Runs the job (bounded, parallelism 2, checkpoints every second) over the transactions {@code ids} already in
     * {@code name-transactions}, from {@code savepoint} (null: a fresh start); SIGKILLs a TaskManager once a quarter
     * of the scores are written and a checkpoint completed, starts a replacement, and counts lost and duplicated
     * scores on a {@code read_committed} consumer once the job finished.
     */
    static Result killDuringRun(ClusterFixture fixture, String name, String delivery, Set<String> ids,
            String savepoint, int replacement) throws Exception {
        long t0 = System.nanoTime();
        int count = ids.size();
        String in = name + "-transactions";
        String scores = name + "-scores";
        String deadLetters = name + "-dlq";
        String jarId = fixture.uploadJobJar();
        String jobId = fixture.rest.runJar(jarId, FraudScoringJob.class.getName(), fixture.jobArgs(
                "--" + JobOptions.DELIVERY.key(), delivery,
                "--" + JobOptions.TRANSACTIONAL_ID_PREFIX.key(), name,
                "--" + JobOptions.GROUP_ID.key(), name,
                "--" + JobOptions.TRANSACTIONS_TOPIC.key(), in,
                "--" + JobOptions.SCORES_TOPIC.key(), scores,
                "--" + JobOptions.ALERTS_TOPIC.key(), name + "-alerts",
                "--" + JobOptions.SHADOW_SCORES_TOPIC.key(), name + "-shadow",
                "--" + JobOptions.DEAD_LETTER_TOPIC.key(), deadLetters,
                "--" + JobOptions.CHECKPOINT_INTERVAL.key(), "1 s",
                "--" + JobOptions.BOUNDED.key(), "true"), 2, savepoint);
        fixture.rest.awaitStarted(jobId, ClusterFixture.START);

        FlinkStandaloneCluster cluster = fixture.cluster;
        AvroCodec<FraudScore> codec = AvroCodec.of(FraudScore.class);
        try (TopicTail<FraudScore> tail = new TopicTail<>(fixture.broker.bootstrapServers(), scores, FraudScore.class)) {
            // Kill once a quarter of the scores are written (committed or not) and a checkpoint completed.
            cluster.await(count / 4 + " scores written and a checkpoint completed", RUN, () -> {
                tail.poll(Duration.ofMillis(50));
                return fixture.endOffsetSum(scores, "read_uncommitted") >= count / 4
                        && fixture.rest.completedCheckpoints(jobId) > 0;
            });
            long writtenAtKill = fixture.endOffsetSum(scores, "read_uncommitted");
            long committedAtKill = fixture.endOffsetSum(scores, "read_committed");
            long checkpointsAtKill = fixture.rest.completedCheckpoints(jobId);
            FlinkStandaloneCluster.Node victim = cluster.taskManagers().get(0);
            long pid = victim.process().pid();
            long killedAt = System.currentTimeMillis();
            cluster.kill(victim);
            cluster.startTaskManager("taskmanager-replacement-" + replacement);

            // Keep reading scores while waiting, so the first one from the restarted tasks is seen when it lands.
            List<long[]> seenAfterKill = new ArrayList<>(); // {observed at, scored at}
            long[] running = {0, 0}; // {observed RUNNING again, earliest restarted vertex start}
            long[] firstNew = {0};
            cluster.await("job " + jobId + " restarted and a score from the restarted tasks", RUN, () -> {
                int before = tail.records().size();
                List<FraudScore> all = tail.poll(Duration.ofMillis(50));
                long now = System.currentTimeMillis();
                for (int i = before; i < all.size(); i++) {
                    seenAfterKill.add(new long[] {now, all.get(i).getScoredAt().toEpochMilli()});
                }
                if (running[0] == 0) {
                    running[1] = fixture.rest.restartedSince(jobId, killedAt);
                    if (running[1] == 0) {
                        return false;
                    }
                    running[0] = System.currentTimeMillis();
                }
                for (long[] s : seenAfterKill) {
                    if (s[1] >= running[1]) {
                        firstNew[0] = s[0];
                        return true;
                    }
                }
                return false;
            });
            fixture.rest.awaitFinished(jobId, RUN);
            long restarts = fixture.rest.numRestarts(jobId);

            List<String> scored = new ArrayList<>(count);
            for (byte[] value : TopicReader.readAll(fixture.broker.bootstrapServers(), Map.of(), scores, Duration.ofSeconds(120))) {
                scored.add(codec.decode(value).getTransactionId());
            }
            Set<String> distinct = new HashSet<>(scored);
            long lost = ids.stream().filter(id -> !distinct.contains(id)).count();
            long duplicates = scored.size() - distinct.size();
            assertThat(distinct.stream().filter(id -> !ids.contains(id)).count()).as("scores for transactions never sent").isZero();
            assertThat(TopicReader.readAll(fixture.broker.bootstrapServers(), Map.of(), deadLetters, Duration.ofSeconds(30)))
                    .as("dead letters (every input is valid)").isEmpty();
            assertThat(restarts).as("restarts of the job").isGreaterThanOrEqualTo(1);
            System.out.printf("tm-kill (%s): %d transactions, SIGKILL of %s (pid %d) after %d scores written (%d committed,"
                            + " %d checkpoints); job RUNNING again %.1f s after the kill (restarted tasks deployed from"
                            + " %.1f s), first score from the restarted tasks visible %.1f s after the kill; restarts %d;"
                            + " lost %d, duplicates %d; test %.0f s%n",
                    delivery, count, victim.name(), pid, writtenAtKill, committedAtKill, checkpointsAtKill,
                    (running[0] - killedAt) / 1e3, (running[1] - killedAt) / 1e3, (firstNew[0] - killedAt) / 1e3,
                    restarts, lost, duplicates, (System.nanoTime() - t0) / 1e9);
            return new Result(lost, duplicates, jobId);
        }
    }
}
