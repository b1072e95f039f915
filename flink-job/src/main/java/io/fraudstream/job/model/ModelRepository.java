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

    @Override
    default void close() {}

    /** Serializable recipe for a repository, shipped with the job graph. */
    interface Factory extends Serializable {
        ModelRepository open() throws Exception;
    }
}
