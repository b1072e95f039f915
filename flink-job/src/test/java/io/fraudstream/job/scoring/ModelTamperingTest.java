package io.fraudstream.job.scoring;

import org.apache.flink.types.Either;
import io.fraudstream.avro.RuleSet;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.model.StoreModelRepository;
import io.fraudstream.model.BundleSigner;
import io.fraudstream.model.DecisionSigner;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile model updates against the real signed store and verifying loader: every tampered or
 * unsafe descriptor is refused and the champion keeps scoring; a genuine newer model is swapped in.
 */
class ModelTamperingTest {

    private static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void tamperedBundlesAreRefusedWhileTheChampionKeepsScoring() throws Exception {
        KeyPair keys = SigningKeys.generate();
        KeyPair otherKeys = SigningKeys.generate();
        Path storeDir = Files.createDirectories(dir.resolve("store"));
        ModelStore store = new ModelStore(storeDir);
        SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        ModelDescriptor v1 = store.publish(TestModels.model("v000001", 0.99, 1024), ModelRole.CHAMPION, keys.getPrivate());
        AvroJson.write(v1, dir.resolve("champion.json"));

        // A flipped byte after signing.
        ModelDescriptor flipped = store.publish(TestModels.model("v000002", 0.99, 1024), ModelRole.CHAMPION, keys.getPrivate());
        Path flippedFile = storeDir.resolve(flipped.getLocation());
        byte[] bytes = Files.readAllBytes(flippedFile);
        bytes[bytes.length / 3] ^= 0x10;
        Files.write(flippedFile, bytes);
        // Signed by a key the job does not trust.
        ModelDescriptor foreign = new ModelStore(Files.createDirectories(dir.resolve("other")))
                .publish(TestModels.model("v000003", 0.99, 1024), ModelRole.CHAMPION, otherKeys.getPrivate());
        Files.copy(dir.resolve("other").resolve(foreign.getLocation()), storeDir.resolve(foreign.getLocation()));
        // Properly signed, but larger than model.max-bytes.
        byte[] big = new byte[3 * 1024 * 1024];
        Files.write(storeDir.resolve("v000004.bundle"), big);
        ModelDescriptor oversize = descriptor("v000004", "v000004.bundle", big, keys);
        // Escaping the store.
        byte[] genuine = Files.readAllBytes(storeDir.resolve(v1.getLocation()));
        Files.write(dir.resolve("outside.bundle"), genuine);
        ModelDescriptor traversal = descriptor("v000005", "../outside.bundle", genuine, keys);
        // An older, validly signed version: a downgrade.
        ModelDescriptor older = store.publish(TestModels.model("v000000", 0.99, 1024), ModelRole.CHAMPION, keys.getPrivate());
        // Finally a genuine newer model.
        ModelDescriptor v6 = store.publish(TestModels.model("v000006", 0.99, 1024), ModelRole.CHAMPION, keys.getPrivate());

        JobConfig config = JobConfig.fromMap(Map.of(
                JobOptions.BOOTSTRAP_SERVERS.key(), "unused:9092",
                JobOptions.MODEL_STORE.key(), storeDir.toString(),
                JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString(),
                JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString(),
                JobOptions.MODEL_MAX_BYTES.key(), Integer.toString(1024 * 1024)));
        CardScoringFunction function = new CardScoringFunction(StoreModelRepository.factory(config),
                ScoringSettings.from(config));
        try (KeyedBroadcastOperatorTestHarness<String, io.fraudstream.job.validation.TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
                harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function,
                        new FraudScoringPipeline.CardKey(), Types.STRING, JobStreams.MODEL_DESCRIPTORS)) {

            int n = 0;
            for (ModelDescriptor hostile : List.of(flipped, foreign, oversize, traversal, older)) {
                harness.processBroadcastElement(Control.model(hostile));
                harness.processElement(new StreamRecord<>(CardScoringFunctionTest.tx("t" + n, "c1", T0 + n * 1000L, 10)));
                n++;
            }
            harness.processBroadcastElement(Control.model(v6));
            harness.processElement(new StreamRecord<>(CardScoringFunctionTest.tx("t" + n, "c1", T0 + n * 1000L, 10)));

            assertThat(harness.extractOutputValues()).extracting(FraudScore::getModelVersion)
                    .containsExactly("v000001", "v000001", "v000001", "v000001", "v000001", "v000006");
            // A newer but tampered champion after v6: refused too.
            ModelDescriptor v7 = store.publish(TestModels.model("v000007", 0.99, 1024), ModelRole.CHAMPION,
                    keys.getPrivate());
            Path v7File = storeDir.resolve(v7.getLocation());
            byte[] v7Bytes = Files.readAllBytes(v7File);
            v7Bytes[v7Bytes.length / 2] ^= 0x01;
            Files.write(v7File, v7Bytes);
            harness.processBroadcastElement(Control.model(v7));
            harness.processElement(new StreamRecord<>(CardScoringFunctionTest.tx("t" + (n + 1), "c1", T0 + (n + 1) * 1000L,
                    10)));
            assertThat(harness.extractOutputValues()).last().extracting(FraudScore::getModelVersion).isEqualTo("v000006");
            assertThat(harness.getBroadcastState(JobStreams.MODEL_DESCRIPTORS)
                    .get(CardScoringFunction.CHAMPION_RECEIVED + "v000006")).isEqualTo(v6);

            // A fresh instance restored from this state comes back on v6: the newest received champion that verifies
            // (not the tampered v7, not the configured initial v1).
            var snapshot = harness.snapshot(1, 1);
            try (KeyedBroadcastOperatorTestHarness<String, io.fraudstream.job.validation.TransactionEvent,
                    Either<ModelDescriptor, RuleSet>, FraudScore> restored = new KeyedBroadcastOperatorTestHarness<>(
                            new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(
                                    new CardScoringFunction(StoreModelRepository.factory(config),
                                            ScoringSettings.from(config), false, true),
                                    List.of(JobStreams.MODEL_DESCRIPTORS)),
                            new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0)) {
                restored.initializeState(snapshot);
                restored.open();
                restored.processElement(new StreamRecord<>(CardScoringFunctionTest.tx("after-restore", "c1",
                        T0 + 100_000L, 10)));
                assertThat(restored.extractOutputValues()).extracting(FraudScore::getModelVersion)
                        .containsExactly("v000006");
            }
        }
    }

    private static ModelDescriptor descriptor(String version, String location, byte[] bytes, KeyPair keys) {
        var sig = new BundleSigner(keys.getPrivate()).sign(bytes);
        // A genuine decision about a hostile bundle: what the bundle checks must catch.
        return DecisionSigner.sign(ModelDescriptor.newBuilder().setModelVersion(version).setLocation(location)
                .setSha256(sig.sha256Hex()).setSignature(sig.signatureBase64()).setRole(ModelRole.CHAMPION)
                .setCreatedAt(Instant.parse("2026-11-29T00:00:00Z")).build(), keys.getPrivate(), Instant.now());
    }
}
