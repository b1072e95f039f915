package io.fraudstream.job.model;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelRejectedException;
import java.io.Serializable;

/**
 * Where the scoring function gets verified models. Opened once per subtask in {@code open()}. The
 * production implementation reads the signed model store; tests may hand in models directly.
 */
public interface ModelRepository extends AutoCloseable {

    /** The champion to score with before any descriptor arrives on the model-updates topic. */
    ModelDescriptor initialChampion();

    /** Loads and verifies the bundle a descriptor points to; refuses anything unverifiable. */
    FraudModel load(ModelDescriptor descriptor) throws ModelRejectedException;

    /**
     * Refuses a descriptor whose decision (version, role, digest, location, issued-at) is not signed with the
     * model-signing key ({@link ModelRejectedException.Reason#DECISION_SIGNATURE}). Called before the job acts on
     * any descriptor from {@code model-updates}. The default refuses every descriptor: a repository that does not
     * know the key takes no orders from the topic.
     */
    default void verifyDecision(ModelDescriptor descriptor) throws ModelRejectedException {
        throw new ModelRejectedException(ModelRejectedException.Reason.DECISION_SIGNATURE,
                "this model repository verifies no model decisions; descriptor of " + descriptor.getModelVersion()
                        + " ignored");
    }

    @Override
    default void close() {}

    /** Serializable recipe for a repository, shipped with the job graph. */
    interface Factory extends Serializable {
        ModelRepository open() throws Exception;
    }
}
