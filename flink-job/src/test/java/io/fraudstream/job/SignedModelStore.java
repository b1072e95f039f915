package io.fraudstream.job;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.scoring.TestModels;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;

/** A real signed model store with one champion, and the job settings that point at it. */
final class SignedModelStore {

    private SignedModelStore() {}

    /** Publishes a test champion (given threshold) and returns the model.* settings. */
    static Map<String, String> create(Path dir, String version, double threshold) throws Exception {
        return create(dir, version, threshold, false);
    }

    /** With {@code pointOfPurchase}, the champion uses the point-of-purchase features ({@link TestModels}). */
    static Map<String, String> create(Path dir, String version, double threshold, boolean pointOfPurchase)
            throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        KeyPair keys = SigningKeys.generate();
        SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        ModelDescriptor champion = new ModelStore(store)
                .publish(TestModels.model(version, threshold, 1024, pointOfPurchase), ModelRole.CHAMPION,
                        keys.getPrivate());
        AvroJson.write(champion, dir.resolve("champion.json"));
        Map<String, String> settings = new HashMap<>();
        settings.put(JobOptions.MODEL_STORE.key(), store.toString());
        settings.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
        settings.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
        return settings;
    }

    /** Job settings for one test run with its own topics (all created on the broker). */
    static Map<String, String> topics(String prefix) {
        Map<String, String> values = new HashMap<>();
        values.put(JobOptions.TRANSACTIONS_TOPIC.key(), prefix + "-transactions");
        values.put(JobOptions.SCORES_TOPIC.key(), prefix + "-scores");
        values.put(JobOptions.SHADOW_SCORES_TOPIC.key(), prefix + "-shadow");
        values.put(JobOptions.ALERTS_TOPIC.key(), prefix + "-alerts");
        values.put(JobOptions.DEAD_LETTER_TOPIC.key(), prefix + "-dlq");
        values.put(JobOptions.MODEL_UPDATES_TOPIC.key(), prefix + "-models");
        values.put(JobOptions.GROUP_ID.key(), prefix);
        // The tests produce their input before the job starts: read it all (a real first start reads only new records).
        values.put(JobOptions.START_FROM.key(), "earliest");
        return values;
    }

    static Map<String, Integer> topicPartitions(String prefix) {
        return Map.of(prefix + "-transactions", 4, prefix + "-scores", 4, prefix + "-shadow", 1,
                prefix + "-alerts", 2, prefix + "-dlq", 2, prefix + "-models", 1);
    }
}
