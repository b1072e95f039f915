package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.scoring.CardHistorySerializer;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

/** Everything on the wire between operators and in state is serialized by Avro, POJO or own serializers. */
class NoKryoTest {

    private final SerializerConfigImpl noGenericTypes = noGenericTypes();

    private static SerializerConfigImpl noGenericTypes() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    @Test
    void generatedAvroRecordsUseTheAvroSerializer() {
        for (Class<?> type : List.of(Transaction.class, FraudScore.class, FraudAlert.class, DeadLetter.class,
                ModelDescriptor.class, FraudLabel.class, io.fraudstream.avro.RuleSet.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(AvroTypeInfo.class);
            TypeSerializer<?> serializer = info.createSerializer(noGenericTypes);
            assertThat(serializer).as(type.getSimpleName()).isInstanceOf(AvroSerializer.class);
        }
    }

    @Test
    void internalEventsArePojos() {
        for (Class<?> type : List.of(TransactionEvent.class, RawRecord.class, io.fraudstream.job.pop.PopDelta.class,
                io.fraudstream.features.pop.PopCounts.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            info.createSerializer(noGenericTypes); // throws if any field would need Kryo
        }
    }

    @Test
    void theScoringControlStreamAndTheRuleSetStateNeedNoKryo() {
        // Either of two Avro records: Flink's Either serializer over two Avro serializers.
        assertThat(JobStreams.CONTROL_TYPE.createSerializer(noGenericTypes))
                .isInstanceOf(org.apache.flink.api.java.typeutils.runtime.EitherSerializer.class);
        JobStreams.RULE_SETS.initializeSerializerUnlessSet(new org.apache.flink.api.common.ExecutionConfig());
        assertThat(JobStreams.RULE_SETS.getValueSerializer()).isInstanceOf(AvroSerializer.class);
    }

    @Test
    void stateUsesTheCardHistorySerializer() {
        assertThat(JobStreams.CARD_HISTORY.getSerializer()).isSameAs(CardHistorySerializer.INSTANCE);
    }

    @Test
    void aTypeThatWouldFallBackToKryoIsRefused() {
        // The guard itself works: with generic types disabled, a Kryo-only type cannot get a serializer.
        TypeInformation<java.util.Random> kryoOnly = new GenericTypeInfo<>(java.util.Random.class);
        assertThatThrownBy(() -> kryoOnly.createSerializer(noGenericTypes))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
