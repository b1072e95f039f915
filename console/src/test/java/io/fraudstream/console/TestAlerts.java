package io.fraudstream.console;

import io.fraudstream.avro.AttendedTransaction;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FeatureContribution;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelRole;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Alerts as the job writes them, and the PAN check the tests apply to every page and response. */
final class TestAlerts {

    private static final Pattern DIGIT_RUN = Pattern.compile("(?<![0-9])[0-9]{13,19}(?![0-9])");

    private TestAlerts() {}

    static FraudAlert alert(String transactionId, String cardId, String merchantId, double score, Instant at) {
        FraudScore s = FraudScore.newBuilder()
                .setTransactionId(transactionId).setCardId(cardId).setScore(score).setThreshold(0.5)
                .setDecision(Decision.ALERT).setModelVersion("20260101T000000Z-bootstrap").setModelRole(ModelRole.CHAMPION)
                .setEventTime(at).setScoredAt(at.plusMillis(5)).setProcessingLatencyMicros(900).build();
        return FraudAlert.newBuilder()
                .setScore(s).setMerchantId(merchantId).setAmountMinor(123_45).setCurrency("EUR")
                .setAttended(List.of(new AttendedTransaction("tx-earlier-1", at.minusSeconds(3600), 0.61),
                        new AttendedTransaction("tx-earlier-2", at.minusSeconds(7200), 0.22)))
                .setContributions(List.of(new FeatureContribution("pop_merchant_frauds_7d", 1.0986, 0.8),
                        new FeatureContribution("distance_from_home_km", 812.0, 0.5)))
                .setReasons(List.of("far from home (812 km)", "merchant had 2 frauds in 7 days"))
                .build();
    }

    /**
     * True when {@code text} holds a 13-19 digit run passing Luhn: what a card number looks like. 13-digit runs
     * starting with 1 are epoch-millisecond timestamps (2001-2033), which pages and API responses carry and one in
     * ten of which passes Luhn; no issuer's 13-digit card number starts with 1 (13-digit PANs are Visa: 4).
     */
    static boolean containsPan(String text) {
        Matcher m = DIGIT_RUN.matcher(text);
        while (m.find()) {
            String d = m.group();
            if (d.length() == 13 && d.charAt(0) == '1') {
                continue;
            }
            int sum = 0;
            boolean dbl = false;
            for (int i = d.length() - 1; i >= 0; i--) {
                int v = d.charAt(i) - '0';
                if (dbl) {
                    v = v * 2 > 9 ? v * 2 - 9 : v * 2;
                }
                sum += v;
                dbl = !dbl;
            }
            if (sum % 10 == 0) {
                return true;
            }
        }
        return false;
    }
}
