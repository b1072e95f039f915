package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.model.ModelRejectedException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a bundle can be refused, each with its reason; and that a good one loads bit-exact. */
class ModelLoaderTest {
    private static final KeyPair KEYS = SigningKeys.generate();
    private static final KeyPair OTHER_KEYS = SigningKeys.generate();

    @TempDir
    Path tmp;
    private ModelStore store;
    private ModelLoader loader;
    private FraudModel model;
    private ModelDescriptor descriptor;

    @BeforeEach
    void publish() throws IOException {
        store = new ModelStore(tmp.resolve("store"));
        loader = ModelLoader.builder(store, KEYS.getPublic()).build();
        model = TestModels.model("20261129T1030Z-test", 1);
        descriptor = store.publish(model, ModelRole.SHADOW, KEYS.getPrivate());
    }

    @Test
    void loadsAPublishedModel() throws Exception {
        assertThat(descriptor.getLocation()).isEqualTo("20261129T1030Z-test.bundle");
        assertThat(descriptor.getRole()).isEqualTo(ModelRole.SHADOW);
        assertThat(descriptor.getCreatedAt()).isEqualTo(model.createdAt());
        assertThat(descriptor.getSha256())
                .isEqualTo(BundleSigner.sha256Hex(Files.readAllBytes(store.root().resolve(descriptor.getLocation()))));
        assertThat(loader.load(descriptor)).isEqualTo(model);
        assertThat(store.versions()).containsExactly(model.version());
    }

    @Test
    void flippedByteIsADigestMismatch() throws Exception {
        Path file = store.root().resolve(descriptor.getLocation());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        assertRejected(descriptor, Reason.DIGEST_MISMATCH);
    }

    @Test
    void tamperedBundleWithAMatchingDigestFailsTheSignature() throws Exception {
        Path file = store.root().resolve(descriptor.getLocation());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        ModelDescriptor forged = ModelDescriptor.newBuilder(descriptor).setSha256(BundleSigner.sha256Hex(bytes)).build();
        assertRejected(forged, Reason.BAD_SIGNATURE);
    }

    @Test
    void signatureFromAnotherKeyIsRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(store.root().resolve(descriptor.getLocation()));
        BundleSignature other = new BundleSigner(OTHER_KEYS.getPrivate()).sign(bytes);
        assertThat(other.sha256Hex()).isEqualTo(descriptor.getSha256());
        assertRejected(ModelDescriptor.newBuilder(descriptor).setSignature(other.signatureBase64()).build(),
                Reason.BAD_SIGNATURE);
        assertRejected(ModelDescriptor.newBuilder(descriptor).setSignature("").build(), Reason.BAD_SIGNATURE);
        // and a whole store signed by another key is refused by this loader
        ModelStore otherStore = new ModelStore(tmp.resolve("other"));
        ModelDescriptor foreign = otherStore.publish(model, ModelRole.CHAMPION, OTHER_KEYS.getPrivate());
        assertThatThrownBy(() -> ModelLoader.builder(otherStore, KEYS.getPublic()).build().load(foreign))
                .isInstanceOfSatisfying(ModelRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }

    @Test
    void truncatedFileIsADigestMismatchAndIfSignedAnywayMalformed() throws Exception {
        Path file = store.root().resolve(descriptor.getLocation());
        byte[] cut = Arrays.copyOf(Files.readAllBytes(file), 300);
        Files.write(file, cut);
        assertRejected(descriptor, Reason.DIGEST_MISMATCH);
        // a truncated file that the trusted key did sign is still not a model
        BundleSignature sig = new BundleSigner(KEYS.getPrivate()).sign(cut);
        assertRejected(ModelDescriptor.newBuilder(descriptor).setSha256(sig.sha256Hex())
                .setSignature(sig.signatureBase64()).build(), Reason.MALFORMED);
    }

