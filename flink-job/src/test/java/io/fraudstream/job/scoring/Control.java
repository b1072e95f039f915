package io.fraudstream.job.scoring;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Either;

/** Control messages for the scoring function's broadcast side in harness tests. */
final class Control {
    private Control() {}

    static StreamRecord<Either<ModelDescriptor, RuleSet>> model(ModelDescriptor descriptor) {
        return new StreamRecord<>(Either.Left(descriptor));
    }

    static StreamRecord<Either<ModelDescriptor, RuleSet>> rules(RuleSet set) {
        return new StreamRecord<>(Either.Right(set));
    }
}
