package io.fraudstream.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces card and account numbers by tokens before anything enters the system: the one tokenization function of
 * fraudstream. An id made only of digits (spaces and dashes between them allowed) becomes
 * {@code prefix + the first 24 hex digits of HMAC-SHA256(key, digits)}; any other id (e.g. {@code card-000123}) is
 * already a token and passes through unchanged.
 *
 * <p>The key is a secret: without it a token cannot be linked to its card number, not even by hashing guessed
 * numbers (a card number has little entropy, so an unkeyed or public-salted hash can be reversed by trying them
 * all). Every producer that tokenizes for fraudstream (a bank's gateway writing {@code transactions}, replay, the
 * trainer) must use this function with the same key, so that a card has one token everywhere; the test
 * {@code CardTokensTest} pins the function with a published vector. 24 hex digits (96 bits) never look like a card
 * number to the job's detector.
 *
 * <p>Where the key comes from ({@link #fromOptionOrEnvironment}): {@code --card-token-key-file FILE}, else the
 * environment variable {@value #KEY_FILE_ENV}. The file holds at least 32 bytes of secret (e.g.
 * {@code openssl rand -base64 32 > card-token.key}); a trailing newline is ignored. Without a key, ids that are
 * already tokens pass, and the first card number is refused with a message saying how to supply one. Demos and tests
 * may use {@link #generated} (a random key, logged) or {@link #publicTestKey} (a key printed in this source, logged;
 * for public sample data only). The raw number is never stored, logged or put in a message. Thread-safe.
 */
public final class CardTokens {

    /** Environment variable naming the key file when no option does. */
    public static final String KEY_FILE_ENV = "FRAUDSTREAM_CARD_TOKEN_KEY_FILE";
    /** Command-line option naming the key file. */
    public static final String KEY_FILE_OPTION = "--card-token-key-file";
    /** Shortest accepted key. */
    public static final int MIN_KEY_BYTES = 32;
    /** Hex digits of the HMAC kept in a token. */
    public static final int TOKEN_HEX_DIGITS = 24;

    private static final Logger LOG = LoggerFactory.getLogger(CardTokens.class);
    private static final String HOW = "supply a secret key of at least " + MIN_KEY_BYTES + " bytes with "
            + KEY_FILE_OPTION + " FILE or the environment variable " + KEY_FILE_ENV
            + " (create one with: openssl rand -base64 32 > card-token.key; keep it secret and the same everywhere "
            + "tokens are made)";

    /** A card number arrived and no key was supplied. The message says how to supply one. */
    public static final class MissingKeyException extends IllegalStateException {
        public MissingKeyException(String message) {
            super(message);
        }
    }

    private final byte[] key;
    private final String origin;
    private final ThreadLocal<Mac> mac;

    private CardTokens(byte[] key, String origin) {
        this.key = key == null ? null : key.clone();
        this.origin = origin;
        this.mac = key == null ? null : ThreadLocal.withInitial(() -> newMac(this.key));
    }

    /** Tokens under {@code key} (at least {@value #MIN_KEY_BYTES} bytes). */
    public static CardTokens ofKey(byte[] key, String origin) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("card-token key (" + origin + ") has " + key.length + " bytes, fewer than "
                    + MIN_KEY_BYTES + ": " + HOW);
        }
        return new CardTokens(key, origin);
    }

    /** The key in {@code file}: its bytes, a trailing newline ignored. */
    public static CardTokens fromKeyFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the card-token key file " + file + ": " + e.getMessage()
                    + "; " + HOW, e);
        }
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
            n--;
        }
        CardTokens tokens = ofKey(Arrays.copyOf(bytes, n), "key file " + file);
        Arrays.fill(bytes, (byte) 0);
        return tokens;
    }

    /**
     * The key file named by the option (may be null), else by {@value #KEY_FILE_ENV}, else {@link #withoutKey()}.
     *
     * @param environment the process environment ({@code System.getenv()}), a parameter so tests can pass their own
     */
    public static CardTokens fromOptionOrEnvironment(String keyFileOption, java.util.Map<String, String> environment) {
        if (keyFileOption != null && !keyFileOption.isBlank()) {
            return fromKeyFile(Path.of(keyFileOption));
        }
        String env = environment.get(KEY_FILE_ENV);
        if (env != null && !env.isBlank()) {
            return fromKeyFile(Path.of(env));
        }
        return withoutKey();
    }

    /** No key: ids that are tokens already pass; a card number is refused ({@link MissingKeyException}). */
    public static CardTokens withoutKey() {
        return new CardTokens(null, "no key");
    }

    /** A random key, for demos and tests: tokens differ from run to run. Says so in the log. */
    public static CardTokens generated(String purpose) {
        byte[] key = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        LOG.warn("Card tokens use a generated key ({}): fine for demos and tests, tokens differ from run to run; "
                + "for real data {}", purpose, HOW);
        return new CardTokens(key, "generated key (" + purpose + ")");
    }

    /**
     * A fixed key written in this source, so tokens of the public sample data are the same in every test and
     * benchmark run. Anyone can compute these tokens: never for a bank's data. Says so in the log.
     */
    public static CardTokens publicTestKey(String purpose) {
        LOG.info("Card tokens use the public test key ({}): for public sample data, tests and benchmarks only", purpose);
        return new CardTokens("fraudstream public test key, never for real card data".getBytes(StandardCharsets.US_ASCII),
                "public test key (" + purpose + ")");
    }

    /** Where the key came from, for logs (never the key). */
    public String origin() {
        return origin;
    }

    /** {@code id} unchanged unless it is all digits (spaces and dashes allowed); then its token with {@code prefix}. */
    public String tokenize(String id, String prefix) {
        StringBuilder digits = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == null) {
                    digits = new StringBuilder(24);
                }
                digits.append(c);
            } else if (c != ' ' && c != '-') {
                return id;
            }
        }
        if (digits == null) {
            return id;
        }
        if (key == null) {
            throw new MissingKeyException("a card or account number needs tokenizing and no card-token key was given: " + HOW);
        }
        Mac m = mac.get();
        byte[] hash = m.doFinal(digits.toString().getBytes(StandardCharsets.US_ASCII));
        return prefix + HexFormat.of().formatHex(hash, 0, TOKEN_HEX_DIGITS / 2);
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}
