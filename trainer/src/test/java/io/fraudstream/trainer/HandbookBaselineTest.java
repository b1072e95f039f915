package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.simulator.HandbookData;
import io.fraudstream.simulator.HandbookSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandbookBaselineTest {

    private static final LocalDate SUNDAY = LocalDate.of(2018, 4, 1);
    private static final long DAY = 86_400;

    /** Four transactions, two customers, one terminal: every window worked out by hand. */
    @Test
    void featuresByHand() {
        HandbookBaseline.Rows r = new HandbookBaseline.Rows(
                new int[] {0, 0, 1, 0},
                new int[] {0, 0, 0, 0},
                new long[] {3_600, 2 * DAY + 50_000, 8 * DAY + 7_200, 10 * DAY + 40_000},
                new double[] {10, 30, 50, 20},
                new boolean[] {true, false, false, false},
                SUNDAY);
        double[][] x = HandbookBaseline.features(r);
        // amount, weekend, night | customer (count, mean) 1/7/30 d | terminal (count, fraud ratio) 1/7/30 d, 7 d delay
        assertThat(x[0]).containsExactly(10, 1, 1, 1, 10, 1, 10, 1, 10, 0, 0, 0, 0, 0, 0);
        assertThat(x[1]).containsExactly(30, 0, 0, 1, 30, 2, 20, 2, 20, 0, 0, 0, 0, 0, 0);
        // day 8 02:00 (a Monday): terminal sees row 0 (t = 1 h) in (t - 14 d, t - 7 d] but not in (t - 8 d, t - 7 d]
        assertThat(x[2]).containsExactly(50, 0, 1, 1, 50, 1, 50, 1, 50, 0, 0, 1, 1.0, 1, 1.0);
        // day 10 11:06: customer 0's 7-day window holds only itself; the terminal's delayed 1-day window row 1
        assertThat(x[3]).containsExactly(20, 0, 0, 1, 20, 1, 20, 3, 20, 1, 0, 2, 0.5, 2, 0.5);
        assertThat(HandbookBaseline.FEATURES).hasSize(15);
    }

    /** The handbook's get_train_test_set: cards with a fraud known by each test day are left out of it. */
    @Test
    void testWindowDropsKnownCompromisedCards() {
        // train days 1-2, delay 1 day, test days 4-5
        HandbookBaseline.Protocol p = new HandbookBaseline.Protocol(SUNDAY.plusDays(1), 2, 1, 2);
        int[] customer = {0, 2, 1, 0, 1, 2, 1, 3, 3};
        int[] day = {1, 2, 3, 4, 4, 4, 5, 5, 6};
        boolean[] fraud = {true, true, true, false, false, false, false, false, false};
        long[] seconds = new long[day.length];
        for (int i = 0; i < day.length; i++) {
            seconds[i] = day[i] * DAY + 43_200;
        }
        HandbookBaseline.Rows r = new HandbookBaseline.Rows(customer, new int[day.length], seconds,
                new double[day.length], fraud, SUNDAY);
        assertThat(HandbookBaseline.trainRows(r, p)).containsExactly(0, 1);
        // row 3: card 0 (fraud in training); row 5: card 2 (training); row 6: card 1, whose day-3 fraud is known
        // from test day 5 on (day 3 = last training day + 1, one delay period before day 5)
        assertThat(HandbookBaseline.testRows(r, p)).containsExactly(4, 7);
    }

    /** Card precision@k: best score per card and day, compromised if any fraud, detected cards leave later days. */
    @Test
    void cardPrecisionByHand() {
        // cards A=0, B=1, C=2, D=3
        int[] day = {0, 0, 0, 0, 0, 1, 1, 1, 1};
        int[] card = {0, 0, 1, 1, 2, 0, 1, 2, 3};
        double[] score = {0.9, 0.1, 0.8, 0.2, 0.5, 0.95, 0.9, 0.7, 0.6};
        boolean[] fraud = {true, false, false, true, true, true, true, true, false};
        // day 0: A .9 (F), B .8 (F through its .2 row), C .5 (F): top 2 = A, B -> 1.0, A and B detected
        // day 1: A and B left out; C .7 (F), D .6 (G): 0.5. Mean 0.75 (1.0 if detected cards stayed in)
        assertThat(HandbookBaseline.cardPrecisionAtK(day, card, score, fraud, 2)).isEqualTo(0.75);
        assertThat(HandbookBaseline.cardPrecisionAtK(day, card, score, fraud, 4)).isEqualTo(0.75 / 2);
    }

    /**
     * The whole pipeline on the handbook's data set up to its last test day (seed 1): the figures land near the
     * handbook's published logistic regression (AUC 0.871, AP 0.606, CP@100 0.291); the seed-to-seed sd of AP is
     * about 0.03 (docs/TRAINER.md), hence the AP band.
     */
    @Test
    void handbookProtocolNearThePublishedBaseline() {
        HandbookSimulator.Config c = HandbookSimulator.Config.handbook(1);
        HandbookData d = new HandbookSimulator(new HandbookSimulator.Config(1, c.customers(), c.terminals(), 136,
                c.start(), c.radius())).generate();
        HandbookBaseline.Result r = HandbookBaseline.run(HandbookBaseline.Rows.of(d),
                HandbookBaseline.Protocol.handbook(), 1.0);
        // the handbook: 67,240 training rows (598 fraud), 58,264 test rows (385 fraud)
        assertThat(r.trainRows()).isBetween(64_000, 70_000);
        assertThat(r.testRows()).isBetween(55_000, 61_000);
        assertThat(r.trainFrauds()).isBetween(500, 700);
        assertThat(r.testFrauds()).isBetween(320, 460);
        assertThat(r.auc()).isCloseTo(0.871, within(0.03));
        assertThat(r.averagePrecision()).isCloseTo(0.606, within(0.07));
        assertThat(r.cardPrecisionAt100()).isCloseTo(0.291, within(0.05));
    }

    /** The Sparkov-layout CSV reads back through datasets/ with the terminal as merchant, times (within a second) and labels. */
    @Test
    void sparkovCsvReadsBack(@TempDir Path dir) throws Exception {
        HandbookData d = new HandbookSimulator(new HandbookSimulator.Config(4, 100, 300, 20, SUNDAY, 5.0)).generate();
        Path file = dir.resolve("hb.csv.gz");
        d.writeSparkovCsv(file);
        assertThat(Files.size(file)).isPositive();
        int i = 0;
        try (TransactionReader reader = InputFormat.SPARKOV.open(file, new InputFormat.Options(null,
                io.fraudstream.datasets.EventTimeRule.HOME_LONGITUDE, Map.of(), CardTokens.withoutKey()))) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                assertThat(t.transaction().getMerchantId()).isEqualTo(HandbookData.terminalId(d.terminal(i)));
                assertThat(t.transaction().getCardId()).isEqualTo(HandbookData.cardId(d.customer(i)));
                // local solar time in the file, read back with the exact longitude shift: within a second
                assertThat(java.time.Duration.between(d.time(i), t.transaction().getEventTime()).abs())
                        .isLessThan(java.time.Duration.ofSeconds(1));
                assertThat(t.transaction().getAmountMinor()).isEqualTo(d.amountCents(i));
                assertThat(t.fraud()).isEqualTo(d.fraud(i));
                i++;
            }
            assertThat(reader.badRows().count()).isZero();
        }
        assertThat(i).isEqualTo(d.size());
    }
}
