package io.fraudstream.schemas;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.Schema;

/** Deterministic transactions and the evolution schemas used by this module's tests. */
final class SampleTransactions {

    private SampleTransactions() {}

    static Transaction transaction(int i) {
        boolean online = i % 3 == 0;
        return Transaction.newBuilder()
                .setTransactionId("tx-" + i)
                .setCardId("card-" + (i % 97))
                .setAccountId("acct-" + (i % 89))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i * 1_000L))
                .setAmountMinor(100L + (i * 37L) % 100_000L)
                .setCurrency("USD")
                .setMerchantId("m-" + (i % 50))
                .setMerchantCategory(i % 2 == 0 ? "grocery_pos" : "shopping_net")
                .setChannel(online ? Channel.ONLINE : Channel.CARD_PRESENT)
                .setMerchantLat(online ? null : 40.0 + (i % 10) * 0.1)
                .setMerchantLon(online ? null : -74.0 - (i % 10) * 0.1)
                .setHomeLat(40.7)
                .setHomeLon(-74.0)
                .setCountry("US")
                .setTerminalId(online ? null : "term-" + (i % 7))
                .build();
    }

    /** Current Transaction plus an optional field: a later producer's schema. */
    static Schema nextSchema() {
        return load("/evolution/Transaction-next.avsc");
    }

    /** Current Transaction without the optional terminalId: an older producer's schema. */
    static Schema previousSchema() {
        return load("/evolution/Transaction-prev.avsc");
    }

    private static Schema load(String path) {
        try (InputStream in = SampleTransactions.class.getResourceAsStream(path)) {
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
