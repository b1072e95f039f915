package io.fraudstream.job.io;

import io.fraudstream.avro.RuleSet;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rule sets; an undecodable one is logged, counted and skipped (the rule set in force stays). */
public final class RuleSetDeserializer implements KafkaRecordDeserializationSchema<RuleSet> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleSetDeserializer.class);

    private transient AvroCodec<RuleSet> codec;
    private transient Counter rejected;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = AvroCodec.of(RuleSet.class);
        rejected = context.getMetricGroup().counter("x");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RuleSet> out) {
        try {
            out.collect(codec.decode(record.value()));
        } catch (WireFormatException e) {
            rejected.inc();
            LOG.warn("Skipping undecodable rule set at {}-{}@{}: {} {}", record.topic(), record.partition(),
                    record.offset(), e.reason(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<RuleSet> getProducedType() {
        return new AvroTypeInfo<>(RuleSet.class);
    }
}
