package io.fraudstream.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka client serializer and deserializer for one record type in the project's wire format.
 * For plain Kafka clients (simulator, replay, tools, tests); the Flink job uses {@link AvroCodec}
 * directly so it can dead-letter what does not decode.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serializer<T>, Deserializer<T> {

    private final AvroCodec<T> codec;

    public AvroSerde(Class<T> type) {
        this.codec = AvroCodec.of(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec.encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (WireFormatException e) {
            throw new SerializationException(e.reason() + " on " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the type fixes the schema.
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
