package io.fraudstream.job.scoring;

import org.apache.flink.types.Either;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.ModelDescriptor;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.features.CardHistory;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.time.Duration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CardScoringFunctionTest {

    private static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    private static final long TTL = Duration.ofDays(30).toMillis();

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> harness;

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            open(double threshold, int window) throws Exception {
        return open(threshold, window, new ScoringSettings(TTL, 3, 3, 1024));
    }

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            open(double threshold, int window, ScoringSettings settings) throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory("v1", threshold, window),
                settings);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function,
                new FraudScoringPipeline.CardKey(), Types.STRING, JobStreams.MODEL_DESCRIPTORS);
        // forKeyedBroadcastProcessFunction has already opened the harness.
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static TransactionEvent tx(String id, String card, long time, double amount) {
        TransactionEvent e = new TransactionEvent();
        e.transactionId = id;
        e.cardId = card;
        e.accountId = "acct";
        e.eventTimeMillis = time;
        e.amountMinor = Math.round(amount * 100);
        e.amount = amount;
        e.currency = "USD";
        e.merchantId = "m-" + id;
        e.merchantCategory = "grocery_pos";
        e.channel = "CARD_PRESENT";
        e.merchantLat = 40.7;
        e.merchantLon = -74.0;
        e.homeLat = 40.7;
        e.homeLon = -74.0;
        e.country = "US";
        e.sourceTopic = "transactions";
        return e;
    }

    private List<FraudScore> scores() {
        return harness.extractOutputValues();
    }

    private CardHistory history(String card) throws Exception {
        return StoredCards.history(harness, card);
    }

    @Test
    void scoresBeforeAppendingSoATransactionNeverAttendsToItself() throws Exception {
        open(0.99, 1024);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        assertThat(history("c1").size()).isEqualTo(1);
        harness.processElement(new StreamRecord<>(tx("b", "c1", T0 + 60_000, 20)));

        assertThat(scores()).extracting(FraudScore::getTransactionId).containsExactly("a", "b");
        assertThat(history("c1").size()).isEqualTo(2);
        assertThat(history("c1").transactionIdAt(1)).isEqualTo("b");
        // The first transaction of a card has no history to attend to: no explanation can name it.
        assertThat(scores().get(0).getModelVersion()).isEqualTo("v1");
    }

    @Test
    void theExplanationOfAnAlertNamesOnlyEarlierTransactions() throws Exception {
        open(0.0, 1024); // every score is an alert
        for (int i = 0; i < 5; i++) {
            harness.processElement(new StreamRecord<>(tx("t" + i, "c1", T0 + i * 60_000L, 10 + i)));
        }
        ConcurrentLinkedQueue<StreamRecord<FraudAlert>> alerts = harness.getSideOutput(JobStreams.ALERTS);
        assertThat(alerts).hasSize(5);
        int i = 0;
        for (StreamRecord<FraudAlert> alert : alerts) {
            String self = "t" + i;
            assertThat(alert.getValue().getScore().getTransactionId()).isEqualTo(self);
            assertThat(alert.getValue().getAttended()).hasSizeLessThanOrEqualTo(Math.min(3, i));
            alert.getValue().getAttended().forEach(a -> assertThat(a.getTransactionId()).isNotEqualTo(self));
            assertThat(alert.getValue().getReasons()).isNotEmpty();
            i++;
        }
    }

    @Test
    void historyIsBoundedByTheModelsWindow() throws Exception {
        open(0.99, 16);
        for (int i = 0; i < 40; i++) {
            harness.processElement(new StreamRecord<>(tx("t" + i, "c1", T0 + i * 1000L, 5)));
        }
        CardHistory h = history("c1");
        assertThat(h.size()).isEqualTo(16);
        assertThat(h.transactionIdAt(0)).isEqualTo("t24");
        assertThat(h.transactionIdAt(15)).isEqualTo("t39");
        assertThat(scores()).hasSize(40);
    }

    @Test
    void alertsAreExactlyTheScoresAtOrAboveTheThreshold() throws Exception {
        open(0.5, 1024);
        for (int i = 0; i < 50; i++) {
            // Amounts from $1 to ~$1M: the test model's score rises with the amount.
            harness.processElement(new StreamRecord<>(tx("t" + i, "c" + (i % 3), T0 + i * 1000L, Math.pow(1.3, i))));
        }
        List<String> over = scores().stream().filter(s -> s.getScore() >= 0.5).map(FraudScore::getTransactionId).toList();
        assertThat(over).isNotEmpty().hasSizeLessThan(50);
        assertThat(scores()).allSatisfy(s -> assertThat(s.getDecision())
                .isEqualTo(s.getScore() >= 0.5 ? Decision.ALERT : Decision.PASS));
        assertThat(harness.getSideOutput(JobStreams.ALERTS)).extracting(r -> r.getValue().getScore().getTransactionId())
                .containsExactlyElementsOf(over);
    }

    @Test
    void inactiveCardsLeaveNoStateOrTimers() throws Exception {
        open(0.99, 1024);
        harness.setProcessingTime(1_000);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("b", "c2", T0, 10)));
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);

        // c2 is seen again halfway: its timer re-arms instead of deleting live state.
        harness.setProcessingTime(1_000 + TTL / 2);
        harness.processElement(new StreamRecord<>(tx("c", "c2", T0 + 1000, 10)));
        // The TTL counts from the stored last-seen time plus its granularity (never early, at most a minute late).
        long slack = CardStateStore.lastSeenGranularity(TTL);
        assertThat(slack).isEqualTo(60_000);
        harness.setProcessingTime(1_000 + TTL + slack - 1);
        assertThat(history("c1")).isNotNull();
        harness.setProcessingTime(1_000 + TTL + slack);
        assertThat(history("c1")).isNull();
        assertThat(history("c2")).isNotNull();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(1_000 + TTL / 2 + TTL + slack);
        assertThat(history("c2")).isNull();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend()).numKeyValueStateEntries()).isZero();
    }

    @Test
    void aCardSeenEverySecondWritesItsLastSeenTimeOncePerGranule() throws Exception {
        open(0.99, 1024);
        harness.setProcessingTime(1_000);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        assertThat(lastSeen("c1")).isEqualTo(1_000L);
        for (int i = 1; i < 60; i++) { // 59 more events within the minute: the stored time stays
            harness.setProcessingTime(1_000 + i * 1_000L);
            harness.processElement(new StreamRecord<>(tx("s" + i, "c1", T0 + i * 1_000L, 10)));
        }
        assertThat(lastSeen("c1")).isEqualTo(1_000L);
        harness.setProcessingTime(61_000);
        harness.processElement(new StreamRecord<>(tx("late", "c1", T0 + 60_000, 10)));
        assertThat(lastSeen("c1")).isEqualTo(61_000L);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    private Long lastSeen(String card) throws Exception {
        harness.getOperator().setCurrentKey(card);
        return harness.getOperator().getKeyedStateBackend().getPartitionedState(
                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE, JobStreams.LAST_SEEN).value();
    }

    @Test
    void aLongEventTimeGapForgetsTheHistoryBeforeScoring() throws Exception {
        open(0.99, 1024);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("b", "c1", T0 + TTL + 1, 10)));
        assertThat(history("c1").size()).isEqualTo(1);
        assertThat(history("c1").transactionIdAt(0)).isEqualTo("b");
    }

    @Test
    void duplicatesGoToTheDeadLetterOutputAndAreNotScoredTwice() throws Exception {
        open(0.99, 1024);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        assertThat(scores()).hasSize(1);
        ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dlq = harness.getSideOutput(JobStreams.DEAD_LETTERS);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.peek().getValue().getReason()).isEqualTo(DeadLetterReason.DUPLICATE);
        assertThat(dlq.peek().getValue().getPayload().remaining()).isPositive();
    }

    @Test
    void newerChampionIsSwappedInOlderIgnoredAndRefusedKeepsTheCurrentOne() throws Exception {
        open(0.99, 1024);
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.CHAMPION)));
        harness.processElement(new StreamRecord<>(tx("b", "c1", T0 + 1000, 10)));
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v1", ModelRole.CHAMPION)));
        harness.processElement(new StreamRecord<>(tx("c", "c1", T0 + 2000, 10)));
        harness.processBroadcastElement(Control.model(
                TestModels.descriptor("v3", ModelRole.CHAMPION, "refuse:BAD_SIGNATURE")));
        harness.processElement(new StreamRecord<>(tx("d", "c1", T0 + 3000, 10)));

        assertThat(scores()).extracting(FraudScore::getModelVersion).containsExactly("v1", "v2", "v2", "v2");
        // The history survived the swaps (it holds no model's data).
        assertThat(history("c1").size()).isEqualTo(4);
    }

    @Test
    void shadowModelScoresSideBySideUntilRetired() throws Exception {
        open(0.99, 1024);
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.SHADOW)));
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("b", "c1", T0 + 1000, 10)));
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.RETIRED)));
        harness.processElement(new StreamRecord<>(tx("c", "c1", T0 + 2000, 10)));

        assertThat(scores()).extracting(FraudScore::getModelVersion).containsExactly("v1", "v1", "v1");
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES)).extracting(r -> r.getValue().getTransactionId())
                .containsExactly("a", "b");
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES))
                .allSatisfy(r -> assertThat(r.getValue().getModelRole()).isEqualTo(ModelRole.SHADOW));
    }

    @Test
    void aShadowSkipsTransactionsThatArriveBehindAndTheChampionScoresEveryOne() throws Exception {
        open(0.99, 1024, new ScoringSettings(TTL, 3, 3, 1024).withShadowMaxLag(60_000));
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.SHADOW)));
        long now = System.currentTimeMillis();
        harness.processElement(new StreamRecord<>(stamped(tx("behind", "c1", T0, 10), now - 600_000)));
        harness.processElement(new StreamRecord<>(stamped(tx("in-time", "c1", T0 + 1000, 10), now + 600_000)));
        harness.processElement(new StreamRecord<>(stamped(tx("unstamped", "c1", T0 + 2000, 10), 0)));
        harness.processElement(new StreamRecord<>(stamped(tx("behind-2", "c2", T0 + 3000, 10), now - 61_000)));

        assertThat(scores()).extracting(FraudScore::getTransactionId)
                .containsExactly("behind", "in-time", "unstamped", "behind-2");
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES)).extracting(r -> r.getValue().getTransactionId())
                .containsExactly("in-time", "unstamped");
        // The skipped transaction is in the history all the same: the shadow's next score reads it.
        assertThat(history("c1").size()).isEqualTo(3);
    }

    @Test
    void withoutALagLimitTheShadowScoresEvenTransactionsFarBehind() throws Exception {
        open(0.99, 1024, new ScoringSettings(TTL, 3, 3, 1024).withShadowMaxLag(0));
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.SHADOW)));
        harness.processElement(new StreamRecord<>(stamped(tx("behind", "c1", T0, 10),
                System.currentTimeMillis() - 600_000)));
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES)).extracting(r -> r.getValue().getTransactionId())
                .containsExactly("behind");
    }

    private static TransactionEvent stamped(TransactionEvent e, long kafkaTimestamp) {
        e.kafkaTimestamp = kafkaTimestamp;
        return e;
    }

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            openWithPointOfPurchase(String initialVersion, boolean pointOfPurchase) throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory(initialVersion, 0.5, 1024),
                new ScoringSettings(TTL, 3, 3, 1024), pointOfPurchase);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function,
                new FraudScoringPipeline.CardKey(), Types.STRING, JobStreams.MODEL_DESCRIPTORS);
        return harness;
    }

    @Test
    void aPointOfPurchaseModelScoresTheFeaturesAttachedToTheTransaction() throws Exception {
        openWithPointOfPurchase("pop-1", true);
        TransactionEvent plain = tx("a", "c1", T0, 10);
        plain.pointOfPurchase = new float[io.fraudstream.features.pop.PopFeatures.COUNT];
        TransactionEvent risky = tx("a", "c2", T0, 10);
        risky.pointOfPurchase = new float[io.fraudstream.features.pop.PopFeatures.COUNT];
        risky.pointOfPurchase[io.fraudstream.features.pop.PopFeatures.MERCHANT_FRAUDS_7D] = (float) Math.log1p(14);
        harness.processElement(new StreamRecord<>(plain));
        harness.processElement(new StreamRecord<>(risky));
        List<FraudScore> s = scores();
        // Same card-level inputs (each card's first transaction): only the merchant's frauds differ, weight 3.
        double logitGap = logit(s.get(1).getScore()) - logit(s.get(0).getScore());
        assertThat(logitGap).isCloseTo(3.0 * Math.log1p(14), org.assertj.core.data.Offset.offset(1e-3));
        assertThat(s).extracting(FraudScore::getModelVersion).containsOnly("pop-1");
        // The alert names the merchant's risk in words.
        ConcurrentLinkedQueue<StreamRecord<FraudAlert>> alerts = harness.getSideOutput(JobStreams.ALERTS);
        assertThat(alerts).isNotEmpty();
        assertThat(alerts.peek().getValue().getReasons())
                .anyMatch(r -> r.contains("merchant had 14 confirmed frauds in the last 7 days"));
    }

    @Test
    void aModelWithEveryBlockScoresTheRatiosAndTheCardWindowsAndSaysWhy() throws Exception {
        openWithPointOfPurchase("blocks-1", true);
        int m = io.fraudstream.features.pop.PopFeatures.ATTACHED_COUNT;
        // c1 spent 10, c2 spent 100; both then spend 100 at a merchant with 3 frauds reported in 7 days over 30
        // transactions a week earlier (ratio 0.1), c3 as c2 but at a quiet merchant
        TransactionEvent[] events = {tx("a1", "c1", T0, 10), tx("a2", "c2", T0, 100), tx("a3", "c3", T0, 100),
            tx("b1", "c1", T0 + 60_000, 100), tx("b2", "c2", T0 + 60_000, 100), tx("b3", "c3", T0 + 60_000, 100)};
        for (TransactionEvent e : events) {
            e.pointOfPurchase = new float[m];
        }
        for (int i = 3; i < 5; i++) {
            events[i].pointOfPurchase[io.fraudstream.features.pop.PopFeatures.MERCHANT_FRAUDS_7D] = (float) Math.log1p(3);
            events[i].pointOfPurchase[io.fraudstream.features.pop.PopFeatures.COUNT + 1] = (float) Math.log1p(30);
        }
        for (TransactionEvent e : events) {
            harness.processElement(new StreamRecord<>(e));
        }
        List<FraudScore> s = scores();
        assertThat(s).extracting(FraudScore::getModelVersion).containsOnly("blocks-1");
        // b1 against b2: only the amount over the 30-day mean differs, 10 against 1, weight 1
        assertThat(logit(s.get(3).getScore()) - logit(s.get(4).getScore()))
                .isCloseTo(9.0, org.assertj.core.data.Offset.offset(1e-3));
        // b2 against b3: only the merchant's 7-day fraud ratio differs, 0.1 against 0, weight 2
        assertThat(logit(s.get(4).getScore()) - logit(s.get(5).getScore()))
                .isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-3));
        ConcurrentLinkedQueue<StreamRecord<FraudAlert>> alerts = harness.getSideOutput(JobStreams.ALERTS);
        assertThat(alerts).anySatisfy(a -> assertThat(a.getValue().getReasons())
                .anyMatch(r -> r.contains("is 10.0 times this card's average over the last 30 days")));
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    @Test
    void withoutPointOfPurchaseInputAModelThatNeedsItIsRefusedAndTheChampionKeepsScoring() throws Exception {
        openWithPointOfPurchase("v1", false);
        harness.processBroadcastElement(Control.model(
                TestModels.descriptor("v2", ModelRole.CHAMPION, "pop:v2")));
        harness.processElement(new StreamRecord<>(tx("a", "c1", T0, 10)));
        assertThat(scores()).extracting(FraudScore::getModelVersion).containsExactly("v1");
        harness.close();
        harness = null;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> openWithPointOfPurchase("pop-1", false))
                .hasStackTraceContaining("point-of-purchase.enabled");
    }

    /** Loads like {@link TestModels.Factory}, but any model other than the initial v1 waits for {@link #GATE}. */
    static final class GatedFactory implements io.fraudstream.job.model.ModelRepository.Factory {
        private static final long serialVersionUID = 1L;
        static volatile java.util.concurrent.CountDownLatch GATE;
        /** Counted down by the loading thread once it is inside {@code load} and about to wait for {@link #GATE}. */
        static volatile java.util.concurrent.CountDownLatch REACHED;
        static volatile Thread loadingThread;

        @Override
        public io.fraudstream.job.model.ModelRepository open() {
            io.fraudstream.job.model.ModelRepository inner = new TestModels.Factory("v1", 0.99, 1024).open();
            return new io.fraudstream.job.model.ModelRepository() {
                @Override
                public io.fraudstream.avro.ModelDescriptor initialChampion() {
                    return inner.initialChampion();
                }

                @Override
                public void verifyDecision(io.fraudstream.avro.ModelDescriptor d)
                        throws io.fraudstream.model.ModelRejectedException {
                    inner.verifyDecision(d);
                }

                @Override
                public io.fraudstream.model.FraudModel load(io.fraudstream.avro.ModelDescriptor d)
                        throws io.fraudstream.model.ModelRejectedException {
                    if (!d.getModelVersion().equals("v1")) {
                        loadingThread = Thread.currentThread();
                        REACHED.countDown();
                        try {
                            GATE.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    return inner.load(d);
                }
            };
        }
    }

    /** A job-like function (async loads) whose loads of models other than v1 wait for {@link GatedFactory#GATE}. */
    private void openGated() throws Exception {
        GatedFactory.GATE = new java.util.concurrent.CountDownLatch(1);
        GatedFactory.REACHED = new java.util.concurrent.CountDownLatch(1);
        CardScoringFunction function = new CardScoringFunction(new GatedFactory(), new ScoringSettings(TTL, 3, 3, 1024),
                false, true);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function,
                new FraudScoringPipeline.CardKey(), Types.STRING, JobStreams.MODEL_DESCRIPTORS);
    }

    /** Waits (bounded) until the loader thread is inside load(), and checks it is the loader, not the task thread. */
    private static void awaitLoaderInsideLoad() throws InterruptedException {
        assertThat(GatedFactory.REACHED.await(30, java.util.concurrent.TimeUnit.SECONDS))
                .as("the loader thread reached load()").isTrue();
        assertThat(GatedFactory.loadingThread).isNotNull().isNotSameAs(Thread.currentThread());
        assertThat(GatedFactory.loadingThread.getName()).startsWith("model-loader-");
    }

    @Test
    void aNewChampionIsVerifiedOffTheScoringThreadAndTakesOverOnceLoaded() throws Exception {
        openGated();
        // Returns at once although the load is blocked (loading inline would hang here).
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.CHAMPION)));
        for (int i = 0; i < 3; i++) {
            harness.processElement(new StreamRecord<>(tx("a" + i, "c1", T0 + i * 1000L, 10)));
        }
        assertThat(scores()).extracting(FraudScore::getModelVersion).containsOnly("v1");
        awaitLoaderInsideLoad();

        GatedFactory.GATE.countDown();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        int i = 3;
        while (!scores().get(scores().size() - 1).getModelVersion().equals("v2")) {
            assertThat(System.nanoTime()).as("v2 took over in time").isLessThan(deadline);
            harness.processElement(new StreamRecord<>(tx("a" + i, "c1", T0 + i * 1000L, 10)));
            i++;
        }
        // Versions never go backwards: once v2 scored, every later score is v2.
        harness.processElement(new StreamRecord<>(tx("a" + i, "c1", T0 + i * 1000L, 10)));
        List<String> versions = scores().stream().map(FraudScore::getModelVersion).toList();
        int first = versions.indexOf("v2");
        assertThat(versions.subList(first, versions.size())).containsOnly("v2");
        assertThat(harness.getBroadcastState(JobStreams.MODEL_DESCRIPTORS)
                .get(CardScoringFunction.CHAMPION_RECEIVED + "v2")).isNotNull();
    }

    /**
     * Scores a card's 40 transactions with v1, then (after {@code swapAt} of them) swaps to v2 with new extractor weights,
     * and returns the (version, score) of every transaction.
     */
    private List<String> runWithWeightSwap(ScoringSettings settings, int swapAt, int total) throws Exception {
        open(0.99, 1024, settings);
        for (int i = 0; i < total; i++) {
            if (i == swapAt) {
                harness.processBroadcastElement(Control.model(
                        TestModels.descriptor("v2", ModelRole.CHAMPION, "seed:11")));
            }
            harness.processElement(new StreamRecord<>(tx("t" + i, "c1", T0 + i * 600_000L, 5 + (i * 37) % 90)));
        }
        List<String> out = scores().stream().map(s -> s.getModelVersion() + " " + s.getScore()).toList();
        harness.close();
        harness = null;
        return out;
    }

    @Test
    void aSwapToNewWeightsScoresTheNextEventExactlyAsIfTheNewModelHadScoredFromTheStart() throws Exception {
        List<String> swapped = runWithWeightSwap(new ScoringSettings(TTL, 3, 3, 1024), 40, 50);
        List<String> neverSwapped = runWithWeightSwap(new ScoringSettings(TTL, 3, 3, 1024), 50, 50);
        List<String> newFromTheStart = runWithWeightSwap(new ScoringSettings(TTL, 3, 3, 1024), 0, 50);

        assertThat(swapped.subList(0, 40)).isEqualTo(neverSwapped.subList(0, 40));
        // Nothing in the history belongs to a model: v2's first score after the swap is already its score on this
        // history, with nothing recomputed or staged.
        assertThat(swapped.subList(40, 50)).isEqualTo(newFromTheStart.subList(40, 50));
        assertThat(swapped.get(40)).startsWith("v2 ");
        assertThat(newFromTheStart.get(40)).isNotEqualTo(neverSwapped.get(40));
    }

    @Test
    void aSwapScoresCardsReadFromStateAsCardsKeptInTheHistoryCache() throws Exception {
        List<String> cached = runWithWeightSwap(new ScoringSettings(TTL, 3, 3, 1024).withHistoryCache(100_000), 40, 50);
        List<String> fromState = runWithWeightSwap(new ScoringSettings(TTL, 3, 3, 1024), 40, 50);
        assertThat(cached).isEqualTo(fromState);
    }

    @Test
    void withoutAlertExplanationsScoresKeepTheirDecisionAndValueAndNoAlertIsBuilt() throws Exception {
        List<List<Double>> values = new java.util.ArrayList<>();
        List<Integer> alertCounts = new java.util.ArrayList<>();
        for (ScoringSettings settings : List.of(new ScoringSettings(TTL, 3, 3, 1024),
                new ScoringSettings(TTL, 3, 3, 1024).withoutAlertExplanations())) {
            open(0.0, 1024, settings);
            for (int i = 0; i < 5; i++) {
                harness.processElement(new StreamRecord<>(tx("x" + i, "c1", T0 + i * 60_000L, 10 + i)));
            }
            assertThat(scores()).extracting(FraudScore::getDecision).containsOnly(Decision.ALERT);
            values.add(scores().stream().map(FraudScore::getScore).toList());
            ConcurrentLinkedQueue<StreamRecord<FraudAlert>> alerts = harness.getSideOutput(JobStreams.ALERTS);
            alertCounts.add(alerts == null ? 0 : alerts.size());
            harness.close();
            harness = null;
        }
        assertThat(values.get(1)).isEqualTo(values.get(0));
        assertThat(alertCounts).containsExactly(5, 0);
    }

    @Test
    void aShadowIsVerifiedOffTheScoringThreadAndScoresOnceLoadedWithoutTouchingTheChampionsScores() throws Exception {
        openGated();
        harness.processBroadcastElement(Control.model(TestModels.descriptor("v2", ModelRole.SHADOW)));
        for (int i = 0; i < 3; i++) {
            harness.processElement(new StreamRecord<>(tx("a" + i, "c1", T0 + i * 1000L, 10)));
        }
        awaitLoaderInsideLoad();
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES)).isNull();
        assertThat(harness.getBroadcastState(JobStreams.MODEL_DESCRIPTORS).get("SHADOW")).isNotNull();

        GatedFactory.GATE.countDown();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        int i = 3;
        while (harness.getSideOutput(JobStreams.SHADOW_SCORES) == null) {
            assertThat(System.nanoTime()).as("the shadow started in time").isLessThan(deadline);
            harness.processElement(new StreamRecord<>(tx("a" + i, "c1", T0 + i * 1000L, 10)));
            i++;
        }
        assertThat(harness.getSideOutput(JobStreams.SHADOW_SCORES)).extracting(r -> r.getValue().getModelVersion())
                .containsOnly("v2");
        assertThat(scores()).hasSize(i).extracting(FraudScore::getModelVersion).containsOnly("v1");
    }

    private static final long HOUR = 3_600_000L;

    /** A harness of the function with its own operator (for snapshot and restore), not yet opened. */
    private static KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            budgetHarness(ScoringSettings settings) throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory("v1", 0.0, 64), settings);
        return new KeyedBroadcastOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(function,
                        List.of(JobStreams.MODEL_DESCRIPTORS)),
                new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0);
    }

    /** 200 transactions of 40 cards in hour {@code h} (amounts spread, so the scores are). */
    private static List<TransactionEvent> hour(int h) {
        List<TransactionEvent> out = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            out.add(tx("h" + h + "-" + i, "c" + (i % 40), T0 + h * HOUR + i * 10_000L, 5 + (i * 7919 + h * 31) % 900));
        }
        return out;
    }

    private List<FraudScore> process(List<TransactionEvent> txs) throws Exception {
        int before = harness.extractOutputValues().size();
        for (TransactionEvent t : txs) {
            harness.processElement(new StreamRecord<>(t));
        }
        List<FraudScore> all = harness.extractOutputValues();
        return all.subList(before, all.size());
    }

    @Test
    void theAlertBudgetDecidesOnceItsWindowHoldsEnoughScoresAndSurvivesARestore() throws Exception {
        // The model alerts on everything (threshold 0); the budget allows 10 % over a 24 h window, and takes over once
        // the window holds 10 alerts' worth (100 scores).
        ScoringSettings settings = new ScoringSettings(TTL, 3, 3, 1024)
                .withAlertBudget(new io.fraudstream.model.scoring.AlertBudget.Settings(0.10, 24 * HOUR, 10));
        harness = budgetHarness(settings);
        harness.open();

        List<FraudScore> first = process(hour(0));
        // no complete hour yet: the model's own threshold decides
        assertThat(first).allSatisfy(s -> {
            assertThat(s.getThreshold()).isEqualTo(0.0);
            assertThat(s.getDecision()).isEqualTo(Decision.ALERT);
        });

        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        List<FraudScore> next = process(hour(1));
        double threshold = next.get(0).getThreshold();
        // hour 1 is decided at the 90th percentile of hour 0's 200 scores: 20 of them lie at or above it
        long above = first.stream().filter(s -> s.getScore() >= threshold).count();
        assertThat(above).isBetween(18L, 22L);
        assertThat(next).allSatisfy(s -> {
            assertThat(s.getThreshold()).isEqualTo(threshold);
            assertThat(s.getDecision()).isEqualTo(s.getScore() >= threshold ? Decision.ALERT : Decision.PASS);
        });
        long alerts = next.stream().filter(s -> s.getDecision() == Decision.ALERT).count();
        assertThat(alerts).isBetween(5L, 40L).isLessThan(next.size());
        // alerts explain which threshold they crossed
        assertThat(harness.getSideOutput(JobStreams.ALERTS)).isNotEmpty();
        harness.close();

        // The window is operator state: restored from the snapshot, hour 1 gets the same threshold.
        harness = budgetHarness(settings);
        harness.initializeState(snapshot);
        harness.open();
        List<FraudScore> again = process(hour(1));
        assertThat(again).extracting(FraudScore::getThreshold).containsOnly(threshold);
        assertThat(again).extracting(FraudScore::getDecision)
                .containsExactlyElementsOf(next.stream().map(FraudScore::getDecision).toList());
    }

    @Test
    void withoutABudgetTheModelsThresholdDecides() throws Exception {
        harness = budgetHarness(new ScoringSettings(TTL, 3, 3, 1024));
        harness.open();
        process(hour(0));
        assertThat(process(hour(1))).allSatisfy(s -> {
            assertThat(s.getThreshold()).isEqualTo(0.0);
            assertThat(s.getDecision()).isEqualTo(Decision.ALERT);
        });
    }

    @Test
    void anAlertWithNoOtherReasonNamesTheThresholdItCrossed() {
        io.fraudstream.model.FraudModel model = TestModels.model("v1", 0.3, 64);
        AlertExplainer explainer = new AlertExplainer(model, 3, 3);
        float[] none = new float[model.featureNames().size()]; // no feature says anything
        TransactionEvent t = tx("a", "c1", T0, 10);
        t.merchantId = "m";
        io.fraudstream.features.Explanation empty = new io.fraudstream.features.Explanation(3);
        assertThat(explainer.reasons(t, none, empty)).containsExactly(String.format(java.util.Locale.ROOT,
                "score %.3f at or above the model's threshold 0.300", model.score(none)));
        assertThat(explainer.reasons(t, none, empty, 0.25)).containsExactly(String.format(java.util.Locale.ROOT,
                "score %.3f at or above the alert budget's threshold 0.250 (the model's own: 0.300)", model.score(none)));
    }

    @Test
    void anAmountInARangeTheModelFoundRiskyIsNamed() {
        String bin = io.fraudstream.features.AmountBinFeatures.NAMES.get(32); // [215.27, 256)
        io.fraudstream.model.FraudModel risky = TestModels.model("v1", 0.3, 64, 7,
                io.fraudstream.model.FeatureBlock.of(io.fraudstream.model.FeatureBlock.AMOUNT_BINS), java.util.Map.of(bin, 2.0));
        float[] f = new float[risky.featureNames().size()];
        f[risky.featureNames().indexOf(bin)] = 1f;
        TransactionEvent t = tx("a", "c1", T0, 230);
        t.merchantId = "m";
        io.fraudstream.features.Explanation empty = new io.fraudstream.features.Explanation(3);
        assertThat(new AlertExplainer(risky, 3, 3).reasons(t, f, empty)).containsExactly("amount 230.00 USD is between"
                + " 215.27 and 256.00, a range where the model has seen more fraud than at other amounts");
        // a range the model gives less than half a log-odds: not a reason
        io.fraudstream.model.FraudModel mild = TestModels.model("v2", 0.3, 64, 7,
                io.fraudstream.model.FeatureBlock.of(io.fraudstream.model.FeatureBlock.AMOUNT_BINS), java.util.Map.of(bin, 0.4));
        assertThat(new AlertExplainer(mild, 3, 3).reasons(t, f, empty)).noneMatch(r -> r.contains("a range where"));
    }
}
