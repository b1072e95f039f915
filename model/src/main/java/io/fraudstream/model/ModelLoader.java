package io.fraudstream.model;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.model.ModelRejectedException.Reason;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Loads the model a descriptor points at, verifying it first. Checks, in this order, and refuses with the
 * matching {@link Reason}:
 * <ol>
 *   <li>the location stays inside the store (PATH_TRAVERSAL) and names a regular file (MISSING);</li>
 *   <li>the file is at most {@code maxBundleBytes} (TOO_LARGE), before reading it;</li>
 *   <li>its SHA-256 equals the descriptor's (DIGEST_MISMATCH);</li>
 *   <li>the descriptor's Ed25519 signature verifies with the configured public key (BAD_SIGNATURE);</li>
 *   <li>it parses as a valid bundle (MALFORMED);</li>
 *   <li>the bundle's own model version equals the descriptor's (VERSION_MISMATCH): a validly signed old bundle
 *       cannot be replayed under a newer version;</li>
 *   <li>the feature count equals the expected one, when configured (DIMENSION_MISMATCH).</li>
 * </ol>
 * Nothing is parsed before the signature verifies. Version ordering (refusing downgrades and duplicates) is
 * the caller's decision: it knows the current version; see {@link ModelVersions#isNewer}.
 *
 * <p>Thread-safe; loading is blocking file I/O and belongs off the scoring path.
 */
public final class ModelLoader {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final ModelStore store;
    private final PublicKey publicKey;
    private final long maxBundleBytes;
    private final int expectedFeatureCount;

    private ModelLoader(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.publicKey = Objects.requireNonNull(b.publicKey, "publicKey");
        if (b.maxBundleBytes < 1) {
            throw new IllegalArgumentException("model.max-bundle-bytes must be >= 1, was " + b.maxBundleBytes);
        }
        this.maxBundleBytes = b.maxBundleBytes;
        this.expectedFeatureCount = b.expectedFeatureCount;
    }

    public static Builder builder(ModelStore store, PublicKey publicKey) {
        return new Builder(store, publicKey);
    }

    /** Loads and verifies the descriptor's bundle; see the class comment for the checks. */
    public FraudModel load(ModelDescriptor descriptor) throws ModelRejectedException {
        Objects.requireNonNull(descriptor, "descriptor");
        String version = String.valueOf(descriptor.getModelVersion());
        byte[] bundle = store.read(descriptor.getLocation(), maxBundleBytes);

        String expectedDigest = descriptor.getSha256();
        if (expectedDigest == null || !SHA256_HEX.matcher(expectedDigest).matches()) {
            throw new ModelRejectedException(Reason.DIGEST_MISMATCH, "descriptor of " + ModelVersions.printable(version)
                    + " does not carry a lower-case hex SHA-256");
        }
        byte[] actual = BundleSigner.sha256(bundle);
        if (!MessageDigest.isEqual(actual, HexFormat.of().parseHex(expectedDigest))) {
            throw new ModelRejectedException(Reason.DIGEST_MISMATCH, "bundle '"
                    + ModelVersions.printable(descriptor.getLocation()) + "' has SHA-256 "
                    + HexFormat.of().formatHex(actual) + ", the descriptor of " + ModelVersions.printable(version)
                    + " says " + expectedDigest);
        }
        if (descriptor.getSignature() == null
                || !BundleSigner.verify(bundle, descriptor.getSignature(), publicKey)) {
            throw new ModelRejectedException(Reason.BAD_SIGNATURE, "the signature of "
                    + ModelVersions.printable(version) + " does not verify with the configured public key");
        }
        FraudModel model = ModelBundles.read(bundle, maxBundleBytes);
        if (!model.version().equals(version)) {
            throw new ModelRejectedException(Reason.VERSION_MISMATCH, "descriptor says "
                    + ModelVersions.printable(version) + " but the signed bundle is " + model.version());
        }
        if (expectedFeatureCount > 0 && model.featureCount() != expectedFeatureCount) {
            throw new ModelRejectedException(Reason.DIMENSION_MISMATCH, "model " + version + " has "
                    + model.featureCount() + " features, expected " + expectedFeatureCount);
        }
        return model;
    }

    /**
     * Refuses (DECISION_SIGNATURE) a descriptor whose decision is unsigned or does not verify with the configured
     * public key ({@link DecisionSigner}). Cheap (no file access): call it before acting on a descriptor at all.
     * {@link #load} does not repeat it: the configured initial descriptor is trusted configuration, like the key.
     */
    public void verifyDecision(ModelDescriptor descriptor) throws ModelRejectedException {
        if (!DecisionSigner.verify(descriptor, publicKey)) {
            throw new ModelRejectedException(Reason.DECISION_SIGNATURE, (descriptor.getDecisionSignature() == null
                    ? "unsigned " : "forged or corrupted ") + descriptor.getRole() + " decision for "
                    + ModelVersions.printable(String.valueOf(descriptor.getModelVersion()))
                    + " (its decision signature does not verify with the configured public key)");
        }
    }

    public long maxBundleBytes() {
        return maxBundleBytes;
    }

    public static final class Builder {
        private final ModelStore store;
        private final PublicKey publicKey;
        private long maxBundleBytes = ModelBundles.DEFAULT_MAX_BYTES;
        private int expectedFeatureCount;

        private Builder(ModelStore store, PublicKey publicKey) {
            this.store = store;
            this.publicKey = publicKey;
        }

        /** Size limit of a bundle file; default 64 MiB. */
        public Builder maxBundleBytes(long v) { maxBundleBytes = v; return this; }

        /** Required feature count; 0 (the default) accepts any. */
        public Builder expectedFeatureCount(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("expected feature count must be >= 0, was " + v);
            }
            expectedFeatureCount = v;
            return this;
        }

        public ModelLoader build() {
            return new ModelLoader(this);
        }
    }
}
