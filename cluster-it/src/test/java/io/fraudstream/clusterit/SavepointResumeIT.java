package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stop-with-savepoint in the middle of the stream and resume, exactly-once: the job scores pre-loaded
 * transactions at parallelism 2 across two TaskManagers (RocksDB, checkpoints every second, bounded source);
 * once a third of the scores are written and a checkpoint completed, it is stopped with a savepoint (no drain,
 * as in the upgrade runbook) and a new job is started from the savepoint, at the same parallelism or rescaled to 1
 * (every key group and both sink writers' state on one subtask), and reads the source to its end.
 * Then, on a {@code read_committed} consumer, the scored ids are exactly the inputs and none is scored twice:
 * the savepoint's source offsets and the sink's committed transactions meet without a gap or an overlap. The
 * downtime is measured from the stop request to the first score of the resumed job becoming visible.
 *
 * <p>{@code mvn verify} runs 20,000 transactions; the {@code reliability} profile (what {@code .ci/run} runs)
 * sets {@code fraudstream.savepoint.count} to 200,000. Figures in docs/RELIABILITY.md.
 */
class SavepointResumeIT {

    private static final int COUNT = Integer.getInteger("fraudstream.savepoint.count", 20_000);
    private static final int CARDS = 20_000;
    private static final Duration RUN = Duration.ofSeconds(300);

    private static ClusterFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        // Restarts disabled: a failure would replay records and hide what the savepoint alone does.
        fixture = ClusterFixture.start("-savepoint", 2, 1.0, Map.of("restart-strategy.type", "none"));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "resumed at parallelism {0}")
    @ValueSource(ints = {2, 1})
    void stopWithSavepointMidStreamAndResumeLosesAndDuplicatesNothing(int resumedParallelism) throws Exception {
        long t0 = System.nanoTime();
        String run = "savepoint-p" + resumedParallelism;
        String in = run + "-transactions";
        String scores = run + "-scores";
        String deadLetters = run + "-dlq";
        fixture.broker.createTopics(Map.of(in, 4, scores, 2, deadLetters, 2, run + "-alerts", 2,
                run + "-shadow", 2), Duration.ofSeconds(60));

        Set<String> ids = fixture.produceTransactions(in, COUNT, CARDS);

        String jarId = fixture.uploadJobJar();
        List<String> args = fixture.jobArgs(
                "--" + JobOptions.DELIVERY.key(), "EXACTLY_ONCE",
                "--" + JobOptions.TRANSACTIONAL_ID_PREFIX.key(), run,
                "--" + JobOptions.GROUP_ID.key(), run,
                "--" + JobOptions.TRANSACTIONS_TOPIC.key(), in,
                "--" + JobOptions.SCORES_TOPIC.key(), scores,
                "--" + JobOptions.ALERTS_TOPIC.key(), run + "-alerts",
                "--" + JobOptions.SHADOW_SCORES_TOPIC.key(), run + "-shadow",
                "--" + JobOptions.DEAD_LETTER_TOPIC.key(), deadLetters,
                "--" + JobOptions.CHECKPOINT_INTERVAL.key(), "1 s",
                "--" + JobOptions.BOUNDED.key(), "true");
        String first = fixture.rest.runJar(jarId, FraudScoringJob.class.getName(), args, 2, null);
        fixture.rest.awaitStarted(first, ClusterFixture.START);

        FlinkStandaloneCluster cluster = fixture.cluster;
        cluster.await(COUNT / 3 + " scores written and a checkpoint completed", RUN,
                () -> fixture.endOffsetSum(scores, "read_uncommitted") >= COUNT / 3
                        && fixture.rest.completedCheckpoints(first) > 0);
        long stopAt = System.currentTimeMillis();
        String savepoint = fixture.rest.stopWithSavepoint(first, fixture.dir.resolve("savepoints"), RUN);
        long stoppedAt = System.currentTimeMillis();
        long writtenAtStop = fixture.endOffsetSum(scores, "read_uncommitted");

        String second = fixture.rest.runJar(jarId, FraudScoringJob.class.getName(), args, resumedParallelism, savepoint);
        long submittedAt = System.currentTimeMillis();
        fixture.rest.awaitStarted(second, ClusterFixture.START);
        long runningAt = System.currentTimeMillis();
        // The first committed score computed by the resumed job (scored after its submission), then every input
        // scored. The resumed job is not awaited to FINISHED: a bounded KafkaSource restored from a savepoint reads
        // to its stopping offsets but never ends (its enumerator does not signal "no more splits" after a restore,
        // FLINK-31006 in flink-connector-kafka), so it is cancelled once every committed score is visible.
        long[] firstNew = {0};
        try (TopicTail<FraudScore> tail = new TopicTail<>(fixture.broker.bootstrapServers(), scores, FraudScore.class)) {
            int[] checked = {0};
            Set<String> seen = new HashSet<>();
            cluster.await("every transaction's score committed, " + COUNT, RUN, () -> {
                List<FraudScore> all = tail.poll(Duration.ofMillis(200));
                for (; checked[0] < all.size(); checked[0]++) {
                    FraudScore s = all.get(checked[0]);
                    seen.add(s.getTransactionId());
                    if (firstNew[0] == 0 && s.getScoredAt().toEpochMilli() >= submittedAt) {
                        firstNew[0] = System.currentTimeMillis();
                    }
                }
                return seen.containsAll(ids);
            });
        }
        fixture.rest.assertRunningWithoutRestarts(second);
        fixture.rest.cancel(second, RUN);

        AvroCodec<FraudScore> codec = AvroCodec.of(FraudScore.class);
        List<String> scored = new ArrayList<>(COUNT);
        long byFirstJob = 0;
        for (byte[] value : TopicReader.readAll(fixture.broker.bootstrapServers(), Map.of(), scores, Duration.ofSeconds(120))) {
            FraudScore s = codec.decode(value);
            scored.add(s.getTransactionId());
            if (s.getScoredAt().toEpochMilli() < submittedAt) {
                byFirstJob++;
            }
        }
        Set<String> distinct = new HashSet<>(scored);
        long lost = ids.stream().filter(id -> !distinct.contains(id)).count();
        long duplicates = scored.size() - distinct.size();
        System.out.printf("savepoint-resume: %d transactions (exactly-once, p=2 -> savepoint -> p=%d); stop requested at"
                        + " score-topic offset %d; %d scores committed by the first job; stop-with-savepoint took %.1f s; resumed job"
                        + " RUNNING %.1f s after its submission; first committed score of the resumed job %.1f s after the"
                        + " stop request (%.1f s after resubmission); scored %d, lost %d, duplicates %d; savepoint %s;"
                        + " test %.0f s%n",
                COUNT, resumedParallelism, writtenAtStop, byFirstJob, (stoppedAt - stopAt) / 1e3, (runningAt - submittedAt) / 1e3,
                (firstNew[0] - stopAt) / 1e3, (firstNew[0] - submittedAt) / 1e3, scored.size(), lost, duplicates,
                savepoint, (System.nanoTime() - t0) / 1e9);

        assertThat(byFirstJob).as("scores committed by the first job (the stop came mid-stream)")
                .isGreaterThan(0).isLessThan(COUNT);
        assertThat(distinct.stream().filter(id -> !ids.contains(id)).count()).as("scores for transactions never sent").isZero();
        assertThat(lost).as("transactions never scored").isZero();
        assertThat(duplicates).as("transactions scored twice").isZero();
        assertThat(TopicReader.readAll(fixture.broker.bootstrapServers(), Map.of(), deadLetters, Duration.ofSeconds(30)))
                .as("dead letters (every input is valid)").isEmpty();
    }
}
