package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.schemas.AvroCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Properties of a medium run (1,000 cards, 30 days, about 80,000 transactions) and of small ones. */
class SimulatorTest {

    private static final SimulatorConfig MEDIUM = SimulatorConfig.builder().seed(2024).cards(1_000)
            .duration(Duration.ofDays(30)).build();
    private static Simulator simulator;
    private static List<SimulatedTransaction> all;

    @BeforeAll
    static void runMedium() {
        simulator = new Simulator(MEDIUM);
        all = simulator.transactions().collect(Collectors.toList());
    }

    @Test
    void sameConfigGivesByteIdenticalOutput() {
        SimulatorConfig config = SimulatorConfig.builder().seed(99).cards(200).duration(Duration.ofDays(10)).build();
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Iterator<SimulatedTransaction> a = new Simulator(config).transactionIterator();
        Iterator<SimulatedTransaction> b = new Simulator(config).transactionIterator();
        int n = 0;
        while (a.hasNext()) {
            assertThat(b.hasNext()).isTrue();
            SimulatedTransaction x = a.next();
            SimulatedTransaction y = b.next();
            assertThat(codec.encode(y.tx())).isEqualTo(codec.encode(x.tx()));
            assertThat(y.scenario()).isEqualTo(x.scenario());
            n++;
        }
        assertThat(b.hasNext()).isFalse();
        assertThat(n).isGreaterThan(3_000);
        // Also within one simulator: a second pass replays the first.
        Simulator one = new Simulator(config);
        assertThat(one.transactions().limit(500).map(t -> t.tx().toString()).toList())
                .isEqualTo(one.transactions().limit(500).map(t -> t.tx().toString()).toList());
    }

    @Test
    void differentSeedsGiveDifferentOutputAndDisjointIds() {
        SimulatorConfig.Builder b = SimulatorConfig.builder().cards(100).duration(Duration.ofDays(5));
        List<Transaction> one = new Simulator(b.seed(1).build()).transactions().map(SimulatedTransaction::tx).toList();
        List<Transaction> two = new Simulator(b.seed(2).build()).transactions().map(SimulatedTransaction::tx).toList();
        assertThat(one.stream().map(Transaction::getAmountMinor).toList())
                .isNotEqualTo(two.stream().map(Transaction::getAmountMinor).toList());
        Set<String> ids = one.stream().map(Transaction::getTransactionId).collect(Collectors.toSet());
        assertThat(two).noneMatch(t -> ids.contains(t.getTransactionId()));
    }

    @Test
    void aCardsHistoryDoesNotDependOnTheOtherCards() {
        SimulatorConfig.Builder b = SimulatorConfig.builder().seed(5).duration(Duration.ofDays(20)).compromisedMerchant(false);
        List<String> inSmall = historyOf("card-000007", b.cards(10).build());
        List<String> inLarge = historyOf("card-000007", b.cards(300).build());
        assertThat(inSmall).isNotEmpty().isEqualTo(inLarge);
    }

    private static List<String> historyOf(String card, SimulatorConfig config) {
        return new Simulator(config).transactions().filter(t -> t.tx().getCardId().equals(card))
                .map(t -> t.tx().toString()).toList();
    }

    @Test
    void eventTimeIsNonDecreasingAndWithinTheRun() {
        Instant end = MEDIUM.end().orElseThrow();
        Instant previous = MEDIUM.start();
        for (SimulatedTransaction t : all) {
            Instant time = t.tx().getEventTime();
            assertThat(time).isAfterOrEqualTo(previous).isBefore(end);
            assertThat(time.getNano()).isZero();
            previous = time;
        }
    }

    @Test
    void idsAreUniqueAndTokensAreNotCardNumbers() {
        assertThat(all).hasSizeGreaterThan(50_000);
        Set<String> ids = new HashSet<>();
        for (SimulatedTransaction t : all) {
            Transaction tx = t.tx();
            assertThat(ids.add(tx.getTransactionId())).as("unique id %s", tx.getTransactionId()).isTrue();
            assertThat(tx.getTransactionId()).matches("[0-9a-f]{32}");
            assertThat(tx.getCardId()).matches("card-\\d{6}");
            assertThat(tx.getAccountId()).matches("acct-\\d{6}");
            assertThat(tx.getMerchantId()).matches("merch-\\d{6}");
        }
    }

