package io.fraudstream.job.model;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.config.InvalidConfigurationException;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Models from the signed model store: every bundle's location, size, SHA-256 and Ed25519 signature
 * are checked by {@link ModelLoader} before a byte of it is parsed, and every descriptor's decision signature before
 * the job acts on it. The configured initial descriptor is trusted configuration (as the public key file next to
 * it), so its decision signature is not required: a deployment may point it at a descriptor written before v2.
 */
public final class StoreModelRepository implements ModelRepository {

    private final ModelLoader loader;
    private final ModelDescriptor initial;

    private StoreModelRepository(ModelLoader loader, ModelDescriptor initial) {
        this.loader = loader;
        this.initial = initial;
    }

    @Override
    public ModelDescriptor initialChampion() {
        return initial;
    }

    @Override
    public void verifyDecision(ModelDescriptor descriptor) throws ModelRejectedException {
        loader.verifyDecision(descriptor);
    }

    @Override
    public FraudModel load(ModelDescriptor descriptor) throws ModelRejectedException {
        return loader.load(descriptor);
    }

    /**
     * A factory for the job graph. Checks the files now, on the client, so a wrong path fails the
     * submission with the setting's name rather than a task later.
     */
    public static Factory factory(JobConfig config) {
        String store = config.get(JobOptions.MODEL_STORE);
        String publicKey = config.get(JobOptions.MODEL_PUBLIC_KEY);
        String descriptor = config.get(JobOptions.MODEL_INITIAL_DESCRIPTOR);
        long maxBytes = config.get(JobOptions.MODEL_MAX_BYTES);
        requireFile(JobOptions.MODEL_PUBLIC_KEY.key(), publicKey);
        requireFile(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), descriptor);
        if (!Files.isDirectory(Path.of(store))) {
            throw new InvalidConfigurationException("invalid setting '" + JobOptions.MODEL_STORE.key() + "' = '"
                    + store + "': not a directory");
        }
        return new PathFactory(store, publicKey, descriptor, maxBytes);
    }

    private static void requireFile(String key, String path) {
        if (!Files.isRegularFile(Path.of(path))) {
            throw new InvalidConfigurationException("invalid setting '" + key + "' = '" + path + "': no such file");
        }
    }

    private record PathFactory(String store, String publicKey, String descriptor, long maxBytes) implements Factory {
        @Override
        public ModelRepository open() throws IOException {
            ModelLoader loader = ModelLoader.builder(new ModelStore(Path.of(store)),
                            SigningKeys.loadPublicKey(Path.of(publicKey)))
                    .maxBundleBytes(maxBytes)
                    .build();
            return new StoreModelRepository(loader, AvroJson.read(ModelDescriptor.class, Path.of(descriptor)));
        }
    }
}
