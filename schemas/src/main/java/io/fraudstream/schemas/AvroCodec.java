package io.fraudstream.schemas;

import io.fraudstream.avro.DeadLetterReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The project's wire format: Avro single-object encoding ({@code C3 01}, the writer schema's 8-byte
 * CRC-64-AVRO fingerprint, then the Avro binary body). The fingerprint tells a consumer which writer
 * schema produced the bytes; every released version from {@link SchemaHistory} is registered, so old
 * writers resolve into the current reader class.
 *
 * <p>Thread-safe (Avro keeps per-thread buffers) but not {@link java.io.Serializable}: Flink
 * functions create it in {@code open()}.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type, Schema writerSchema, Iterable<Schema> knownWriters) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, writerSchema);
        SchemaStore.Cache store = new SchemaStore.Cache();
        for (Schema known : knownWriters) {
            store.addSchema(known);
        }
        this.decoder = new BinaryMessageDecoder<>(model, schema, store);
        this.decoder.addSchema(writerSchema);
    }

    /** A codec that writes the current schema of {@code type} and reads every released version. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        Schema current = SpecificData.get().getSchema(type);
        return new AvroCodec<>(type, current, SchemaHistory.releasedVersions(type.getSimpleName()));
    }

    /**
     * A codec with an explicit writer schema and set of known writers; for tests of schema
     * evolution and for tools that must write an older version.
     */
    public static <T extends SpecificRecord> AvroCodec<T> withSchemas(
            Class<T> type, Schema writerSchema, Iterable<Schema> knownWriters) {
        return new AvroCodec<>(type, writerSchema, knownWriters);
    }

    public Class<T> type() {
        return type;
    }

    /** The reader (current) schema. */
    public Schema schema() {
        return schema;
    }

    /** 64-bit CRC-64-AVRO fingerprint of the current schema, as written in the header. */
    public long fingerprint() {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            // Encoding into memory cannot fail on I/O; a failure here is a bug in the record.
            throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes single-object bytes. Never throws anything but {@link WireFormatException}, whatever
     * the input (random bytes, truncated bodies, foreign schemas), so callers can dead-letter it.
     */
    public T decode(byte[] bytes) throws WireFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new WireFormatException(DeadLetterReason.UNDECODABLE, "empty value", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new WireFormatException(DeadLetterReason.UNKNOWN_SCHEMA,
                    "no released " + type.getSimpleName() + " schema has this fingerprint", e);
        } catch (BadHeaderException e) {
            throw new WireFormatException(DeadLetterReason.UNDECODABLE,
                    "not Avro single-object encoding: " + e.getMessage(), e);
        } catch (IOException | AvroRuntimeException e) {
            throw new WireFormatException(DeadLetterReason.UNDECODABLE,
                    "corrupt " + type.getSimpleName() + " body: " + e.getClass().getSimpleName(), e);
        } catch (RuntimeException | OutOfMemoryError e) {
            // Garbage can make Avro's binary decoder index past the buffer or ask for a huge array.
            throw new WireFormatException(DeadLetterReason.UNDECODABLE,
                    "corrupt " + type.getSimpleName() + " body: " + e.getClass().getSimpleName(), e);
        }
    }
}
