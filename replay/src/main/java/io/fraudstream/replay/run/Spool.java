package io.fraudstream.replay.run;

import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.schemas.AvroCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The input of a bounded run, encoded once on the client: every transaction as the exact bytes the live
 * path would find on Kafka (single-object Avro, {@link AvroCodec}) with its coordinates — partition =
 * file index, offset = line — in a local file the source task streams from. Keeping the bytes on disk
 * rather than in the job graph lets the input be larger than memory; the labels (one entry per
 * transaction id) are what stays on the client.
 *
 * <p>Record layout: int partition, long offset, long eventTimeMillis, int key length, key bytes (the
 * card token, UTF-8), int value length, value bytes.
 */
public final class Spool implements Closeable {

    private final Path file;
    private final String topic;
    private final long records;
    private final Map<String, Boolean> labels;
    private final BadRows badRows;
    private final long rowsRead;

    private Spool(Path file, String topic, long records, Map<String, Boolean> labels, BadRows badRows, long rowsRead) {
        this.file = file;
        this.topic = topic;
        this.records = records;
        this.labels = labels;
        this.badRows = badRows;
        this.rowsRead = rowsRead;
    }

    /**
     * Reads everything from {@code reader} into {@code file}. {@code extraLabels} (may be empty) override
     * the input's own labels.
     */
    public static Spool write(TransactionReader reader, int fileIndex, String topic, Path file,
            Map<String, Boolean> extraLabels, Progress progress) throws IOException {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Boolean> labels = new HashMap<>();
        long n = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                Transaction tx = t.transaction();
                byte[] key = tx.getCardId().getBytes(StandardCharsets.UTF_8);
                byte[] value = codec.encode(tx);
                out.writeInt(fileIndex);
                out.writeLong(t.line());
                out.writeLong(tx.getEventTime().toEpochMilli());
                out.writeInt(key.length);
                out.write(key);
                out.writeInt(value.length);
                out.write(value);
                Boolean label = extraLabels.getOrDefault(tx.getTransactionId(), t.fraud());
                if (label != null) {
                    labels.put(tx.getTransactionId(), label);
                }
                n++;
                progress.tick("read", n, -1);
            }
        }
        progress.done("read", n);
        return new Spool(file, topic, n, labels, reader.badRows(), reader.rowsRead());
    }

    public Path file() {
        return file;
    }

    public String topic() {
        return topic;
    }

    /** Transactions in the spool (bad rows excluded). */
    public long records() {
        return records;
    }

    /** Label per transaction id, for those that have one. */
    public Map<String, Boolean> labels() {
        return Collections.unmodifiableMap(labels);
    }

    public BadRows badRows() {
        return badRows;
    }

    public long rowsRead() {
        return rowsRead;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }

    /** One record read back. */
    public record Entry(int partition, long offset, long eventTimeMillis, byte[] key, byte[] value) {}

    /** Sequential reader of a spool file. */
    public static final class Reader implements Closeable {
        private final DataInputStream in;

        public Reader(Path file) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        }

        /** The next record, or null at the end. */
        public Entry next() throws IOException {
            int partition;
            try {
                partition = in.readInt();
            } catch (EOFException e) {
                return null;
            }
            long offset = in.readLong();
            long time = in.readLong();
            byte[] key = new byte[in.readInt()];
            in.readFully(key);
            byte[] value = new byte[in.readInt()];
            in.readFully(value);
            return new Entry(partition, offset, time, key, value);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
