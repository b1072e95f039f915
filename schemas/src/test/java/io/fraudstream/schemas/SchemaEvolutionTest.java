package io.fraudstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Transaction;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * Both directions of schema evolution through the single-object format, with an added optional
 * field (the "next" producer) and a removed field with a default (the "previous" producer).
 * {@link KafkaRoundTripIT} repeats these through a real broker.
 */
class SchemaEvolutionTest {

    private final Schema current = Transaction.getClassSchema();
    private final Transaction tx = SampleTransactions.transaction(12);

    @Test
    void newReaderReadsOldWriterThatLacksAFieldWithDefault() throws Exception {
        Schema previous = SampleTransactions.previousSchema();
        byte[] bytes = Evolution.encodeAs(previous, tx);
        AvroCodec<Transaction> reader = AvroCodec.withSchemas(Transaction.class, current, List.of(previous));

        Transaction read = reader.decode(bytes);

        assertThat(read.getTerminalId()).isNull();
        assertThat(read.getTransactionId()).isEqualTo(tx.getTransactionId());
        assertThat(read.getAmountMinor()).isEqualTo(tx.getAmountMinor());
    }

    @Test
    void oldReaderReadsNewWriterAndIgnoresTheAddedField() throws Exception {
        Schema previous = SampleTransactions.previousSchema();
        byte[] bytes = AvroCodec.of(Transaction.class).encode(tx);

        GenericRecord read = Evolution.decodeAs(previous, current, bytes);

        assertThat(read.getSchema().getField("terminalId")).isNull();
        assertThat(read.get("transactionId").toString()).isEqualTo(tx.getTransactionId());
    }

    @Test
    void currentReaderReadsNextWriterWithAnExtraOptionalField() throws Exception {
        Schema next = SampleTransactions.nextSchema();
        GenericRecord withTier = Evolution.toGeneric(next, tx);
        withTier.put("loyaltyTier", "gold");
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(Evolution.MODEL, next).encode(withTier).array();
        AvroCodec<Transaction> reader = AvroCodec.withSchemas(Transaction.class, current, List.of(next));

        assertThat(reader.decode(bytes)).isEqualTo(tx);
    }

    @Test
    void nextReaderReadsCurrentWriterWithTheDefault() throws Exception {
        Schema next = SampleTransactions.nextSchema();
        byte[] bytes = AvroCodec.of(Transaction.class).encode(tx);

        GenericRecord read = Evolution.decodeAs(next, current, bytes);

        assertThat(read.get("loyaltyTier")).isNull();
        assertThat(read.get("transactionId").toString()).isEqualTo(tx.getTransactionId());
    }

    /** Generic-record helpers shared with the Kafka IT. */
    static final class Evolution {
        /** Generic model that maps timestamp-millis to Instant, as the generated classes do. */
        static final GenericData MODEL = new GenericData();

        static {
            MODEL.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        }

        private Evolution() {}

        static GenericRecord toGeneric(Schema schema, Transaction tx) {
            GenericRecord asCurrent = (GenericRecord) SpecificData.get().deepCopy(tx.getSchema(), tx);
            GenericData.Record out = new GenericData.Record(schema);
            for (Schema.Field f : schema.getFields()) {
                Schema.Field source = tx.getSchema().getField(f.name());
                if (source != null) {
                    Object value = asCurrent.get(f.name());
                    // Enums must carry the target schema's enum type for the generic writer.
                    if (value instanceof Enum<?> e) {
                        Schema enumSchema = f.schema();
                        value = new GenericData.EnumSymbol(enumSchema, e.name());
                    }
                    out.put(f.name(), value);
                }
            }
            return out;
        }

        static byte[] encodeAs(Schema writer, Transaction tx) {
            try {
                ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(MODEL, writer)
                        .encode(toGeneric(writer, tx));
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static GenericRecord decodeAs(Schema reader, Schema writer, byte[] bytes) throws java.io.IOException {
            BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(MODEL, reader);
            decoder.addSchema(writer);
            return decoder.decode(bytes);
        }
    }
}
