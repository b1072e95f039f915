package io.fraudstream.model;

import io.fraudstream.avro.ModelDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs and verifies the <i>decision</i> a {@link ModelDescriptor} carries (which version plays which role, issued
 * when), with the same Ed25519 model-signing key as the bundles ({@link SigningKeys}). The bundle signature proves
 * the weights are ours; the decision signature proves that our trainer/registry, not whoever can write to
 * {@code model-updates}, decided to promote, shadow or retire that version.
 *
 * <p>Signed bytes ({@link #decisionBytes}): the ASCII tag {@value #TAG}, then modelVersion, role, sha256, location
 * and signature, each as a 4-byte big-endian length and its UTF-8 bytes, then createdAt and issuedAt as 8-byte
 * big-endian epoch milliseconds. Length prefixes make the encoding unambiguous; the tag keeps a decision signature
 * from ever being valid as a bundle signature (a bundle is an Avro container file, never starts with the tag).
 *
 * <p>Thread-safe and stateless.
 */
public final class DecisionSigner {
    /** Domain-separation tag at the start of the signed bytes. */
    public static final String TAG = "fraudstream-model-decision-v1";

    private DecisionSigner() {}

    /** {@code descriptor} with {@code issuedAt} set and its decision signed by {@code key}. */
    public static ModelDescriptor sign(ModelDescriptor descriptor, PrivateKey key, Instant issuedAt) {
        Objects.requireNonNull(key, "key");
        ModelDescriptor unsigned = ModelDescriptor.newBuilder(descriptor)
                .setIssuedAt(Objects.requireNonNull(issuedAt, "issuedAt"))
                .setDecisionSignature(null)
                .build();
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initSign(key);
            s.update(decisionBytes(unsigned));
            return ModelDescriptor.newBuilder(unsigned)
                    .setDecisionSignature(Base64.getEncoder().encodeToString(s.sign()))
                    .build();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable Ed25519 private key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * True if the descriptor carries an issued-at time and a decision signature that verifies under
     * {@code publicKey}; false for an unsigned, malformed or forged one, never an exception.
     */
    public static boolean verify(ModelDescriptor descriptor, PublicKey publicKey) {
        if (descriptor.getIssuedAt() == null || descriptor.getDecisionSignature() == null) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = decisionBytes(descriptor);
        } catch (RuntimeException e) {
            return false; // a missing field: not a decision we signed
        }
        return BundleSigner.verify(bytes, descriptor.getDecisionSignature(), publicKey);
    }

    /** The exact bytes the decision signature covers (see the class comment). */
    public static byte[] decisionBytes(ModelDescriptor d) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(TAG.getBytes(StandardCharsets.US_ASCII));
            text(out, d.getModelVersion());
            text(out, d.getRole().name());
            text(out, d.getSha256());
            text(out, d.getLocation());
            text(out, d.getSignature());
            out.writeLong(d.getCreatedAt().toEpochMilli());
            out.writeLong(Objects.requireNonNull(d.getIssuedAt(), "issuedAt").toEpochMilli());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return buf.toByteArray();
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = Objects.requireNonNull(s, "descriptor field").getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
