package io.fraudstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroTransactionReaderTest {

    @TempDir
    Path dir;

    static Transaction tx(String id, String card, long time) {
        return Transaction.newBuilder().setTransactionId(id).setCardId(card).setAccountId("a")
                .setEventTime(Instant.ofEpochMilli(time)).setAmountMinor(100).setCurrency("USD").setMerchantId("m")
                .setMerchantCategory("grocery_pos").setChannel(Channel.CARD_PRESENT).setCountry("US").build();
    }

    @Test
    void readsAContainerFileWithSeparateLabelsAndTokenizesDigitIds() throws IOException {
        Path file = dir.resolve("tx.avro");
        try (DataFileWriter<Transaction> w = new DataFileWriter<>(new SpecificDatumWriter<>(Transaction.class))) {
            w.create(Transaction.getClassSchema(), file.toFile());
            w.append(tx("t1", "card-1", 1000));
            w.append(tx("t2", "4111111111111111", 2000));
        }
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "transaction_id,label\nt2,fraud\nt1,0\nt3,x\n");
        BadRows bad = new BadRows();
        Map<String, Boolean> map = LabelFile.read(labels, bad);
        assertThat(bad.first()).extracting(BadRows.BadRow::line).containsExactly(4L);
        try (TransactionReader reader = AvroTransactionReader.open(file, map, CardTokens.publicTestKey("test"))) {
            LabelledTransaction a = reader.next();
            LabelledTransaction b = reader.next();
            assertThat(reader.next()).isNull();
            assertThat(a.transaction().getCardId()).isEqualTo("card-1");
            assertThat(a.fraud()).isFalse();
            assertThat(a.line()).isEqualTo(1);
            assertThat(b.transaction().getCardId()).matches("card-[0-9a-f]{24}");
            assertThat(b.fraud()).isTrue();
        }
    }
}
