package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The deployment glue runs against the current code: the single-file programs under deploy/compose compile
 * and the model bootstrap produces a store the job's loader accepts; the Kubernetes manifests name the job's
 * main class and valid settings (they are documented, not run, here).
 */
class DeployProgramsTest {

    @TempDir
    Path dir;

    @Test
    void modelBootstrapWritesAVerifiableChampionOnceRotationResignsItAndTheAlertPrinterCompiles() throws Exception {
        Path keys = dir.resolve("keys");
        Path store = dir.resolve("store");
        String first = runJava("deploy/compose/ModelBootstrap.java", "--keys", keys.toString(), "--store", store.toString(), "--seed", "42");
        assertThat(first).contains("signed into");

        ModelDescriptor champion = AvroJson.read(ModelDescriptor.class, store.resolve("champion.json"));
        assertThat(champion.getRole()).isEqualTo(ModelRole.CHAMPION);
        // The job verifies bundles with the public key the bootstrap published next to the store.
        FraudModel model = ModelLoader.builder(new ModelStore(store),
                SigningKeys.loadPublicKey(store.resolve("trust").resolve(SigningKeys.PUBLIC_KEY_FILE))).build().load(champion);
        assertThat(model.version()).isEqualTo(champion.getModelVersion());
        assertThat(keys.resolve(SigningKeys.PRIVATE_KEY_FILE)).exists();
        assertThat(store).isDirectoryNotContaining(p -> p.getFileName().toString().equals(SigningKeys.PRIVATE_KEY_FILE));

        // Idempotent: a second run (a compose restart) changes nothing.
        long modified = Files.getLastModifiedTime(store.resolve("champion.json")).toMillis();
        assertThat(runJava("deploy/compose/ModelBootstrap.java", "--keys", keys.toString(), "--store", store.toString()))
                .contains("nothing to do");
        assertThat(Files.getLastModifiedTime(store.resolve("champion.json")).toMillis()).isEqualTo(modified);

        // Key rotation: the same model re-signed with a new key verifies with the new key only.
        Path newKeys = dir.resolve("new-keys");
        Path resigned = dir.resolve("resigned.json");
        Path trusted = store.resolve("trust").resolve(SigningKeys.PUBLIC_KEY_FILE);
        assertThat(runJava("deploy/compose/ResignChampion.java", "--store", store.toString(), "--descriptor",
                store.resolve("champion.json").toString(), "--old-public-key", trusted.toString(),
                "--new-keys", newKeys.toString(), "--out", resigned.toString())).contains("re-signed");
        ModelDescriptor rotated = AvroJson.read(ModelDescriptor.class, resigned);
        assertThat(rotated.getModelVersion()).isEqualTo(champion.getModelVersion());
        assertThat(rotated.getSignature()).isNotEqualTo(champion.getSignature());
        assertThat(ModelLoader.builder(new ModelStore(store), SigningKeys.loadPublicKey(dir.resolve("model-signing.pub.new")))
                .build().load(rotated).version()).isEqualTo(champion.getModelVersion());
        assertThatThrownBy(() -> ModelLoader.builder(new ModelStore(store), SigningKeys.loadPublicKey(trusted)).build().load(rotated))
                .isInstanceOf(ModelRejectedException.class);

        // The alert printer compiles and checks its arguments (exit 2 and usage without a broker address).
        assertThat(runJavaExpecting(2, "deploy/compose/PrintAlerts.java")).contains("usage: PrintAlerts");
    }

    @Test
    void kubernetesFlinkDeploymentRunsTheJobsMainClassWithValidSettingsAndNoKeyInTheRepository() throws Exception {
        Path k8s = Repo.root().resolve("deploy/k8s");
        Map<String, Object> deployment = yaml(k8s.resolve("flink-deployment.yaml"));
        assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");
        Map<String, Object> spec = map(deployment.get("spec"));
        Map<String, Object> job = map(spec.get("job"));
        assertThat(job.get("entryClass")).isEqualTo(FraudScoringJob.class.getName());
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        List<String> args = ((List<?>) job.get("args")).stream().map(String::valueOf).toList();
        JobConfig.fromArgs(args.toArray(String[]::new)); // a typo or bad value fails here, as at submission
        assertThat(map(spec.get("flinkConfiguration"))).containsEntry("state.backend.type", "rocksdb")
                .containsKeys("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir");

        Map<String, Object> cron = yaml(k8s.resolve("trainer-cronjob.yaml"));
        assertThat(cron.get("kind")).isEqualTo("CronJob");
        assertThat(map(cron.get("spec")).get("schedule")).isEqualTo("0 */8 * * *");
        String cronText = Files.readString(k8s.resolve("trainer-cronjob.yaml"));
        assertThat(cronText).contains("io.fraudstream.trainer.TrainerMain").contains("secretName: fraudstream-model-signing");
        assertThat(Repo.root().resolve("trainer/src/main/java/io/fraudstream/trainer/TrainerMain.java")).isRegularFile();

        // Keys are referenced from a Secret, never committed.
        try (var files = Files.walk(Repo.root().resolve("deploy"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("%s holds no private key", f).doesNotContain("PRIVATE KEY-----");
            }
        }
    }

    private static Map<String, Object> yaml(Path file) throws Exception {
        return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static String runJava(String... args) throws Exception {
        return runJavaExpecting(0, args);
    }

    /** Runs {@code java <args>} in the repository root with this test's classpath; returns its output. */
    private static String runJavaExpecting(int exitCode, String... args) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", classpath));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(Repo.root().toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("java %s finished", args[0]).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("java %s exit status; output:%n%s", String.join(" ", args), text).isEqualTo(exitCode);
        return text;
    }
}
