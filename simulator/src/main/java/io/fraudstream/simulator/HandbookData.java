package io.fraudstream.simulator;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A generated Handbook data set ({@link HandbookSimulator}), columnar and in event-time order. Index {@code i} is
 * the {@code i}-th transaction in time order.
 *
 * <p>As project transactions ({@link #transaction(int)}): card {@code card-000123} (customer 123), account
 * {@code acct-000123}, merchant <em>and</em> terminal {@code term-004567} (the handbook has terminals only, so
 * the merchant half of the point-of-purchase features sees the terminal too, also through the Sparkov CSV,
 * which has no terminal column), category {@code handbook}, card-present, USD. The 100 × 100 grid is placed
 * at latitude and longitude 0..1° (grid / 100), home at the customer's location, so local solar time is within
 * 4 minutes of UTC: the handbook's clock is the event instant in UTC.
 */
public final class HandbookData {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final HandbookSimulator.Config config;
    private final int[] customer;
    private final int[] terminal;
    private final long[] seconds;
    private final long[] cents;
    private final byte[] scenario;
    private final double[] customerX;
    private final double[] customerY;
    private final double[] terminalX;
    private final double[] terminalY;
    private final long startEpochSecond;

    HandbookData(HandbookSimulator.Config config, int[] customer, int[] terminal, long[] seconds, long[] cents,
            byte[] scenario, double[] customerX, double[] customerY, double[] terminalX, double[] terminalY) {
        this.config = config;
        this.customer = customer;
        this.terminal = terminal;
        this.seconds = seconds;
        this.cents = cents;
        this.scenario = scenario;
        this.customerX = customerX;
        this.customerY = customerY;
        this.terminalX = terminalX;
        this.terminalY = terminalY;
        this.startEpochSecond = config.start().atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    }

    public HandbookSimulator.Config config() {
        return config;
    }

    public int size() {
        return customer.length;
    }

    /** Customer (card) index, {@code 0 .. customers-1}. */
    public int customer(int i) {
        return customer[i];
    }

    /** Terminal index, {@code 0 .. terminals-1}. */
    public int terminal(int i) {
        return terminal[i];
    }

    /** Seconds since the first day's midnight (the handbook's {@code TX_TIME_SECONDS}). */
    public long seconds(int i) {
        return seconds[i];
    }

    /** Day index from the first day (the handbook's {@code TX_TIME_DAYS}). */
    public int day(int i) {
        return (int) (seconds[i] / 86_400);
    }

    public long amountCents(int i) {
        return cents[i];
    }

    public boolean fraud(int i) {
        return scenario[i] != 0;
    }

    /** The handbook's {@code TX_FRAUD_SCENARIO}: 0 genuine, 1 amount, 2 terminal, 3 customer. */
    public int scenarioNumber(int i) {
        return scenario[i];
    }

    /** The scenario name ({@link HandbookSimulator#AMOUNT}, ...), {@code null} for genuine transactions. */
    public String scenario(int i) {
        return HandbookSimulator.SCENARIOS[scenario[i]];
    }

    public Instant time(int i) {
        return Instant.ofEpochSecond(startEpochSecond + seconds[i]);
    }

    public static String cardId(int customer) {
        return String.format(Locale.ROOT, "card-%06d", customer);
    }

    public static String terminalId(int terminal) {
        return String.format(Locale.ROOT, "term-%06d", terminal);
    }

    /** The transaction id: seed and time-order index. */
    public String transactionId(int i) {
        return String.format(Locale.ROOT, "hb%d-%08d", config.seed(), i);
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).toPlainString();
    }

    /** As a project transaction, with its ground truth. */
    public SimulatedTransaction transaction(int i) {
        int c = customer[i];
        int t = terminal[i];
        Transaction tx = Transaction.newBuilder()
                .setTransactionId(transactionId(i))
                .setCardId(cardId(c))
                .setAccountId(String.format(Locale.ROOT, "acct-%06d", c))
                .setEventTime(time(i))
                .setAmountMinor(cents[i])
                .setCurrency("USD")
                .setMerchantId(terminalId(t))
                .setMerchantCategory("handbook")
                .setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(terminalY[t] / 100)
                .setMerchantLon(terminalX[t] / 100)
                .setHomeLat(customerY[c] / 100)
                .setHomeLon(customerX[c] / 100)
                .setCountry("US")
                .setTerminalId(terminalId(t))
                .build();
        return new SimulatedTransaction(tx, fraud(i), scenario(i));
    }

    /** Every transaction in event-time order. */
    public Stream<SimulatedTransaction> transactions() {
        return IntStream.range(0, size()).mapToObj(this::transaction);
    }

    /**
     * Transactions and their fraud labels (reported {@code labelDelay} after the transaction), merged by time,
     * for {@link KafkaTransactionWriter#writeAll}.
     */
    public Iterator<SimulatedEvent> events(Duration labelDelay) {
        long delay = labelDelay.toSeconds();
        return new Iterator<>() {
            private int nextTx;
            private int nextLabel = nextFraud(0);

            private int nextFraud(int from) {
                int i = from;
                while (i < size() && !fraud(i)) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return nextTx < size() || nextLabel < size();
            }

            @Override
            public SimulatedEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                boolean label = nextLabel < size() && (nextTx >= size() || seconds[nextLabel] + delay < seconds[nextTx]);
                if (label) {
                    SimulatedTransaction t = transaction(nextLabel);
                    nextLabel = nextFraud(nextLabel + 1);
                    return new SimulatedLabel(Simulator.labelFor(t.tx(), labelDelay), t.scenario());
                }
                return transaction(nextTx++);
            }
        };
    }

    /**
     * Writes the data set in the Sparkov CSV layout ({@link SparkovCsvWriter#HEADER}), gzip when the name ends
     * in {@code .gz}: {@code merchant} holds the terminal id, {@code category} {@code handbook},
     * {@code lat}/{@code long} the customer's and {@code merch_lat}/{@code merch_long} the terminal's place,
     * {@code trans_date_trans_time} local solar time as in the other Sparkov files, {@code profile} the fraud
     * scenario; the cardholder's name and address columns are empty. Returns the number of rows.
     */
    public long writeSparkovCsv(Path file) throws IOException {
        return writeSparkovCsv(file, Instant.MIN, Instant.MAX);
    }

    /** As {@link #writeSparkovCsv(Path)}, only the transactions with event time in {@code [from, to)}. */
    public long writeSparkovCsv(Path file, Instant from, Instant to) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream stream = Files.newOutputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            stream = new GZIPOutputStream(stream, 1 << 16);
        }
        try (Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(String.join(",", SparkovCsvWriter.HEADER));
            w.write('\n');
            StringBuilder line = new StringBuilder(200);
            long written = 0;
            for (int i = 0; i < size(); i++) {
                Instant at = time(i);
                if (at.isBefore(from) || !at.isBefore(to)) {
                    continue;
                }
                written++;
                int c = customer[i];
                int t = terminal[i];
                double homeLon = customerX[c] / 100;
                LocalDateTime local = SolarTime.toLocal(time(i), homeLon);
                line.setLength(0);
                line.append(TIME.format(local)).append(',')
                        .append(cardId(c)).append(',')
                        .append(terminalId(t)).append(',')
                        .append("handbook,")
                        .append(SparkovCsvWriter.amount(cents[i])).append(',')
                        .append(",,,,,,,") // first, last, gender, street, city, state, zip
                        .append(plain(customerY[c] / 100)).append(',')
                        .append(plain(homeLon)).append(',')
                        .append(",,,") // city_pop, job, dob
                        .append(transactionId(i)).append(',')
                        .append(local.toEpochSecond(ZoneOffset.UTC)).append(',')
                        .append(plain(terminalY[t] / 100)).append(',')
                        .append(plain(terminalX[t] / 100)).append(',')
                        .append(fraud(i) ? '1' : '0').append(',')
                        .append(String.format(Locale.ROOT, "acct-%06d", c)).append(',')
                        .append(scenario[i] == 0 ? "" : scenario(i))
                        .append('\n');
                w.append(line);
            }
            return written;
        }
    }
}
