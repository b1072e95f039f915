package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TrainerMainTest {
    @TempDir
    Path tmp;

    private String[] run(int expectedStatus, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TrainerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(status).as("status; stderr: %s", e).isEqualTo(expectedStatus);
        return new String[] {o, e};
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --store s --keys k                                  | Missing required option: '--data=FILE|simulator|kafka'",
        "train --data simulator --keys k                           | Missing required option: '--store=DIR'",
        "train --data simulator --store s --keys k --bogus 1       | Unknown options: '--bogus', '1'",
        "train --data simulator --store s --keys k --every 8h      | Unknown options: '--every', '8h'",
        "loop --data simulator --store s --keys k                  | Missing required option: '--every=D'",
        "loop --data simulator --store s --keys k --every 0        | --every must be a positive duration",
        "loop --data simulator --store s --keys k --every soon     | Invalid value for option '--every': 'soon' is not a non-negative duration",
        "train --data simulator --store s --keys k --alert-budget 2 | --alert-budget must be in (0, 1)",
        "train --data simulator --store s --keys k --epochs 0      | --epochs must be >= 1",
        "train --data simulator --store s --keys k --lambdas 1,x   | --lambdas must be numbers",
        "train --data simulator --store s --keys k --train-from 2019-01-01 | --train-to",
        "train --data simulator --store s --keys k --attention maybe | --attention must be learned, seeded, none or keep",
        "train --data /no/such/file.csv --store s --keys k         | --data /no/such/file.csv is neither",
        "train --data simulator --store s --keys k --dim 30 --heads 4 | --dim must be a multiple of --heads",
        "train --data simulator --store s --keys k --sim-cards 0   | --sim-cards must be >= 1",
        "train --data simulator --store s --keys k --gap -1d       | Invalid value for option '--gap': '-1d'",
        "promote --store s --keys k                                | Missing required parameter: 'VERSION'",
        "promote v1 v2 --store s --keys k                          | Unmatched argument at index 2: 'v2'",
        "frobnicate                                                | Unmatched argument at index 0: 'frobnicate'",
        "                                                          | a command is required",
        "train --data simulator --store                            | Missing required parameter for option '--store'",
        "train --data kafka --store s --keys k --from-time 30d     | --data kafka reads the cluster named by --kafka",
        "train --data kafka --kafka h:9092 --store s --keys k      | --from-time is required with --data kafka",
        "train --data kafka --kafka h:9092 --store s --keys k --from-time soon | --from-time must be a date",
        "train --data kafka --kafka h:9092 --store s --keys k --from-time 2025-02-01 --to-time 2025-01-01 | --from-time 2025-02-01T00:00:00Z must be before --to-time",
        "train --data simulator --store s --keys k --from-time 30d | --from-time only applies to --data kafka",
        "train --data simulator --store s --keys k --classifier-negatives -1 | --classifier-negatives must be >= 0",
        "train --data simulator --store s --keys k --sim-transactions 0 | --sim-transactions must be >= 1",
        "train --data simulator --store s --keys k --point-of-purchase yes | Invalid value for option '--point-of-purchase': 'yes' is not a boolean",
        "train --data simulator --store s --keys k --sim-cards x   | Invalid value for option '--sim-cards': 'x' is not an int",
        "train --data /no/such.csv --store s --keys k --sim-days 3 | --sim-* options only apply to --data simulator",
        "train --data simulator --store s --keys k --label-delay 3d | --label-delay only applies with --point-of-purchase true",
        "train --data simulator --store s --keys k --feature-blocks card-window | --feature-blocks: unknown feature block 'card-window'",
        "train --data simulator --store s --keys k --feature-blocks pop-ratios | --feature-blocks pop-ratios needs --point-of-purchase true",
        "train --data simulator --store s --keys k --point-of-purchase true --feature-blocks point-of-purchase | --feature-blocks: point-of-purchase is set with --point-of-purchase true",
        "train --data simulator --store s --keys k --class-weight heavy | --class-weight must be none or balanced",
        "train --data simulator --store s --keys k --test-from 2025-02-01 | --test-from and --test-to go together; missing --test-to",
        "train --data simulator --store s --keys k --test-from 2025-02-01 --test-to 2025-02-08 | --test-from/--test-to need the explicit split",
        "train --data simulator --store s --keys k --train-from 2025-01-01 --train-to 2025-01-10 --validation-from 2025-01-12 --validation-to 2025-01-20 --test-from 2025-01-15 --test-to 2025-01-25 | must not start before validation ends",
        "train --data simulator --store s --keys k --train-from 2025-01-01 --train-to 2025-01-10 --validation-from 2025-01-12 --validation-to 2025-01-20 --test-from 2025-01-25 --test-to 2025-01-25 | test window is empty",
        "train --data simulator --store s --keys k --train-from 2025-01-01 --train-to 2025-01-10 --validation-from 2025-01-12 --validation-to 2025-01-20 --test-from soon --test-to 2025-01-25 | --test-from must be a date",
    })
    void badCommandLinesExitWithStatus2NamingTheOption(String line, String message) {
        String[] io = run(2, line == null || line.isBlank() ? new String[0] : line.trim().split("\\s+"));
        assertThat(io[1]).contains(message).contains("Try 'trainer");
    }

    @Test
    void rollbackWithNothingToRollBackSaysSo() {
        String[] io = run(1, "rollback", "--store", tmp.resolve("store").toString(), "--keys",
                tmp.resolve("keys").toString());
        assertThat(io[0]).contains("nothing to roll back");
    }

    @Test
    void helpListsEveryCommandAndEachCommandsDefaults() {
        assertThat(run(0, "--help")[0]).contains("train", "loop", "promote", "rollback");
        assertThat(run(0, "train", "--help")[0]).contains("--shadow-period=D", "Default: 8h", "--lambdas",
                "Default: 0.001,0.01,0.1,1,10,100", "--feature-blocks", "--class-weight");
        assertThat(run(0, "loop", "--help")[0]).contains("--every=D");
    }

    @Test
    void pointOfPurchaseTrainingWritesABundleWithTheFeatureBlock() throws Exception {
        Path store = tmp.resolve("store");
        run(0, "train", "--data", "simulator", "--sim-cards", "40", "--sim-days", "30", "--attention", "seeded",
                "--lambdas", "10", "--gap", "2d", "--validation", "6d", "--store", store.toString(), "--keys",
                tmp.resolve("keys").toString(), "--point-of-purchase", "true");
        java.util.List<Path> bundles;
        try (var files = java.nio.file.Files.walk(store)) {
            bundles = files.filter(f -> f.toString().endsWith(io.fraudstream.model.ModelBundles.EXTENSION)).toList();
        }
        assertThat(bundles).hasSize(1);
        io.fraudstream.model.FraudModel model = io.fraudstream.model.ModelBundles.read(
                java.nio.file.Files.readAllBytes(bundles.get(0)));
        assertThat(model.usesPointOfPurchase()).isTrue();
        // by default with the fraud ratios, the card windows, the transaction's fields and the amount bins after the
        // counts
        assertThat(model.blocks()).containsExactlyInAnyOrder(io.fraudstream.model.FeatureBlock.values());
        assertThat(model.featureNames().subList(model.extractorFeatureCount(),
                model.extractorFeatureCount() + io.fraudstream.features.pop.PopFeatures.COUNT))
                .isEqualTo(io.fraudstream.features.pop.PopFeatures.NAMES);
        assertThat(model.properties()).containsEntry("featureBlocks",
                "point-of-purchase,pop-ratios,card-windows,transaction-fields,amount-bins");
        assertThat(model.properties().get("classifier")).contains("class weights none");
    }

    @Test
    void featureBlocksNoneTrainsOnTheExtractorsFeaturesAlone() throws Exception {
        io.fraudstream.model.FraudModel model = trainOne("plain", "train", "--data", "simulator", "--sim-cards", "40",
                "--sim-days", "30", "--attention", "seeded", "--lambdas", "10", "--gap", "2d", "--validation", "6d",
                "--feature-blocks", "none", "--class-weight", "balanced");
        assertThat(model.blocks()).isEmpty();
        assertThat(model.featureCount()).isEqualTo(model.extractorFeatureCount());
        assertThat(model.properties().get("classifier")).contains("class weights balanced");
    }

    /**
     * Train, validation and a test window: the bundle records the test window and its figures, and the test
     * window changes nothing that was chosen (λ, threshold, coefficients equal a run without it).
     */
    @Test
    void testWindowIsReportedOnlyAndRecordedInTheBundle() throws Exception {
        String[] common = {"train", "--data", "simulator", "--sim-cards", "60", "--sim-days", "30", "--attention",
            "seeded", "--lambdas", "1,10", "--train-from", "2025-01-01", "--train-to", "2025-01-15",
            "--validation-from", "2025-01-17", "--validation-to", "2025-01-23"};
        io.fraudstream.model.FraudModel withTest = trainOne("with", concat(common, "--test-from", "2025-01-23",
                "--test-to", "2025-01-31"));
        io.fraudstream.model.FraudModel without = trainOne("without", common);
        assertThat(withTest.properties()).containsEntry("testFrom", "2025-01-23T00:00:00Z")
                .containsEntry("testTo", "2025-01-31T00:00:00Z");
        assertThat(withTest.metrics()).containsKeys("test.auc", "test.averagePrecision", "test.alertRate",
                "test.alertRateOverBudget");
        assertThat(withTest.metrics().get("test.rows")).isPositive();
        assertThat(withTest.metrics().get("test.alertRateOverBudget"))
                .isEqualTo(withTest.metrics().get("test.alertRate") / 0.01);
        assertThat(without.metrics()).doesNotContainKey("test.auc");
        assertThat(without.properties()).doesNotContainKey("testWindow");
        // nothing chosen on the test window
        assertThat(withTest.threshold()).isEqualTo(without.threshold());
        assertThat(withTest.coefficients()).isEqualTo(without.coefficients());
        assertThat(withTest.metrics().get("classifier.lambda")).isEqualTo(without.metrics().get("classifier.lambda"));
        assertThat(withTest.trainingData().validationTo()).isEqualTo(java.time.Instant.parse("2025-01-23T00:00:00Z"));
    }

    private io.fraudstream.model.FraudModel trainOne(String name, String... args) throws Exception {
        Path store = tmp.resolve("store-" + name);
        run(0, concat(args, "--store", store.toString(), "--keys", tmp.resolve("keys-" + name).toString()));
        java.util.List<Path> bundles;
        try (var files = java.nio.file.Files.walk(store)) {
            bundles = files.filter(f -> f.toString().endsWith(io.fraudstream.model.ModelBundles.EXTENSION)).toList();
        }
        assertThat(bundles).hasSize(1);
        return io.fraudstream.model.ModelBundles.read(java.nio.file.Files.readAllBytes(bundles.get(0)));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
