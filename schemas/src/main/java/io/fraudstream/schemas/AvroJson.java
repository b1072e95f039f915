package io.fraudstream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro's JSON encoding of a record, for small human-readable files (a model descriptor to start the
 * job with, configuration handed between tools). Never used on Kafka.
 */
public final class AvroJson {

    private AvroJson() {}

    public static <T extends SpecificRecord> String toJson(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out, true);
            @SuppressWarnings("unchecked")
            SpecificDatumWriter<T> writer = new SpecificDatumWriter<>((Class<T>) record.getClass());
            writer.write(record, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T extends SpecificRecord> T fromJson(Class<T> type, String json) throws IOException {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        return reader.read(null, DecoderFactory.get().jsonDecoder(SpecificData.get().getSchema(type), json));
    }

    public static <T extends SpecificRecord> void write(T record, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(record));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static <T extends SpecificRecord> T read(Class<T> type, Path file) throws IOException {
        return fromJson(type, Files.readString(file));
    }
}
