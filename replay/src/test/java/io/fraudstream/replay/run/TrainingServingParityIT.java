package io.fraudstream.replay.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.features.CardHistory;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.scoring.FeatureVector;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.testkit.SharedData;
import io.fraudstream.trainer.FeatureTable;
import io.fraudstream.trainer.LabelledData;
import io.fraudstream.trainer.LabelledTransaction;
import io.fraudstream.trainer.ModelTrainer;
import io.fraudstream.trainer.SparkovData;
import io.fraudstream.trainer.TimeSplit;
import io.fraudstream.trainer.TrainerSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training/serving parity: the trainer's feature vectors equal the job's, bit for bit, for every transaction.
 *
 * <p>A model is trained ({@link ModelTrainer}: the trainer's feature table and classifier) on the first
 * {@value #ROWS} rows of the shared Sparkov sample (January to late March 2019), plus two crafted rows: a
 * verbatim copy of an early row (a duplicate) and a copy of it with a new id dated December 2019 (its card's history
 * is then more than the 90-day card TTL old). The same file is then replayed through the job's topology
 * ({@link FraudScoringPipeline#build}, the code the live job runs, on a local Flink MiniCluster at parallelism 2:
 * Avro wire records, validation, keyBy card, the keyed scoring function with its chunked card state) with that model,
 * its champion feature vectors on the features side output. Every vector the trainer computed
 * ({@link FeatureTable#forEach}, the per-card code its feature table uses) must equal the job's exactly
 * ({@link Arrays#equals(float[], float[])}): both run the same {@link CardScorer} over the same mapping, on the
 * same tokens derived from the same raw fields, so no tolerance is needed. The duplicate is a dead letter in the job
 * and no row in the trainer; the late row's vector is that of an empty history on both sides.
 */
class TrainingServingParityIT {

    static final int ROWS = 15_000;
    static final String TOKEN_KEY = "TrainingServingParityIT";
    static final String TTL_ID = "parity-ttl-after-200-days";

    @TempDir
    Path dir;

    @Test
    void trainerAndJobComputeTheSameFeatureVectorForEveryTransaction() throws Exception {
        Path csv = dir.resolve("slice.csv");
        String duplicateId = cut(SharedData.sparkov(), csv);

        // training: the trainer's own reader, feature table and classifier
        LabelledData data = SparkovData.read(csv, CardTokens.publicTestKey(TOKEN_KEY));
        TimeSplit split = new TimeSplit(Instant.parse("2019-01-01T00:00:00Z"), Instant.parse("2019-02-01T00:00:00Z"),
                Instant.parse("2019-02-01T00:00:00Z"), Instant.parse("2019-03-01T00:00:00Z"));
        // with the trainer's default blocks (card windows, transaction fields, amount bins), so the job's path for
        // the history-derived and the transaction's own blocks is held to the trainer's too
        TrainerSettings settings = TrainerSettings.defaults().withLearnAttention(false).withLambdas(new double[] {1})
                .withExtraBlocks(FeatureBlock.of(FeatureBlock.CARD_WINDOWS, FeatureBlock.TRANSACTION_FIELDS,
                        FeatureBlock.AMOUNT_BINS));
        FraudModel model = new ModelTrainer(settings).train(data, split, "20190301T0000Z-parity",
                Instant.parse("2019-03-01T00:00:00Z")).model();
        Map<String, float[]> trainer = new HashMap<>();
        assertThat(model.blocks()).containsExactly(FeatureBlock.CARD_WINDOWS, FeatureBlock.TRANSACTION_FIELDS,
                FeatureBlock.AMOUNT_BINS);
        FeatureTable.forEach(data, model.extractorConfig(), model.extractorWeights(), model.blocks(),
                CardScorer.DEFAULT_CARD_TTL.toMillis(), (t, f) -> {
                    assertThat(trainer.put(t.tx().transactionId(), f.clone())).as("one row per transaction").isNull();
                });
        assertThat(trainer).hasSize(ROWS + 1).doesNotContainKey(null);

        // serving: the job's topology over the same file
        List<FeatureVector> job = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        serve(csv, model, job, deadLetters);

        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).getReason()).isEqualTo(DeadLetterReason.DUPLICATE);
        assertThat(deadLetters.get(0).getMessage()).contains(duplicateId);
        assertThat(job).hasSize(ROWS + 1);
        int compared = 0;
        float maxDiff = 0;
        List<String> mismatches = new ArrayList<>();
        for (FeatureVector v : job) {
            assertThat(v.modelVersion).isEqualTo(model.version());
            float[] t = trainer.get(v.transactionId);
            assertThat(t).as("trainer row of %s", v.transactionId).isNotNull();
            assertThat(v.features).hasSize(t.length);
            for (int i = 0; i < t.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(t[i] - v.features[i]));
            }
            if (!Arrays.equals(t, v.features) && mismatches.size() < 5) {
                mismatches.add(v.transactionId + ": trainer " + Arrays.toString(t) + " job "
                        + Arrays.toString(v.features));
            }
            compared++;
        }
        System.out.printf("training/serving parity: %d transactions compared, %d features each, max |diff| %g%n",
                compared, model.featureCount(), maxDiff);
        assertThat(mismatches).as("feature vectors that differ (max |diff| %s)", maxDiff).isEmpty();
        assertThat(compared).isEqualTo(trainer.size());

        // the late transaction was scored against an empty history on both sides (the TTL applied)
        LabelledTransaction late = data.cards().stream().flatMap(List::stream)
                .filter(t -> t.tx().transactionId().equals(TTL_ID)).findFirst().orElseThrow();
        CardScorer fresh = CardScorer.of(model, CardScorer.DEFAULT_CARD_TTL.toMillis());
        float[] empty = fresh.extract(CardHistory.create(model.extractorConfig()), late.tx(), null, null).clone();
        assertThat(trainer.get(TTL_ID)).isEqualTo(empty);
        float[] withHistory = fresh.extract(historyBefore(data, late, model), late.tx(), null, null);
        assertThat(withHistory).as("the card had history the TTL dropped").isNotEqualTo(empty);
    }

    /** The late transaction's card history without the TTL: every earlier transaction of its card. */
    private static CardHistory historyBefore(LabelledData data, LabelledTransaction late, FraudModel model) {
        CardHistory h = CardHistory.create(model.extractorConfig());
        for (LabelledTransaction t : data.cards().stream().filter(c -> c.contains(late)).findFirst().orElseThrow()) {
            if (t != late && !h.containsTransactionId(t.tx().transactionId())) {
                h.add(t.tx());
            }
        }
        return h;
    }

    /** Replays {@code csv} through {@link FraudScoringPipeline#build} and collects feature vectors and dead letters. */
    private void serve(Path csv, FraudModel model, List<FeatureVector> features, List<DeadLetter> deadLetters)
            throws Exception {
        int parallelism = 2;
        try (TransactionReader reader = InputFormat.SPARKOV.open(csv, new InputFormat.Options(null,
                        EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey(TOKEN_KEY)));
                Spool spool = Spool.write(reader, 0, "transactions", dir.resolve("slice.spool"), Map.of(),
                        Progress.silent())) {
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
            DataStream<RawRecord> records = env
                    .fromSource(new NumberSequenceSource(0, parallelism - 1), WatermarkStrategy.noWatermarks(),
                            "spool parts")
                    .flatMap(new ReplayFunctions.SpoolPartRecords(spool.parts(parallelism), spool.topic()))
                    .returns(TypeInformation.of(RawRecord.class));
            DataStream<ModelDescriptor> noUpdates = env.fromSequence(0, 0).filter(x -> false)
                    .map(new ReplayFunctions.NoDescriptors()).returns(new AvroTypeInfo<>(ModelDescriptor.class));
            BoundedScoring.Settings replay = BoundedScoring.Settings.replayDefaults();
            FraudScoringPipeline.Outputs out = FraudScoringPipeline.build(records, noUpdates, replay.rules(),
                    replay.scoring().withFeatureOutput(), PinnedModels.inline(model));
            CloseableIterator<FeatureVector> f = out.features().collectAsync();
            CloseableIterator<DeadLetter> d = out.deadLetters().collectAsync();
            env.executeAsync("training-serving parity");
            try (f; d) {
                f.forEachRemaining(features::add);
                d.forEachRemaining(deadLetters::add);
            }
        }
    }

    /**
     * Writes the header and the first {@value #ROWS} rows of the sample to {@code target}, then a verbatim copy of
     * an early row and a copy of it with id {@value #TTL_ID} dated 2019-12-01; returns the duplicated id.
     */
    private static String cut(Path source, Path target) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(source)), StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            String header = in.readLine();
            lines.add(header);
            for (int i = 0; i < ROWS; i++) {
                lines.add(in.readLine());
            }
            List<String> columns = Arrays.asList(header.split(","));
            int time = columns.indexOf("trans_date_trans_time");
            int id = columns.indexOf("trans_num");
            // the first row without quoted fields, so a plain split finds the columns
            String first = lines.stream().skip(1).filter(l -> l.indexOf('"') < 0).findFirst().orElseThrow();
            String[] f = first.split(",", -1);
            assertThat(f).hasSize(columns.size());
            String duplicateId = f[id];
            lines.add(first);
            f[time] = "2019-12-01 12:00:00";
            f[id] = TTL_ID;
            lines.add(String.join(",", f));
            Files.write(target, lines, StandardCharsets.UTF_8);
            return duplicateId;
        }
    }
}
