package io.fraudstream.rules;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.model.BundleSigner;
import io.fraudstream.model.DecisionSigner;
import io.fraudstream.model.SigningKeys;
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
 * Signs and verifies {@link RuleSet}s the way {@link DecisionSigner} signs model decisions: Ed25519 with the same
 * model-signing key ({@link SigningKeys}), verified by the same code ({@link BundleSigner#verify}); only the signed
 * bytes and their domain tag differ, so a rule-set signature is never valid as a model decision or a bundle.
 *
 * <p>Signed bytes ({@link #canonicalBytes}): the ASCII tag {@value #TAG}; name; version and issuedAt as 8-byte
 * big-endian (issuedAt in epoch milliseconds); issuedBy; the rule count as 4 bytes; per rule in the set's order:
 * name, priority (4 bytes), action name, expression, enabled (1 byte), description. Strings are a 4-byte big-endian
 * length and their UTF-8 bytes.
 *
 * <p>Thread-safe and stateless.
 */
public final class RuleSetSigner {
    /** Domain-separation tag at the start of the signed bytes. */
    public static final String TAG = "fraudstream-rule-set-v1";

    private RuleSetSigner() {}

    /** {@code set} with {@code issuedAt} set and signed by {@code key}. */
    public static RuleSet sign(RuleSet set, PrivateKey key, Instant issuedAt) {
        Objects.requireNonNull(key, "key");
        RuleSet unsigned = RuleSet.newBuilder(set)
                .setIssuedAt(Objects.requireNonNull(issuedAt, "issuedAt"))
                .setSignature(null)
                .build();
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initSign(key);
            s.update(canonicalBytes(unsigned));
            return RuleSet.newBuilder(unsigned).setSignature(Base64.getEncoder().encodeToString(s.sign())).build();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable Ed25519 private key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** True if the set carries a signature that verifies under {@code publicKey}; never throws. */
    public static boolean verify(RuleSet set, PublicKey publicKey) {
        if (set.getSignature() == null) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = canonicalBytes(set);
        } catch (RuntimeException e) {
            return false; // a missing field: not a set we signed
        }
        return BundleSigner.verify(bytes, set.getSignature(), publicKey);
    }

    /** The exact bytes the signature covers (see the class comment). */
    public static byte[] canonicalBytes(RuleSet set) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(TAG.getBytes(StandardCharsets.US_ASCII));
            text(out, set.getName());
            out.writeLong(set.getVersion());
            out.writeLong(set.getIssuedAt().toEpochMilli());
            text(out, set.getIssuedBy());
            out.writeInt(set.getRules().size());
            for (RuleDefinition r : set.getRules()) {
                text(out, r.getName());
                out.writeInt(r.getPriority());
                text(out, r.getAction().name());
                text(out, r.getExpression());
                out.writeBoolean(r.getEnabled());
                text(out, r.getDescription());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return buf.toByteArray();
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = Objects.requireNonNull(s, "rule set field").getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