    @Test
    void fieldsAreValidEverywhere() {
        Set<String> categories = new HashSet<>();
        for (SimulatedTransaction t : all) {
            Transaction tx = t.tx();
            categories.add(tx.getMerchantCategory());
            Category category = Category.fromCode(tx.getMerchantCategory());
            assertThat(tx.getAmountMinor()).isPositive();
            assertThat(tx.getCurrency()).isEqualTo("USD");
            assertThat(tx.getHomeLat()).isBetween(-90.0, 90.0);
            assertThat(tx.getHomeLon()).isBetween(-180.0, 180.0);
            assertThat(tx.getTerminalId()).isNotBlank();
            assertThat(tx.getCountry()).matches("[A-Z]{2}");
            if (category.online()) {
                assertThat(tx.getChannel()).isEqualTo(Channel.ONLINE);
                assertThat(tx.getMerchantLat()).isNull();
                assertThat(tx.getMerchantLon()).isNull();
                assertThat(tx.getTerminalId()).startsWith("dev-");
            } else {
                assertThat(tx.getChannel()).isIn(Channel.CARD_PRESENT, Channel.CONTACTLESS);
                assertThat(tx.getMerchantLat()).isNotNull().isBetween(-90.0, 90.0);
                assertThat(tx.getMerchantLon()).isNotNull().isBetween(-180.0, 180.0);
                assertThat(tx.getTerminalId()).startsWith("term-");
                assertThat(simulator.merchant(tx.getMerchantId()).terminalIds()).contains(tx.getTerminalId());
            }
            assertThat(simulator.merchant(tx.getMerchantId()).category()).isEqualTo(category);
        }
        assertThat(categories).hasSize(14);
    }

    @Test
    void everyScenarioAppearsAndTheFraudShareIsAsConfigured() {
        Map<String, Long> counts = all.stream().filter(SimulatedTransaction::fraud)
                .collect(Collectors.groupingBy(SimulatedTransaction::scenario, TreeMap::new, Collectors.counting()));
        assertThat(counts.keySet()).containsExactlyInAnyOrder(
                java.util.Arrays.stream(FraudScenario.values()).map(Enum::name).toArray(String[]::new));
        double total = all.size();
        for (FraudScenario s : FraudScenario.values()) {
            double share = counts.get(s.name()) / total;
            assertThat(share).as("share of %s (%s)", s, counts).isBetween(s.defaultShare() / 2.5, s.defaultShare() * 2.5);
        }
        double fraudShare = counts.values().stream().mapToLong(Long::longValue).sum() / total;
        assertThat(fraudShare).isBetween(0.005, 0.02);
        assertThat(all).allMatch(t -> t.fraud() == (t.scenario() != null));
    }

    @Test
    void scenarioOffMeansNoneOfIt() {
        List<SimulatedTransaction> txs = new Simulator(MEDIUM.toBuilder().cards(300).compromisedMerchant(false)
                .fraudShare(FraudScenario.CARD_TESTING, 0).build()).transactions().toList();
        assertThat(txs).noneMatch(t -> "COMPROMISED_MERCHANT".equals(t.scenario()) || "CARD_TESTING".equals(t.scenario()));
        assertThat(txs).anyMatch(SimulatedTransaction::fraud);
    }

    @Test
    void cardTestingIsBurstsOfTinyOnlineAmounts() {
        List<Transaction> ct = fraudOf(FraudScenario.CARD_TESTING);
        assertThat(ct).allMatch(t -> t.getChannel() == Channel.ONLINE);
        long tiny = ct.stream().filter(t -> t.getAmountMinor() < 300).count();
        assertThat((double) tiny / ct.size()).isGreaterThan(0.85);
        // Tiny ones come in bursts: the same card's previous card-testing transaction is minutes away.
        Map<String, Instant> last = new HashMap<>();
        int close = 0;
        for (Transaction t : ct) {
            Instant before = last.put(t.getCardId(), t.getEventTime());
            if (t.getAmountMinor() < 300 && before != null && Duration.between(before, t.getEventTime()).toMinutes() <= 2) {
                close++;
            }
        }
        assertThat(close).isGreaterThan((int) (tiny * 0.6));
    }

