package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.datasets.CardTokens;
import io.fraudstream.features.Channel;
import io.fraudstream.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's use of the shared Sparkov reader (the reader itself is tested in the datasets module). */
class SparkovDataTest {
    @TempDir
    Path dir;

    private LabelledData read(String csv) throws IOException {
        Path file = dir.resolve("test.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return SparkovData.read(file, CardTokens.publicTestKey("SparkovDataTest"));
    }

    @Test
    void readsColumnsInAnyOrderConvertsLocalTimeToUtcAndHidesTheCardNumber() throws IOException {
        String csv = "is_fraud,extra,amt,category,merchant,trans_num,cc_num,long,lat,merch_long,merch_lat,"
                + "trans_date_trans_time,job\n"
                + "0,x,12.50,grocery_pos,fraud_A,t2,4111111111111111,-90.0,40.0,-90.1,40.1,2019-01-01 10:00:00,"
                + "\"Scientist, research\"\n"
                + "1,y,900.00,shopping_net,fraud_B,t1,4111111111111111,-90.0,40.0,-91.0,41.0,2019-01-01 02:30:00,"
                + "\"multi\nline\"\n";
        LabelledData data = read(csv);
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.cards()).hasSize(1);
        var card = data.cards().get(0);
        // local 02:30 at longitude -90 (UTC-6 solar) is 08:30 UTC
        assertThat(card.get(0).tx().transactionId()).isEqualTo("t1");
        assertThat(Instant.ofEpochMilli(card.get(0).time())).isEqualTo(Instant.parse("2019-01-01T08:30:00Z"));
        assertThat(card.get(0).fraud()).isTrue();
        assertThat(card.get(0).tx().channel()).isEqualTo(Channel.ONLINE);
        assertThat(card.get(1).tx().channel()).isEqualTo(Channel.CARD_PRESENT);
        assertThat(card.get(1).tx().amount()).isEqualTo(12.5);
        assertThat(card.get(1).tx().homeLon()).isEqualTo(-90.0);
        assertThat(card.get(1).tx().merchantLat()).isEqualTo(40.1);
        assertThat(card.get(0).cardId()).startsWith("card-").doesNotContain("4111");
    }

    @Test
    void namesMissingColumnsAndBadLines() {
        assertThatThrownBy(() -> read("amt,category\n1,x\n"))
                .hasMessageContaining("missing Sparkov column(s)").hasMessageContaining("is_fraud");
        String bad = "trans_date_trans_time,cc_num,merchant,category,amt,lat,long,trans_num,merch_lat,merch_long,"
                + "is_fraud\n2019-01-01 00:00:00,1,m,c,abc,1,1,t,1,1,0\n";
        assertThatThrownBy(() -> read(bad)).hasMessageContaining("line 2");
    }

    @Test
    void readsTheSharedSampleHeadIfPresent() throws IOException {
        LabelledData data = SparkovData.read(SharedData.kaggleHead(), CardTokens.publicTestKey("SparkovDataTest"));
        // data/README.md says 5,115; the file has 5,116 rows (counted with Python's csv module)
        assertThat(data.size()).isEqualTo(5116);
        assertThat(data.frauds()).isEqualTo(18);
        assertThat(data.cards()).hasSize(879);
    }

    @Test
    void anOnlineRowWithoutMerchantCoordinatesIsReadWithAnUnknownPlaceButAMissingHomeIsRefused() throws IOException {
        String header = "trans_date_trans_time,cc_num,merchant,category,amt,lat,long,trans_num,merch_lat,merch_long,"
                + "is_fraud\n";
        LabelledData data = read(header + "2019-01-01 10:00:00,1,m,shopping_net,12.50,40.7,-74.0,t1,,,0\n");
        assertThat(data.size()).isEqualTo(1);
        assertThat(data.cards().get(0).get(0).tx().merchantLocationKnown()).isFalse();
        assertThatThrownBy(() -> read(header + "2019-01-01 10:00:00,1,m,shopping_net,12.50,,,t1,1,1,0\n"))
                .hasMessageContaining("line 2").hasMessageContaining("empty");
    }
}
