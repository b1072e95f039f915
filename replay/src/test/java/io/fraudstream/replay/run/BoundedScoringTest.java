package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.replay.eval.ScoreFile;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.testkit.SharedData;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded run on a slice of the Sparkov sample: complete, labelled, deterministic to the byte. */
class BoundedScoringTest {

    static final int ROWS = 20_000;

    @TempDir
    static Path dir;

    static Path slice;
    static FraudModel model;

    @BeforeAll
    static void setUp() throws IOException {
        slice = dir.resolve("slice.csv");
        cutSparkov(SharedData.sparkov(), slice, ROWS, List.of());
        model = BootstrapModel.create(42);
    }

    /** The header and the first {@code rows} rows of the sample, then {@code extraLines} verbatim. */
    static void cutSparkov(Path source, Path target, int rows, List<String> extraLines) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(source)), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (int i = 0; i <= rows; i++) {
                out.write(in.readLine());
                out.write('\n');
            }
            for (String extra : extraLines) {
                out.write(extra);
                out.write('\n');
            }
        }
    }

    static Spool spool(Path csv, Path spoolFile) throws IOException {
        try (TransactionReader reader = InputFormat.SPARKOV.open(csv,
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey("BoundedScoringTest")))) {
            return Spool.write(reader, 0, csv.getFileName().toString(), spoolFile, Map.of(), Progress.silent());
        }
    }

    @Test
    void scoresEveryTransactionWithItsLabelAndTwoRunsGiveByteIdenticalScoreFiles() throws Exception {
        int r1Parallelism;
        ModelRepository.Factory factory = PinnedModels.inline(model);
        Path first = dir.resolve("scores-1.csv");
        Path second = dir.resolve("scores-2.csv");
        try (Spool spool = spool(slice, dir.resolve("a.spool"))) {
            BoundedScoring.Result r1 = BoundedScoring.run(spool, factory, BoundedScoring.Settings.replayDefaults(),
                    Progress.silent());
            r1Parallelism = r1.parallelism();
            assertThat(r1.rejected()).isEmpty();
            assertThat(r1.scores()).hasSize(ROWS);
            assertThat(r1.modelVersion()).isEqualTo(model.version());
            assertThat(r1.threshold()).isEqualTo(model.threshold());
            assertThat(r1.scores()).allSatisfy(s -> {
                assertThat(s.score()).isBetween(0.0, 1.0);
                assertThat(s.fraud()).isNotNull();
            });
            assertThat(new HashSet<>(r1.scores().stream().map(ScoredTransaction::transactionId).toList())).hasSize(ROWS);
            assertThat(r1.scores().stream().filter(s -> s.fraud()).count())
                    .isEqualTo(spool.labels().values().stream().filter(b -> b).count()).isPositive();
            ScoreFile.write(first, r1.scores());
        }
        // A second, independent run: new spool, new Flink environment, new model repository.
        // A second, independent run at another parallelism: new spool, new Flink environment, new model
        // repository. Different cards interleave differently at parallelism 2; the file must not change.
        try (Spool spool = spool(slice, dir.resolve("b.spool"))) {
            BoundedScoring.Result r2 = BoundedScoring.run(spool, List.of(PinnedModels.inline(model)),
                    BoundedScoring.Settings.replayDefaults(), r1Parallelism == 1 ? 2 : 1, Progress.silent()).get(0);
            ScoreFile.write(second, r2.scores());
        }
        assertThat(Files.size(first)).isGreaterThan(ROWS * 50L);
        assertThat(Files.mismatch(first, second)).isEqualTo(-1L);
        // Scores differ between transactions (a constant would also be "deterministic").
        assertThat(ScoreFile.read(first, new io.fraudstream.datasets.BadRows()).stream()
                .mapToDouble(ScoredTransaction::score).distinct().count()).isGreaterThan(ROWS / 2);
    }

    @Test
    void recordsTheJobRefusesComeBackWithTheirLineAndReason() throws Exception {
        Path csv = dir.resolve("with-bad.csv");
        // A valid row whose amount is beyond the job's plausibility limit: the reader keeps it, the job refuses it.
        String huge = "2019-01-01 00:20:00,4995376601444857,fraud_X,misc_net,5000000000.00,Jennifer,Huff,F,"
                + "17397 Ryan Fort Suite 789,Spicewood,TX,78669,30.3899,-98.0539,8731,x,1969-02-24,hugeamount1,"
                + "1546300884,30.299865,-97.25293,0,667334075533,p.json";
        cutSparkov(SharedData.sparkov(), csv, 500, List.of(huge));
        try (Spool spool = spool(csv, dir.resolve("c.spool"))) {
            BoundedScoring.Result r = BoundedScoring.run(spool, PinnedModels.inline(model),
                    BoundedScoring.Settings.replayDefaults(), Progress.silent());
            assertThat(r.scores()).hasSize(500);
            assertThat(r.rejected()).containsExactly(new BoundedScoring.Rejected(0, 502, "INVALID_AMOUNT",
                    r.rejected().get(0).message()));
        }
    }

    @Test
    void severalModelsInOneGraphAtParallelismTwoScoreExactlyAsEachModelAloneAtParallelismOne() throws Exception {
        Path csv = dir.resolve("multi.csv");
        cutSparkov(SharedData.sparkov(), csv, 6_000, List.of());
        FraudModel other = LiveParityIT.model(); // another window (256), other weights and classifier
        try (Spool spool = spool(csv, dir.resolve("m.spool"))) {
            BoundedScoring.Result aloneA = BoundedScoring.run(spool, List.of(PinnedModels.inline(model)),
                    BoundedScoring.Settings.replayDefaults(), 1, Progress.silent()).get(0);
            BoundedScoring.Result aloneB = BoundedScoring.run(spool, List.of(PinnedModels.inline(other)),
                    BoundedScoring.Settings.replayDefaults(), 1, Progress.silent()).get(0);
            List<BoundedScoring.Result> both = BoundedScoring.run(spool,
                    List.of(PinnedModels.inline(model), PinnedModels.inline(other)),
                    BoundedScoring.Settings.replayDefaults(), 2, Progress.silent());
            assertThat(both).hasSize(2);
            assertThat(both.get(0).modelVersion()).isEqualTo(model.version());
            assertThat(both.get(1).modelVersion()).isEqualTo(other.version());
            assertThat(both.get(0).parallelism()).isEqualTo(2);
            Path a1 = dir.resolve("alone-a.csv");
            Path b1 = dir.resolve("alone-b.csv");
            Path a2 = dir.resolve("multi-a.csv");
            Path b2 = dir.resolve("multi-b.csv");
            ScoreFile.write(a1, aloneA.scores());
            ScoreFile.write(b1, aloneB.scores());
            ScoreFile.write(a2, both.get(0).scores());
            ScoreFile.write(b2, both.get(1).scores());
            assertThat(aloneA.scores()).hasSize(6_000);
            assertThat(Files.mismatch(a1, a2)).as("model A: one graph vs alone").isEqualTo(-1L);
            assertThat(Files.mismatch(b1, b2)).as("model B: one graph vs alone").isEqualTo(-1L);
            // the two models really differ, so a swapped or shared branch would show
            assertThat(Files.mismatch(a1, b1)).isNotEqualTo(-1L);
            long differing = 0;
            for (int i = 0; i < aloneA.scores().size(); i++) {
                if (aloneA.scores().get(i).score() != aloneB.scores().get(i).score()) {
                    differing++;
                }
            }
            assertThat(differing).isGreaterThan(5_000);
        }
    }
}