    @Test
    void impossibleTravelFollowsAHomeAreaPurchaseFarAwayWithinMinutes() {
        Map<String, Transaction> lastGenuinePresent = new HashMap<>();
        int checked = 0;
        for (SimulatedTransaction t : all) {
            Transaction tx = t.tx();
            if (!t.fraud() && tx.getMerchantLat() != null) {
                lastGenuinePresent.put(tx.getCardId(), tx);
            } else if ("IMPOSSIBLE_TRAVEL".equals(t.scenario())) {
                assertThat(tx.getChannel()).isEqualTo(Channel.CARD_PRESENT);
                Transaction home = lastGenuinePresent.get(tx.getCardId());
                assertThat(home).isNotNull();
                double km = City.distanceKm(home.getMerchantLat(), home.getMerchantLon(), tx.getMerchantLat(),
                        tx.getMerchantLon());
                double hours = Duration.between(home.getEventTime(), tx.getEventTime()).toSeconds() / 3600.0;
                assertThat(km).isGreaterThan(1_400);
                assertThat(hours).isLessThanOrEqualTo(3.6);
                assertThat(km / Math.max(hours, 1e-3)).as("implied speed km/h").isGreaterThan(350);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void accountTakeoverIsOnlineSpendFromANewDevice() {
        Map<String, Set<String>> genuineDevices = new HashMap<>();
        Map<String, Long> genuineSpend = new HashMap<>();
        Map<String, Long> genuineCount = new HashMap<>();
        for (SimulatedTransaction t : all) {
            if (!t.fraud()) {
                genuineDevices.computeIfAbsent(t.tx().getCardId(), k -> new HashSet<>()).add(t.tx().getTerminalId());
                genuineSpend.merge(t.tx().getCardId(), t.tx().getAmountMinor(), Long::sum);
                genuineCount.merge(t.tx().getCardId(), 1L, Long::sum);
            }
        }
        List<Transaction> ato = fraudOf(FraudScenario.ACCOUNT_TAKEOVER);
        int aboveMean = 0;
        for (Transaction t : ato) {
            assertThat(t.getChannel()).isEqualTo(Channel.ONLINE);
            assertThat(genuineDevices.getOrDefault(t.getCardId(), Set.of())).doesNotContain(t.getTerminalId());
            long mean = genuineSpend.getOrDefault(t.getCardId(), 0L) / Math.max(1, genuineCount.getOrDefault(t.getCardId(), 1L));
            if (t.getAmountMinor() > 2 * mean) {
                aboveMean++;
            }
        }
        assertThat((double) aboveMean / ato.size()).as("spend spikes").isGreaterThan(0.7);
    }

    @Test
    void nightHighAmountsAreLargeAndAtNightAsTheExtractorReadsIt() {
        List<Transaction> night = fraudOf(FraudScenario.NIGHT_HIGH_AMOUNT);
        int utcDaytime = 0;
        for (Transaction t : night) {
            double local = extractorLocalHour(t);
            // Generated at local 00:00-05:00; read back at most one second later, never before midnight.
            assertThat(local).as("%s at %s, home lon %s", t.getTransactionId(), t.getEventTime(), t.getHomeLon())
                    .isGreaterThan(0.0).isLessThanOrEqualTo(5.0 + 1.0 / 3600);
            assertThat(extractorIsNight(t)).isTrue();
            assertThat(SolarTime.toLocal(t.getEventTime(), t.getHomeLon()).getHour()).isLessThan(5);
            assertThat(t.getAmountMinor()).isGreaterThanOrEqualTo(250_00);
            int utcHour = t.getEventTime().atZone(ZoneOffset.UTC).getHour();
            utcDaytime += utcHour >= 5 && utcHour < 12 ? 1 : 0;
        }
        assertThat(night).hasSizeGreaterThan(50);
        // US homes are 4.5-8.5 h behind UTC: local small hours are UTC morning, not UTC night.
        assertThat((double) utcDaytime / night.size()).isGreaterThan(0.9);
    }

    @Test
    void eventTimeIsLocalTimeShiftedByTheHomeLongitude() {
        Simulator s = new Simulator(SimulatorConfig.builder().seed(3).cards(50).duration(Duration.ofDays(3)).build());
        List<SimulatedTransaction> txs = s.transactions().toList();
        assertThat(txs).hasSizeGreaterThan(100);
        for (SimulatedTransaction t : txs) {
            Transaction tx = t.tx();
            long offset = SolarTime.offsetSeconds(tx.getHomeLon());
            assertThat(tx.getHomeLon()).isEqualTo(s.cardholder(tx.getCardId()).homeLon());
            // The extractor's exact shift lands within (0, 1] s after the whole-second local time.
            double exact = tx.getEventTime().getEpochSecond() + (double) (float) tx.getHomeLon().doubleValue() * 240.0;
            double local = tx.getEventTime().getEpochSecond() + offset;
            assertThat(exact - local).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        }
    }

    /** Local solar hour exactly as {@code DirectFeatures.isNight} computes it (home longitude, float-rounded). */
    static double extractorLocalHour(Transaction t) {
        double lonShift = t.getHomeLon() != null ? (float) t.getHomeLon().doubleValue()
                : t.getMerchantLon() != null ? (float) t.getMerchantLon().doubleValue() : 0.0;
        double hourUtc = Math.floorMod(t.getEventTime().toEpochMilli(), 86_400_000L) / (double) 3_600_000L;
        double local = hourUtc + lonShift / 15.0;
        return local - 24.0 * Math.floor(local / 24.0);
    }

    static boolean extractorIsNight(Transaction t) {
        return extractorLocalHour(t) < 6.0;
    }

    @Test
    void compromisedMerchantFraudHitsCardsThatUsedACompromisedTerminalDaysBefore() {
        CompromiseSchedule schedule = simulator.newCompromiseSchedule();
        World world = simulator.world();
        Map<String, List<Transaction>> presentByCard = new HashMap<>();
        Map<String, Instant> firstFraud = new HashMap<>();
        for (SimulatedTransaction t : all) {
            Transaction tx = t.tx();
            if (!t.fraud() && tx.getTerminalId().startsWith("term-")) {
                presentByCard.computeIfAbsent(tx.getCardId(), k -> new ArrayList<>()).add(tx);
            } else if ("COMPROMISED_MERCHANT".equals(t.scenario())) {
                firstFraud.putIfAbsent(tx.getCardId(), tx.getEventTime());
            }
        }
        assertThat(firstFraud).hasSizeGreaterThan(5);
        for (Map.Entry<String, Instant> e : new TreeMap<>(firstFraud).entrySet()) {
            Instant fraudAt = e.getValue();
            boolean skimmedBefore = presentByCard.getOrDefault(e.getKey(), List.of()).stream().anyMatch(tx -> {
                Duration before = Duration.between(tx.getEventTime(), fraudAt);
                return before.compareTo(Duration.ofDays(1)) >= 0 && before.compareTo(Duration.ofDays(5)) <= 0
                        && schedule.activeOn(world.terminalIndex(tx.getTerminalId()), tx.getEventTime().getEpochSecond()) >= 0;
            });
            assertThat(skimmedBefore).as("%s used a compromised terminal 1-5 days before %s", e.getKey(), fraudAt).isTrue();
        }
    }

    @Test
    void cardholdersTravelLegitimatelyAndSpendLessAtNight() {
        long genuine = 0;
        long farAway = 0;
        long night = 0;
        long extractorNight = 0;
        long utcNight = 0;
        for (SimulatedTransaction t : all) {
            if (t.fraud()) {
                continue;
            }
            genuine++;
            Transaction tx = t.tx();
            if (tx.getMerchantLat() != null
                    && City.distanceKm(tx.getHomeLat(), tx.getHomeLon(), tx.getMerchantLat(), tx.getMerchantLon()) > 500) {
                farAway++;
            }
            if (SolarTime.toLocal(tx.getEventTime(), tx.getHomeLon()).getHour() < 5) {
                night++;
            }
            extractorNight += extractorIsNight(tx) ? 1 : 0;
            utcNight += tx.getEventTime().atZone(ZoneOffset.UTC).getHour() < 5 ? 1 : 0;
        }
        assertThat((double) farAway / genuine).as("genuine purchases > 500 km from home").isBetween(0.005, 0.15);
        // A flat day would put 5/24 = 21 % of purchases before 05:00.
        assertThat((double) night / genuine).isLessThan(0.08);
        assertThat((double) extractorNight / genuine).as("genuine at the extractor's night (00-06 local)").isLessThan(0.12);
        // UTC 00-05 is the US evening: busy. (When local time was written as UTC, this share was under 8 %.)
        assertThat((double) utcNight / genuine).isGreaterThan(0.2);
    }

    @Test
    void labelsExistExactlyForFraudWithTheConfiguredDelay() {
        Map<String, Transaction> fraud = new HashMap<>();
        all.stream().filter(SimulatedTransaction::fraud).forEach(t -> fraud.put(t.tx().getTransactionId(), t.tx()));
        List<FraudLabel> labels = simulator.labels().toList();
        assertThat(labels).hasSize(fraud.size());
        Instant previous = Instant.MIN;
        for (FraudLabel l : labels) {
            Transaction tx = fraud.get(l.getTransactionId());
            assertThat(tx).as("label %s is for a fraud transaction", l.getTransactionId()).isNotNull();
            assertThat(l.getReportedAt()).isEqualTo(tx.getEventTime().plus(Duration.ofDays(7)));
            assertThat(l.getTransactionTime()).isEqualTo(tx.getEventTime());
            assertThat(l.getLabel()).isEqualTo(LabelValue.FRAUD);
            assertThat(l.getCardId()).isEqualTo(tx.getCardId());
            assertThat(l.getMerchantId()).isEqualTo(tx.getMerchantId());
            assertThat(l.getSource()).isEqualTo(Simulator.LABEL_SOURCE);
            assertThat(l.getReportedAt()).isAfterOrEqualTo(previous);
            previous = l.getReportedAt();
        }
        assertThat(labels.stream().map(FraudLabel::getTransactionId).collect(Collectors.toSet())).isEqualTo(fraud.keySet());
    }

    @Test
    void eventsMergeLabelsAtTheirReportedTime() {
        Simulator s = new Simulator(MEDIUM.toBuilder().cards(300).labelDelay(Duration.ofDays(2)).build());
        List<SimulatedEvent> events = s.events().toList();
        Set<String> seenTx = new HashSet<>();
        Map<FraudScenario, Integer> labelsByScenario = new EnumMap<>(FraudScenario.class);
        int transactions = 0;
        int labels = 0;
        Instant previous = Instant.MIN;
        for (SimulatedEvent e : events) {
            assertThat(e.time()).isAfterOrEqualTo(previous);
            previous = e.time();
            if (e instanceof SimulatedTransaction t) {
                transactions++;
                seenTx.add(t.tx().getTransactionId());
            } else if (e instanceof SimulatedLabel l) {
                labels++;
                assertThat(seenTx).contains(l.label().getTransactionId());
                assertThat(l.label().getReportedAt()).isEqualTo(l.label().getTransactionTime().plus(Duration.ofDays(2)));
                labelsByScenario.merge(FraudScenario.valueOf(l.scenario()), 1, Integer::sum);
            }
        }
        assertThat(transactions).isEqualTo((int) s.transactions().count());
        assertThat(labels).isEqualTo((int) s.transactions().filter(SimulatedTransaction::fraud).count()).isPositive();
        assertThat(labelsByScenario).isNotEmpty();
    }

    @Test
    void countAndDurationBoundTheRun() {
        assertThat(new Simulator(SimulatorConfig.builder().cards(50).unbounded().maxTransactions(1_234).build())
                .transactions().count()).isEqualTo(1_234);
        SimulatorConfig day = SimulatorConfig.builder().cards(50).duration(Duration.ofHours(6)).build();
        assertThat(new Simulator(day).transactions()).isNotEmpty()
                .allMatch(t -> t.tx().getEventTime().isBefore(day.start().plus(Duration.ofHours(6))));
    }

    @Test
    void anUnboundedStreamIsLazy() {
        Simulator s = new Simulator(SimulatorConfig.builder().cards(10_000).unbounded().build());
        assertThat(s.transactions().limit(10)).hasSize(10);
    }

    @Test
    void cardholdersAndMerchantsAreLookedUpByToken() {
        assertThat(simulator.cardholders()).hasSize(1_000);
        Cardholder h = simulator.cardholder("card-000001");
        assertThat(h.cardId()).isEqualTo("card-000001");
        assertThat(h.accountId()).isEqualTo("acct-000001");
        assertThat(h.profile()).endsWith(".json");
        assertThat(simulator.merchants()).extracting(Merchant::name).doesNotHaveDuplicates().allMatch(n -> n.startsWith("fraud_"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> simulator.cardholder("card-999999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("card-999999");
    }

    private static List<Transaction> fraudOf(FraudScenario scenario) {
        return all.stream().filter(t -> scenario.name().equals(t.scenario())).map(SimulatedTransaction::tx).toList();
    }

    @Test
    void noDeviceIdLooksLikeACardNumber() {
        // 16 hex digits that are all decimal and pass Luhn: the job would dead-letter the record (PAN_DETECTED).
        assertThat(io.fraudstream.schemas.CardNumbers.containsPan("dev-8912345678901231")).isTrue();
        String mended = CardProfile.deviceId(0x8912345678901231L);
        assertThat(mended).isEqualTo("dev-89123456a8901231");
        assertThat(io.fraudstream.schemas.CardNumbers.containsPan(mended)).isFalse();
        // Any other id is the plain hex (the rest of the simulator's output does not change).
        assertThat(CardProfile.deviceId(0x0123abcdef456789L)).isEqualTo("dev-8123abcdef456789");
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            long bits = r.nextLong();
            String id = CardProfile.deviceId(bits);
            assertThat(io.fraudstream.schemas.CardNumbers.containsPan(id)).as(id).isFalse();
            assertThat(id).hasSize(20).startsWith("dev-");
        }
    }
}
