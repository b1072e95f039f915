package io.fraudstream.replay.run;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelBundles;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The model a bounded run scores with, as a {@link ModelRepository.Factory} for the job's own scoring
 * function. Pinned: the replay graph has no model-updates input, so the model cannot change mid-run.
 */
public final class PinnedModels {

    private PinnedModels() {}

    /**
     * A bundle from a signed model store, verified exactly as the job verifies it (location, size, SHA-256,
     * Ed25519 signature: {@link ModelLoader}). The files are checked now, so a wrong path fails before the
     * run with a clear message.
     */
    public static ModelRepository.Factory signedStore(Path store, Path publicKey, Path descriptor) throws IOException {
        if (!Files.isDirectory(store)) {
            throw new IOException("model store is not a directory: " + store);
        }
        for (Path f : new Path[] {publicKey, descriptor}) {
            if (!Files.isRegularFile(f)) {
                throw new IOException("no such file: " + f);
            }
        }
        return new StoreFactory(store.toString(), publicKey.toString(), descriptor.toString());
    }

    /**
     * A model handed over directly, for baselines and candidates that were never published (no signature:
     * the caller vouches for it). The bundle bytes travel with the job graph and are parsed by the same
     * strict bundle reader.
     */
    public static ModelRepository.Factory inline(FraudModel model) {
        return new InlineFactory(ModelBundles.toBytes(model));
    }

    private record StoreFactory(String store, String publicKey, String descriptor) implements ModelRepository.Factory {
        @Override
        public ModelRepository open() throws IOException {
            ModelLoader loader = ModelLoader.builder(new ModelStore(Path.of(store)),
                    SigningKeys.loadPublicKey(Path.of(publicKey))).build();
            ModelDescriptor initial = AvroJson.read(ModelDescriptor.class, Path.of(descriptor));
            return new ModelRepository() {
                @Override
                public ModelDescriptor initialChampion() {
                    return initial;
                }

                @Override
                public FraudModel load(ModelDescriptor d) throws ModelRejectedException {
                    return loader.load(d);
                }
            };
        }
    }

    private record InlineFactory(byte[] bundle) implements ModelRepository.Factory {
        @Override
        public ModelRepository open() throws ModelRejectedException {
            FraudModel model = ModelBundles.read(bundle);
            ModelDescriptor descriptor = ModelDescriptor.newBuilder()
                    .setModelVersion(model.version())
                    .setLocation("inline:" + model.version())
                    .setSha256(sha256(bundle))
                    .setSignature("")
                    .setRole(ModelRole.CHAMPION)
                    .setCreatedAt(model.createdAt())
                    .build();
            return new ModelRepository() {
                @Override
                public ModelDescriptor initialChampion() {
                    return descriptor;
                }

                @Override
                public FraudModel load(ModelDescriptor d) throws ModelRejectedException {
                    if (!d.getModelVersion().equals(model.version())) {
                        throw new ModelRejectedException(ModelRejectedException.Reason.MISSING,
                                "a pinned replay scores with " + model.version() + " only");
                    }
                    return model;
                }
            };
        }

        private static String sha256(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
