package io.fraudstream.job.io;

/**
 * A Kafka record exactly as read, before decoding, with where it came from. Decoding happens in
 * {@code DecodeAndValidate} rather than in the deserializer so that undecodable bytes can go to the
 * dead-letter output with their coordinates instead of failing the source. A Flink POJO.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp (producer create time or broker append time), epoch ms. */
    public long kafkaTimestamp;
    /** Wall clock when the job read the record, epoch microseconds. */
    public long ingestMicros;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long kafkaTimestamp, long ingestMicros,
            byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestamp = kafkaTimestamp;
        this.ingestMicros = ingestMicros;
        this.key = key;
        this.value = value;
    }
}
