package io.fraudstream.model;

/**
 * A model bundle or descriptor that must not be used. The {@link #reason()} is meant for metrics (one counter
 * per reason) and the message for the log; neither ever contains key material.
 */
public final class ModelRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a bundle or descriptor was refused; the bundle reasons in the order {@link ModelLoader} checks. */
    public enum Reason {
        /** The location is absolute, contains {@code ..}, or resolves (through a symlink) outside the store. */
        PATH_TRAVERSAL,
        /** The bundle file is larger than the configured limit (checked before reading it). */
        TOO_LARGE,
        /** No (regular) file at the location. */
        MISSING,
        /** The file's SHA-256 differs from the descriptor's (or the descriptor's digest is not 64 hex digits). */
        DIGEST_MISMATCH,
        /** The Ed25519 signature does not verify with the configured public key. */
        BAD_SIGNATURE,
        /** Not a valid bundle: not Avro, truncated, unknown format version, inconsistent or non-finite values. */
        MALFORMED,
        /** The bundle's model version differs from the descriptor's (a signed old bundle under a new name). */
        VERSION_MISMATCH,
        /** The model's feature count differs from what the consumer expects. */
        DIMENSION_MISMATCH,
        /**
         * The descriptor's decision (version, role, digest, location, issued-at) is unsigned or its signature does
         * not verify with the model-signing public key ({@link DecisionSigner}): nobody we trust decided this.
         */
        DECISION_SIGNATURE,
        /** A validly signed decision that is not newer than one already accepted for that version: a replay. */
        REPLAYED
    }

    private final Reason reason;

    public ModelRejectedException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ModelRejectedException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
