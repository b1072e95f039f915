package io.fraudstream.simulator;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Deterministic card-transaction simulator with labelled fraud.
 *
 * <p>Contract:
 * <ul>
 *   <li>Equal {@link SimulatorConfig}s give identical output; nothing depends on the wall clock, hash
 *       order or threads. Each card draws from its own random stream seeded by (seed, card index).</li>
 *   <li>{@link #transactions()} is in non-decreasing event time (ties: lower card index first, then the
 *       card's own order) and is produced lazily: memory is proportional to the number of cards
 *       (about 1-2 KB each), not to the number of transactions.</li>
 *   <li>Fraud labels exist for exactly the fraudulent transactions, with
 *       {@code reportedAt = eventTime + labelDelay}; {@link #labels()} gives them in reportedAt order and
 *       {@link #events()} merges them into the transaction stream at their reportedAt (a label before a
 *       transaction of the same instant). Labels whose reportedAt is after the simulation end are still
 *       emitted, after the last transaction.</li>
 *   <li>Event times are true instants (docs/TIME.md) with whole-second resolution (the Sparkov layout's). The
 *       daily rhythm and the night scenario are generated in the cardholder's local solar time (home longitude
 *       / 15 h, {@link SolarTime}) and emitted as {@code eventTime = local - homeLon / 15 h}, the inverse of the
 *       feature extractor's night-time shift. {@link SparkovCsvWriter} writes the local time back.</li>
 * </ul>
 *
 * <p>The simulator is immutable and thread-safe; every call to {@link #transactions()}, {@link #labels()}
 * or {@link #events()} starts an independent run from the beginning. The returned iterators and streams
 * are single-threaded.
 */
public final class Simulator {

    /** {@code FraudLabel.source} of every label the simulator emits. */
    public static final String LABEL_SOURCE = "SIMULATOR";
    public static final String CURRENCY = "USD";

    private final SimulatorConfig config;
    private final World world;
    private final double compromisesPerDay;
    private final double[] terminalCumulative;
    private final String idPrefix;

    public Simulator(SimulatorConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.world = new World(config.seed(), config.cards());
        double share = config.effectiveShare(FraudScenario.COMPROMISED_MERCHANT);
        if (share > 0) {
            double[] visits = world.terminalVisitRates();
            this.compromisesPerDay = CompromiseSchedule.ratePerDay(share, world.dailyTransactions, visits);
            this.terminalCumulative = Rng.cumulative(visits);
        } else {
            this.compromisesPerDay = 0;
            this.terminalCumulative = new double[] {1};
        }
        this.idPrefix = hex(Rng.mix64(config.seed() ^ 0x5DEECE66DL * Rng.ID_PREFIX), 16);
    }

    public SimulatorConfig config() {
        return config;
    }

    /** All transactions, genuine and fraud, in event-time order. Unbounded if the configuration is. */
    public Stream<SimulatedTransaction> transactions() {
        return stream(transactionIterator());
    }

    public Iterator<SimulatedTransaction> transactionIterator() {
        return new TransactionIterator();
    }

    /** The fraud labels, one per fraudulent transaction, in reportedAt order (a second pass over the simulation). */
    public Stream<FraudLabel> labels() {
        return stream(labelIterator());
    }

    public Iterator<FraudLabel> labelIterator() {
        Iterator<SimulatedTransaction> txs = transactionIterator();
        return new Iterator<>() {
            private FraudLabel next = find();

            private FraudLabel find() {
                while (txs.hasNext()) {
                    SimulatedTransaction t = txs.next();
                    if (t.fraud()) {
                        return labelFor(t.tx(), config.labelDelay());
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public FraudLabel next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                FraudLabel l = next;
                next = find();
                return l;
            }
        };
    }

    /**
     * Transactions and fraud labels merged in time order: each {@link SimulatedLabel} appears at its
     * reportedAt. One pass; the labels waiting to be reported are the only extra memory (fraud of the
     * last labelDelay).
     */
    public Stream<SimulatedEvent> events() {
        return stream(eventIterator());
    }

    public Iterator<SimulatedEvent> eventIterator() {
        Iterator<SimulatedTransaction> txs = transactionIterator();
        return new Iterator<>() {
            private final ArrayDeque<SimulatedLabel> waiting = new ArrayDeque<>();
            private SimulatedTransaction lookahead;

            @Override
            public boolean hasNext() {
                return lookahead != null || txs.hasNext() || !waiting.isEmpty();
            }

            @Override
            public SimulatedEvent next() {
                if (lookahead == null && txs.hasNext()) {
                    lookahead = txs.next();
                }
                // Constant delay: labels are queued in reportedAt order, so the head is the earliest.
                if (!waiting.isEmpty() && (lookahead == null || !waiting.peek().time().isAfter(lookahead.time()))) {
                    return waiting.poll();
                }
                if (lookahead == null) {
                    throw new NoSuchElementException();
                }
                SimulatedTransaction t = lookahead;
                lookahead = null;
                if (t.fraud()) {
                    waiting.add(new SimulatedLabel(labelFor(t.tx(), config.labelDelay()), t.scenario()));
                }
                return t;
            }
        };
    }

    /** The label a bank would eventually record for a fraudulent transaction. */
    public static FraudLabel labelFor(Transaction tx, Duration delay) {
        return new FraudLabel(tx.getTransactionId(), tx.getCardId(), LabelValue.FRAUD, tx.getEventTime().plus(delay),
                LABEL_SOURCE, tx.getMerchantId(), tx.getTerminalId(), tx.getEventTime(), null);
    }

    /** Every cardholder, by card index ({@code card-000001} first). */
    public List<Cardholder> cardholders() {
        Cardholder[] all = new Cardholder[world.cards.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = world.cards[i].holder;
        }
        return List.of(all);
    }

    /** The cardholder of a card token of this simulation. */
    public Cardholder cardholder(String cardId) {
        return world.cards[indexOf(cardId, "card-", world.cards.length)].holder;
    }

    public List<Merchant> merchants() {
        return world.merchants;
    }

    public Merchant merchant(String merchantId) {
        return world.merchants.get(indexOf(merchantId, "merch-", world.merchants.size()));
    }

    private static int indexOf(String id, String prefix, int size) {
        if (id != null && id.startsWith(prefix)) {
            try {
                int n = Integer.parseInt(id.substring(prefix.length()));
                if (n >= 1 && n <= size) {
                    return n - 1;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown id '" + id + "' (expected " + prefix + "NNNNNN up to " + size + ")");
    }

    /** Expected compromises per day of the compromised-merchant scenario; for tests and docs. */
    double compromisesPerDay() {
        return compromisesPerDay;
    }

    World world() {
        return world;
    }

    CompromiseSchedule newCompromiseSchedule() {
        return new CompromiseSchedule(config.seed(), compromisesPerDay, terminalCumulative);
    }

    private static <T> Stream<T> stream(Iterator<T> it) {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private static String hex(long v, int digits) {
        String s = Long.toHexString(v);
        return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
    }

    /** The k-way merge of all cards' lazily generated histories. */
    private final class TransactionIterator implements Iterator<SimulatedTransaction> {

        private final PriorityQueue<CardActivity> queue;
        private long remaining = config.maxTransactions();

        TransactionIterator() {
            long start = config.start().getEpochSecond();
            long end = config.end().map(Instant::getEpochSecond).orElse(Long.MAX_VALUE);
            CompromiseSchedule compromises = newCompromiseSchedule();
            // Merge by the emitted instant (cards' local clocks differ by their home longitude), then card index.
            queue = new PriorityQueue<>(Math.max(1, world.cards.length), (a, b) -> {
                long ta = a.instantOf(a.next);
                long tb = b.instantOf(b.next);
                return ta != tb ? Long.compare(ta, tb) : Integer.compare(a.profile.index, b.profile.index);
            });
            for (CardProfile card : world.cards) {
                CardActivity activity = new CardActivity(world, card, config, compromises, start, end);
                if (activity.next != null) {
                    queue.add(activity);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return remaining > 0 && !queue.isEmpty();
        }

        @Override
        public SimulatedTransaction next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            CardActivity card = queue.poll();
            CardActivity.Draft d = card.next;
            SimulatedTransaction t = toTransaction(card, d, card.takeSequence());
            remaining--;
            card.advance();
            if (card.next != null) {
                queue.add(card);
            }
            return t;
        }

        private SimulatedTransaction toTransaction(CardActivity card, CardActivity.Draft d, int sequence) {
            Cardholder h = card.profile.holder;
            Merchant m = world.merchants.get(d.merchant);
            String id = idPrefix + hex(card.profile.index, 8) + hex(sequence & 0xFFFFFFFFL, 8);
            Transaction tx = new Transaction(id, h.cardId(), h.accountId(), Instant.ofEpochSecond(card.instantOf(d)),
                    d.amountMinor, CURRENCY, m.merchantId(), d.category.code(), d.channel, m.lat(), m.lon(),
                    h.homeLat(), h.homeLon(), m.country(), d.terminalId);
            return new SimulatedTransaction(tx, d.scenario != null, d.scenario == null ? null : d.scenario.name());
        }
    }
}
