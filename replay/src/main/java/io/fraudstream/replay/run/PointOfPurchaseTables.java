package io.fraudstream.replay.run;

import io.fraudstream.avro.Transaction;
import io.fraudstream.features.pop.PopTable;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The point-of-purchase table of a bounded replay: every transaction of the spool counted at its merchant and
 * terminal, every labelled fraud counted {@code labelDelay} after its event time (replayed files carry a fraud flag,
 * not a report time). The job's enrichment reads it with the live job's horizon rule, so each transaction sees
 * what the live job would have known at its event time ({@code docs/POINT_OF_PURCHASE.md}). Records that do not
 * decode are skipped here; the job dead-letters them anyway.
 */
public final class PointOfPurchaseTables {
    private PointOfPurchaseTables() {}

    public static PopTable fromSpool(Spool spool, Duration labelDelay) throws IOException {
        if (labelDelay.isNegative()) {
            throw new IllegalArgumentException("label delay must not be negative, was " + labelDelay);
        }
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Boolean> labels = spool.labels();
        PopTable table = new PopTable();
        try (Spool.Reader reader = new Spool.Reader(spool.file())) {
            for (Spool.Entry e = reader.next(); e != null; e = reader.next()) {
                Transaction tx;
                try {
                    tx = codec.decode(e.value());
                } catch (WireFormatException bad) {
                    continue;
                }
                long time = tx.getEventTime().toEpochMilli();
                table.addTransaction(tx.getMerchantId(), tx.getTerminalId(), time);
                if (Boolean.TRUE.equals(labels.get(tx.getTransactionId()))) {
                    table.addFraudLabel(tx.getMerchantId(), tx.getTerminalId(), time + labelDelay.toMillis());
                }
            }
        }
        return table;
    }
}