    @Test
    void oversizeFileIsRefusedBeforeItIsRead() throws Exception {
        long size = Files.size(store.root().resolve(descriptor.getLocation()));
        ModelLoader small = ModelLoader.builder(store, KEYS.getPublic()).maxBundleBytes(size - 1).build();
        assertThatThrownBy(() -> small.load(descriptor)).isInstanceOfSatisfying(ModelRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
        assertThat(ModelLoader.builder(store, KEYS.getPublic()).maxBundleBytes(size).build().load(descriptor))
                .isEqualTo(model);
    }

    @Test
    void pathTraversalIsRefused() throws Exception {
        Files.writeString(tmp.resolve("x"), "outside");
        assertRejected(withLocation("../x"), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation("/etc/passwd"), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation("sub/../../x"), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation(tmp.resolve("x").toString()), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation("..\\x"), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation(""), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation("."), Reason.PATH_TRAVERSAL);
        assertRejected(withLocation("a\u0000b"), Reason.PATH_TRAVERSAL);

        // a symlink inside the store pointing out of it
        Path outside = tmp.resolve("outside.bundle");
        Files.copy(store.root().resolve(descriptor.getLocation()), outside);
        Files.createSymbolicLink(store.root().resolve("escape.bundle"), outside);
        assertRejected(withLocation("escape.bundle"), Reason.PATH_TRAVERSAL);
        // a symlinked directory pointing out of it
        Files.createSymbolicLink(store.root().resolve("dir"), tmp);
        assertRejected(withLocation("dir/outside.bundle"), Reason.PATH_TRAVERSAL);
        // while a symlink that stays inside is fine
        Files.createSymbolicLink(store.root().resolve("alias.bundle"), store.root().resolve(descriptor.getLocation()));
        assertThat(loader.load(withLocation("alias.bundle"))).isEqualTo(model);
    }

    @Test
    void missingFileIsMissing() {
        assertRejected(withLocation("nope.bundle"), Reason.MISSING);
    }

    @Test
    void directoryIsMissingNotReadable() throws Exception {
        Files.createDirectory(store.root().resolve("d.bundle"));
        assertRejected(withLocation("d.bundle"), Reason.MISSING);
    }

    @Test
    void malformedDigestInTheDescriptorIsADigestMismatch() {
        assertRejected(ModelDescriptor.newBuilder(descriptor).setSha256("XYZ").build(), Reason.DIGEST_MISMATCH);
        assertRejected(ModelDescriptor.newBuilder(descriptor).setSha256(descriptor.getSha256().toUpperCase())
                .build(), Reason.DIGEST_MISMATCH);
    }

    @Test
    void featureDimensionMismatchIsRefused() throws Exception {
        ModelLoader expecting = ModelLoader.builder(store, KEYS.getPublic())
                .expectedFeatureCount(model.featureCount() + 1).build();
        assertThatThrownBy(() -> expecting.load(descriptor)).isInstanceOfSatisfying(ModelRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.DIMENSION_MISMATCH));
        assertThat(ModelLoader.builder(store, KEYS.getPublic()).expectedFeatureCount(model.featureCount()).build()
                .load(descriptor)).isEqualTo(model);
    }

    @Test
    void anOldSignedBundleUnderANewVersionIsRefused() throws Exception {
        // the downgrade replay: a legitimately signed old bundle announced as a newer version
        ModelDescriptor replay = ModelDescriptor.newBuilder(descriptor).setModelVersion("20991231T0000Z-evil").build();
        assertRejected(replay, Reason.VERSION_MISMATCH);
    }

    @Test
    void republishingIsIdempotentButNeverOverwrites() throws Exception {
        ModelDescriptor again = store.publish(model, ModelRole.CHAMPION, KEYS.getPrivate());
        assertThat(again.getSha256()).isEqualTo(descriptor.getSha256());
        assertThat(again.getRole()).isEqualTo(ModelRole.CHAMPION);
        FraudModel changed = model.toBuilder().threshold(0.5).build();
        assertThatThrownBy(() -> store.publish(changed, ModelRole.SHADOW, KEYS.getPrivate()))
                .isInstanceOf(IOException.class).hasMessageContaining("already published");
        assertThat(loader.load(descriptor)).isEqualTo(model);
        try (var files = Files.list(store.root())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(descriptor.getLocation());
        }
    }

    private ModelDescriptor withLocation(String location) {
        return ModelDescriptor.newBuilder(descriptor).setLocation(location).build();
    }

    private void assertRejected(ModelDescriptor d, Reason reason) {
        assertThatThrownBy(() -> loader.load(d)).as(d.getLocation())
                .isInstanceOfSatisfying(ModelRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
