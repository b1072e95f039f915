package io.fraudstream.replay.run;

import io.fraudstream.avro.Transaction;
import io.fraudstream.cli.support.Progress;
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
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The input of a bounded run, written once on the client: every transaction as the exact bytes the live
 * path reads from Kafka (single-object Avro, {@link AvroCodec}) with its coordinates — for a file,
 * partition = file index and offset = line; for a Kafka topic, the record's own partition and offset —
 * in a local file the source tasks stream from. Keeping the bytes on disk rather than in the job graph lets
 * the input be larger than memory; what stays on the client is a small index per record (card, transaction
 * id, coordinates: a few dozen bytes) and the labels.
 *
 * <p>Record layout: int partition, long offset, long eventTimeMillis, int key length, key bytes (the
 * card token, UTF-8), int value length, value bytes.
 *
 * <p>{@link #parts(int)} splits the spool by card for a parallel run: each card's records all in one part, in
 * spool order, and grouped card after card (so a card's history stays in the CPU cache while its records are
 * scored). Only per-card order matters to the scores, so every grouping scores every transaction the same.
 */
public final class Spool implements Closeable {

    private final Path file;
    private final String topic;
    private final Map<String, Boolean> labels;
    private final BadRows badRows;
    private final long rowsRead;
    // the index, one entry per record in spool order
    private final int records;
    private final int[] cardOrdinal;
    private final List<String> cards;
    private final Map<String, Integer> cardIndex;
    private final String[] transactionIds;
    private final long[] eventTimes;
    private final int[] partitions;
    private final long[] offsets;
    private final long[] positions;
    private final Map<Integer, List<Path>> parts = new HashMap<>();
    private Map<Long, Integer> byCoordinates;

    private Spool(Writer w, Map<String, Boolean> labels, BadRows badRows, long rowsRead) {
        this.file = w.file;
        this.topic = w.topic;
        this.labels = labels;
        this.badRows = badRows;
        this.rowsRead = rowsRead;
        this.records = w.n;
        this.cardOrdinal = Arrays.copyOf(w.cardOrdinal, w.n);
        this.cards = w.cards;
        this.cardIndex = w.cardIndex;
        this.transactionIds = Arrays.copyOf(w.transactionIds, w.n);
        this.eventTimes = Arrays.copyOf(w.eventTimes, w.n);
        this.partitions = Arrays.copyOf(w.partitions, w.n);
        this.offsets = Arrays.copyOf(w.offsets, w.n);
        this.positions = Arrays.copyOf(w.positions, w.n + 1);
        this.positions[w.n] = w.position;
    }

    /**
     * Reads everything from {@code reader} into {@code file}. {@code extraLabels} (may be empty) override
     * the input's own labels.
     */
    public static Spool write(TransactionReader reader, int fileIndex, String topic, Path file,
            Map<String, Boolean> extraLabels, Progress progress) throws IOException {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Boolean> labels = new HashMap<>();
        try (Writer w = new Writer(file, topic)) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                Transaction tx = t.transaction();
                w.add(fileIndex, t.line(), tx, codec.encode(tx));
                Boolean label = extraLabels.getOrDefault(tx.getTransactionId(), t.fraud());
                if (label != null) {
                    labels.put(tx.getTransactionId(), label);
                }
                progress.tick("read", w.n, -1);
            }
            progress.done("read", w.n);
            return w.finish(labels, reader.badRows(), reader.rowsRead());
        }
    }

    /** Writes a spool record by record (file readers, Kafka ranges); {@link #finish} turns it into a spool. */
    public static final class Writer implements Closeable {
        private final Path file;
        private final String topic;
        private final DataOutputStream out;
        private final Map<String, Integer> cardIndex = new HashMap<>();
        private final List<String> cards = new ArrayList<>();
        private int n;
        private long position;
        private int[] cardOrdinal = new int[1024];
        private String[] transactionIds = new String[1024];
        private long[] eventTimes = new long[1024];
        private int[] partitions = new int[1024];
        private long[] offsets = new long[1024];
        private long[] positions = new long[1025];
        private boolean finished;

        public Writer(Path file, String topic) throws IOException {
            this.file = file;
            this.topic = topic;
            this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }

        /** Appends one record: {@code value} is the single-object encoding of {@code tx}, as on Kafka. */
        public void add(int partition, long offset, Transaction tx, byte[] value) throws IOException {
            if (n == Integer.MAX_VALUE - 8) {
                throw new IOException("a spool holds at most " + n + " records");
            }
            String card = tx.getCardId();
            byte[] key = card.getBytes(StandardCharsets.UTF_8);
            if (n == cardOrdinal.length) {
                int cap = (int) Math.min(Integer.MAX_VALUE - 8L, 2L * n);
                cardOrdinal = Arrays.copyOf(cardOrdinal, cap);
                transactionIds = Arrays.copyOf(transactionIds, cap);
                eventTimes = Arrays.copyOf(eventTimes, cap);
                partitions = Arrays.copyOf(partitions, cap);
                offsets = Arrays.copyOf(offsets, cap);
                positions = Arrays.copyOf(positions, cap + 1);
            }
            Integer ordinal = cardIndex.get(card);
            if (ordinal == null) {
                ordinal = cards.size();
                cardIndex.put(card, ordinal);
                cards.add(card);
            }
            long time = tx.getEventTime().toEpochMilli();
            cardOrdinal[n] = ordinal;
            transactionIds[n] = tx.getTransactionId();
            eventTimes[n] = time;
            partitions[n] = partition;
            offsets[n] = offset;
            positions[n] = position;
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(time);
            out.writeInt(key.length);
            out.write(key);
            out.writeInt(value.length);
            out.write(value);
            position += 4 + 8 + 8 + 4 + key.length + 4 + value.length;
            n++;
        }

        public int records() {
            return n;
        }

        public Spool finish(Map<String, Boolean> labels, BadRows badRows, long rowsRead) throws IOException {
            out.close();
            finished = true;
            return new Spool(this, labels, badRows, rowsRead);
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                out.close();
            }
        }
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

    /** Card token of record i (spool order). */
    String cardOf(int i) {
        return cards.get(cardOrdinal[i]);
    }

    int cardOrdinalOf(int i) {
        return cardOrdinal[i];
    }

    /** Ordinal of a card token, or -1 when no record has it. */
    int cardOrdinal(String card) {
        Integer c = cardIndex.get(card);
        return c == null ? -1 : c;
    }

    int cardCount() {
        return cards.size();
    }

    String transactionIdOf(int i) {
        return transactionIds[i];
    }

    long eventTimeOf(int i) {
        return eventTimes[i];
    }

    /** Record number of the record with these coordinates, or -1. */
    synchronized int indexOf(int partition, long offset) {
        if (byCoordinates == null) {
            byCoordinates = new HashMap<>();
            for (int i = 0; i < records; i++) {
                byCoordinates.putIfAbsent(coordinates(partitions[i], offsets[i]), i);
            }
        }
        return byCoordinates.getOrDefault(coordinates(partition, offset), -1);
    }

    private static long coordinates(int partition, long offset) {
        return ((long) partition << 48) ^ offset;
    }

    /** The part (of {@code count}) that holds a card: the same card always lands in the same part. */
    static int partOf(String card, int count) {
        return Math.floorMod(card.hashCode() * 0x9E3779B9, count);
    }

    /**
     * The spool split into {@code count} files by card ({@link #partOf}), each card's records together and in
     * spool order, cards in order of first appearance. Written once per count and kept until {@link #close}.
     */
    public synchronized List<Path> parts(int count) throws IOException {
        List<Path> done = parts.get(count);
        if (done != null) {
            return done;
        }
        // counting sort of the records by (part, card ordinal), stable: spool order within a card
        int[] partOfCard = new int[cards.size()];
        for (int c = 0; c < cards.size(); c++) {
            partOfCard[c] = partOf(cards.get(c), count);
        }
        int[] start = new int[cards.size() + 1];
        for (int i = 0; i < records; i++) {
            start[cardOrdinal[i] + 1]++;
        }
        // card order within the whole layout: by part, then by first appearance
        int[] cardOrder = new int[cards.size()];
        int k = 0;
        for (int p = 0; p < count; p++) {
            for (int c = 0; c < cards.size(); c++) {
                if (partOfCard[c] == p) {
                    cardOrder[k++] = c;
                }
            }
        }
        int[] firstSlot = new int[cards.size()];
        int slot = 0;
        for (int c : cardOrder) {
            firstSlot[c] = slot;
            slot += start[c + 1];
        }
        int[] order = new int[records];
        for (int i = 0; i < records; i++) {
            order[firstSlot[cardOrdinal[i]]++] = i;
        }
        List<Path> files = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int next = 0;
            for (int p = 0; p < count; p++) {
                Path part = file.resolveSibling(file.getFileName() + ".part" + p + "of" + count);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                    while (next < records && partOfCard[cardOrdinal[order[next]]] == p) {
                        int i = order[next++];
                        int len = (int) (positions[i + 1] - positions[i]);
                        if (buf.capacity() < len) {
                            buf = ByteBuffer.allocate(len);
                        }
                        buf.clear().limit(len);
                        while (buf.hasRemaining()) {
                            if (in.read(buf, positions[i] + buf.position()) < 0) {
                                throw new EOFException("spool " + file + " is shorter than its index");
                            }
                        }
                        out.write(buf.array(), 0, len);
                    }
                }
                part.toFile().deleteOnExit();
                files.add(part);
            }
        }
        files = List.copyOf(files);
        parts.put(count, files);
        return files;
    }

    @Override
    public synchronized void close() throws IOException {
        for (List<Path> files : parts.values()) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        }
        parts.clear();
        Files.deleteIfExists(file);
    }

    /** One record read back. */
    public record Entry(int partition, long offset, long eventTimeMillis, byte[] key, byte[] value) {}

    /** Sequential reader of a spool file (or of one of its parts). */
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
