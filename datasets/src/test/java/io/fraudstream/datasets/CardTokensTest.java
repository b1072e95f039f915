package io.fraudstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardTokensTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aTokenIsTheKeyedHmacOfTheDigits() throws Exception {
        // The published function every producer must apply: prefix + first 24 hex digits of HMAC-SHA256(key, digits).
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String expected = "card-" + HexFormat.of().formatHex(mac.doFinal("4995376601444857".getBytes(StandardCharsets.US_ASCII)))
                .substring(0, 24);
        CardTokens tokens = CardTokens.ofKey(KEY, "test");
        assertThat(tokens.tokenize("4995376601444857", "card-")).isEqualTo(expected);
        assertThat(tokens.tokenize("4995 3766-0144 4857", "card-")).isEqualTo(expected);
        assertThat(tokens.tokenize("card-000123", "card-")).isEqualTo("card-000123");
    }

    @Test
    void theSameKeyGivesTheSameTokenWhereverItIsLoadedFromAndAnotherKeyAnother() throws Exception {
        Path file = dir.resolve("card-token.key");
        Files.write(file, (new String(KEY, StandardCharsets.US_ASCII) + "\n").getBytes(StandardCharsets.US_ASCII));
        String pan = "4111111111111111";
        String direct = CardTokens.ofKey(KEY, "test").tokenize(pan, "card-");
        assertThat(CardTokens.fromKeyFile(file).tokenize(pan, "card-")).isEqualTo(direct);
        assertThat(CardTokens.fromOptionOrEnvironment(file.toString(), Map.of()).tokenize(pan, "card-")).isEqualTo(direct);
        assertThat(CardTokens.fromOptionOrEnvironment(null, Map.of(CardTokens.KEY_FILE_ENV, file.toString()))
                .tokenize(pan, "card-")).isEqualTo(direct);
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertThat(CardTokens.ofKey(other, "other").tokenize(pan, "card-")).isNotEqualTo(direct);
        assertThat(CardTokens.generated("test").tokenize(pan, "card-")).isNotEqualTo(direct);
    }

    @Test
    void withoutAKeyTokensPassAndACardNumberIsRefusedSayingHowToSupplyOne() {
        CardTokens none = CardTokens.fromOptionOrEnvironment(null, Map.of());
        assertThat(none.tokenize("card-000123", "card-")).isEqualTo("card-000123");
        assertThatThrownBy(() -> none.tokenize("4111 1111 1111 1111", "card-"))
                .isInstanceOf(CardTokens.MissingKeyException.class)
                .hasMessageContaining(CardTokens.KEY_FILE_OPTION)
                .hasMessageContaining(CardTokens.KEY_FILE_ENV)
                .hasMessageNotContaining("4111");
    }

    @Test
    void shortOrMissingKeysAreRefusedNamingTheWayToSupplyOne() throws Exception {
        Path shortKey = Files.writeString(dir.resolve("short.key"), "secret\n");
        assertThatThrownBy(() -> CardTokens.fromKeyFile(shortKey)).hasMessageContaining("fewer than 32")
                .hasMessageContaining(CardTokens.KEY_FILE_OPTION);
        assertThatThrownBy(() -> CardTokens.fromKeyFile(dir.resolve("missing.key")))
                .hasMessageContaining("cannot read the card-token key file").hasMessageContaining(CardTokens.KEY_FILE_ENV);
    }

    @Test
    void aFileTokenizedByReplayMatchesTheTokenAProducerComputesForTheLivePipeline() throws Exception {
        // A Sparkov file as replay and the trainer read it, and the token a bank's producer (same function, same key)
        // puts on `transactions` for the same card: equal.
        Path csv = dir.resolve("one.csv");
        Files.writeString(csv, "trans_date_trans_time,cc_num,merchant,category,amt,lat,long,trans_num,merch_lat,merch_long,is_fraud\n"
                + "2019-01-01 00:01:24,4995376601444857,fraud_A,misc_net,4.96,30.39,-98.05,t1,30.0,-98.0,0\n");
        Path file = Files.write(dir.resolve("k.key"), KEY);
        String live = CardTokens.fromKeyFile(file).tokenize("4995376601444857", "card-");
        try (TransactionReader reader = InputFormat.SPARKOV.open(csv,
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.fromKeyFile(file)))) {
            assertThat(reader.next().transaction().getCardId()).isEqualTo(live);
        }
    }
}
