package io.fraudstream.console.db;

import io.fraudstream.avro.FraudLabel;

/**
 * Where an analyst's label goes: the {@code fraud-labels} topic in production ({@code KafkaLabelSink}). {@link #send}
 * returns only once the record is acknowledged, so the console commits a label only after Kafka has it.
 */
public interface LabelSink {

    void send(FraudLabel label) throws Exception;
}
