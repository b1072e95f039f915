package io.fraudstream.model;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Signs bundle bytes with Ed25519 (JDK provider) and verifies them. The signature covers the exact file bytes
 * (pure Ed25519, no pre-hash), and the digest is SHA-256 of the same bytes; the loader checks both. Since the
 * bundle embeds its model version, a signature also binds the version (see {@link ModelLoader}).
 *
 * <p>Instances are immutable and thread-safe ({@link Signature} objects are created per call).
 */
public final class BundleSigner {
    private final PrivateKey privateKey;

    public BundleSigner(PrivateKey privateKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        if (!SigningKeys.ALGORITHM.equalsIgnoreCase(privateKey.getAlgorithm())
                && !"EdDSA".equalsIgnoreCase(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException("bundle signing needs an Ed25519 key, got "
                    + privateKey.getAlgorithm());
        }
    }

    /** Digest and signature of {@code bundle}, ready for a {@code ModelDescriptor}. */
    public BundleSignature sign(byte[] bundle) {
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initSign(privateKey);
            s.update(bundle);
            return new BundleSignature(sha256Hex(bundle), Base64.getEncoder().encodeToString(s.sign()));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable Ed25519 private key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /**
     * True if {@code signatureBase64} is a valid Ed25519 signature of {@code bundle} under {@code publicKey};
     * false for any malformed signature (bad Base64, wrong length), never an exception.
     */
    public static boolean verify(byte[] bundle, String signatureBase64, PublicKey publicKey) {
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initVerify(publicKey);
            s.update(bundle);
            return s.verify(sig);
        } catch (SignatureException e) {
            return false;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not a usable Ed25519 public key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed", e);
        }
    }
}
