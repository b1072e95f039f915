package io.fraudstream.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Replaces card and account numbers by stable tokens before anything enters the system. Public
 * benchmark files (Sparkov/Kaggle) carry real-looking card numbers in {@code cc_num}; fraudstream carries
 * tokens only. An id made only of digits (spaces and dashes between them allowed) becomes
 * {@code prefix + first 16 hex digits of SHA-256(salt + digits)}; any other id (e.g. {@code card-000123}) is
 * already a token and passes through unchanged.
 *
 * <p>The salt makes the tokens unlinkable to the numbers for anyone who does not know it; with the public
 * default salt they are stable across runs but a card number can be confirmed by hashing it. Set your own
 * salt ({@code --token-salt}) for real data. The raw number is never stored, logged or put in a message.
 * Not thread-safe (one digest per instance).
 */
public final class CardTokens {

    /** Used when none is configured: fine for public benchmark data, not for a bank's own exports. */
    public static final String DEFAULT_SALT = "fraudstream-replay";

    private final byte[] salt;
    private final MessageDigest sha256;
    private final StringBuilder digits = new StringBuilder(24);

    public CardTokens(String salt) {
        this.salt = salt.getBytes(StandardCharsets.UTF_8);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@code id} unchanged unless it is all digits; then its token with {@code prefix}. */
    public String tokenize(String id, String prefix) {
        digits.setLength(0);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c != ' ' && c != '-') {
                return id;
            }
        }
        if (digits.length() == 0) {
            return id;
        }
        sha256.reset();
        sha256.update(salt);
        byte[] hash = sha256.digest(digits.toString().getBytes(StandardCharsets.US_ASCII));
        return prefix + HexFormat.of().formatHex(hash, 0, 8);
    }
}
