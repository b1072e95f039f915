package io.fraudstream.simulator;

import io.fraudstream.avro.Channel;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One card's history during one iteration, produced lazily in event-time order: genuine spending (a
 * non-homogeneous Poisson process following a daily rhythm), trips, and fraud episodes. Its random
 * stream is its own, so its history does not depend on other cards or on how they interleave.
 *
 * <p>Time: the card lives in its cardholder's local solar time ({@link SolarTime}); every time inside this
 * class ({@link Draft#time}, the rhythm, trips, the night scenario) is local wall-clock time written as epoch
 * seconds. {@link #instantOf} turns a draft's time into the true instant it is emitted at (docs/TIME.md). The
 * offset is constant per card, so the card's local order is its instant order.
 *
 * <p>The card keeps an agenda of the next genuine candidate, the next episode of each card-local
 * fraud scenario, the next trip, and already-scheduled transactions; {@link #advance()} processes the
 * earliest item until one yields a transaction.
 */
final class CardActivity {

    /** Relative transaction intensity per hour of day, cardholder-local solar time. */
    static final double[] RHYTHM = normalise(new double[] {
        0.25, 0.15, 0.10, 0.08, 0.10, 0.25, 0.55, 0.90, 1.10, 1.20, 1.30, 1.45,
        1.60, 1.50, 1.35, 1.30, 1.40, 1.60, 1.75, 1.70, 1.50, 1.20, 0.85, 0.50});
    private static final double RHYTHM_MAX = max(RHYTHM);
    private static final long DAY = 86_400;
    private static final long HOUR = 3_600;
    private static final double FLIGHT_KMH = 800;
    private static final double IMPOSSIBLE_TRAVEL_MIN_KM = 1_500;

    /** Card-local scenarios, indexed in {@link #nextEpisode}. */
    private static final FraudScenario[] LOCAL = {
        FraudScenario.CARD_TESTING, FraudScenario.IMPOSSIBLE_TRAVEL, FraudScenario.ACCOUNT_TAKEOVER,
        FraudScenario.NIGHT_HIGH_AMOUNT};

    /** A transaction waiting for its time; ids are assigned when it is emitted. */
    static final class Draft {
        /** Local wall-clock time, epoch seconds (see the class comment). */
        long time;
        long order;
        int merchant;
        Category category;
        Channel channel;
        String terminalId;
        long amountMinor;
        FraudScenario scenario;
    }

    final CardProfile profile;
    /** Local minus instant, whole seconds ({@link SolarTime#offsetSeconds} of the home longitude). */
    final long localOffset;
    private final World world;
    private final SplittableRandom r;
    private final CompromiseSchedule compromises;
    private final long end;
    private final double[] episodeMeanGap = new double[LOCAL.length];
    private final double[] nextEpisode = new double[LOCAL.length];
    private PriorityQueue<Draft> scheduled;
    private long drafts;
    private double nextGenuine;
    private double nextTrip;
    private int tripCity = -1;
    private double departs;
    private double arrives;
    private double returnDeparts;
    private double returnArrives;
    private boolean impossibleTravelArmed;
    private long lastSkim = -1;
    private int emitted;
    /** The next transaction this card emits, or null when it has none before the end. */
    Draft next;

    /**
     * @param startEpochSecond first instant of the run
     * @param endEpochSecond end instant of the run (exclusive); {@link Long#MAX_VALUE} for none
     */
    CardActivity(World world, CardProfile profile, SimulatorConfig config, CompromiseSchedule compromises,
            long startEpochSecond, long endEpochSecond) {
        this.world = world;
        this.profile = profile;
        this.compromises = compromises;
        this.localOffset = SolarTime.offsetSeconds(profile.holder.homeLon());
        // The card's local clock covers exactly the instants [start, end).
        this.end = endEpochSecond == Long.MAX_VALUE ? Long.MAX_VALUE : endEpochSecond + localOffset;
        this.r = Rng.stream(config.seed(), Rng.CARD_ACTIVITY, profile.index);
        double start = startEpochSecond + localOffset;
        for (int i = 0; i < LOCAL.length; i++) {
            double share = config.effectiveShare(LOCAL[i]);
            double perDay = share * profile.dailyRate / LOCAL[i].meanTransactionsPerEpisode();
            episodeMeanGap[i] = perDay > 0 ? DAY / perDay : Double.POSITIVE_INFINITY;
            nextEpisode[i] = start + Rng.exponential(r, episodeMeanGap[i]);
        }
        nextTrip = start + Rng.exponential(r, DAY / profile.travelRate);
        nextGenuine = start + candidateGap();
        advance();
    }

    /** The instant (epoch second) a draft of this card is emitted at. */
    long instantOf(Draft d) {
        return SolarTime.toInstant(d.time, localOffset);
    }

    /** Sequence number for the next emitted transaction of this card (0, 1, ...). */
    int takeSequence() {
        return emitted++;
    }

    /** Computes {@link #next}. */
    void advance() {
        next = null;
        while (true) {
            double tScheduled = scheduled == null || scheduled.isEmpty() ? Double.POSITIVE_INFINITY : scheduled.peek().time;
            int episode = 0;
            for (int i = 1; i < LOCAL.length; i++) {
                if (nextEpisode[i] < nextEpisode[episode]) {
                    episode = i;
                }
            }
            double tEpisode = nextEpisode[episode];
            double t = Math.min(Math.min(tScheduled, tEpisode), Math.min(nextTrip, nextGenuine));
            if (t >= end) {
                return;
            }
            if (t == tScheduled) {
                next = scheduled.poll();
                return;
            }
            if (t == tEpisode) {
                startEpisode(LOCAL[episode], t);
                nextEpisode[episode] = t + Rng.exponential(r, episodeMeanGap[episode]);
                continue;
            }
            if (t == nextTrip) {
                startTrip(t);
                continue;
            }
            nextGenuine = t + candidateGap();
            Draft d = genuine(t);
            if (d != null) {
                next = d;
                return;
            }
        }
    }

    // ---------------------------------------------------------------- genuine spending

    private double candidateGap() {
        return Rng.exponential(r, DAY / (profile.dailyRate * RHYTHM_MAX));
    }

    /** A genuine transaction at {@code t}, or null when the thinning rejects it or the cardholder is in the air. */
    private Draft genuine(double t) {
        if (r.nextDouble() * RHYTHM_MAX >= RHYTHM[hourOf(t)]) {
            return null;
        }
        if (tripCity >= 0 && t >= returnArrives) {
            tripCity = -1;
        }
        boolean inAir = tripCity >= 0 && ((t >= departs && t < arrives) || (t >= returnDeparts && t < returnArrives));
        if (inAir) {
            return null;
        }
        boolean away = tripCity >= 0 && t >= arrives && t < returnDeparts;
        Category c = Category.values()[Rng.pick(r, profile.categoryCumulative)];
        double dollars = Rng.logNormal(r, c.medianAmount() * profile.spendLevel, c.logSigma());
        Draft d = draft(t, null, c, Math.max(1.0, Math.min(10_000, dollars)));
        if (c.online()) {
            int[] favourites = profile.favourites[c.ordinal()];
            d.merchant = r.nextDouble() < World.ONLINE_FAVOURITE_SHARE
                    ? favourites[r.nextInt(favourites.length)]
                    : zipfPick(world.onlineMerchants[c.ordinal()]);
            d.channel = Channel.ONLINE;
            d.terminalId = profile.devices[r.nextDouble() < 0.85 ? 0 : 1];
            return d;
        }
        if (!away && r.nextDouble() < World.FAVOURITE_SHARE) {
            int[] favourites = profile.favourites[c.ordinal()];
            d.merchant = favourites[r.nextInt(favourites.length)];
        } else {
            d.merchant = zipfPick(world.cityMerchants[away ? tripCity : profile.homeCity][c.ordinal()]);
        }
        int terminal = world.firstTerminal[d.merchant] + r.nextInt(world.terminalCount[d.merchant]);
        d.terminalId = world.terminalId(terminal);
        d.channel = d.amountMinor < 100_00 && r.nextDouble() < 0.45 ? Channel.CONTACTLESS : Channel.CARD_PRESENT;
        if (!away && impossibleTravelArmed) {
            impossibleTravelArmed = false;
            impossibleTravel(t);
        }
        if (compromises.enabled()) {
            long compromise = compromises.activeOn(terminal, instantOf(d)); // a skimmer works in real time
            if (compromise >= 0 && compromise != lastSkim && r.nextDouble() < CompromiseSchedule.SKIM_PROBABILITY) {
                lastSkim = compromise;
                compromisedCardUsed(t);
            }
        }
        return d;
    }

    private void startTrip(double t) {
        // Pick a destination: mostly domestic, sometimes abroad; never home.
        int destination;
        do {
            destination = r.nextDouble() < 0.9 ? r.nextInt(City.US.size()) : City.US.size() + r.nextInt(City.ABROAD.size());
        } while (destination == profile.homeCity);
        City home = City.US.get(profile.homeCity);
        City dest = City.ALL.get(destination);
        double flight = (City.distanceKm(home.lat(), home.lon(), dest.lat(), dest.lon()) / FLIGHT_KMH + 1.5) * HOUR;
        tripCity = destination;
        departs = t + Rng.uniform(r, 1, 3) * HOUR;
        arrives = departs + flight;
        returnDeparts = arrives + Rng.uniform(r, 2, 8) * DAY;
        returnArrives = returnDeparts + flight;
        nextTrip = returnArrives + Rng.exponential(r, DAY / profile.travelRate);
        // Airport or taxi before leaving, hotel or car rental on arrival: genuine, card-present, travel.
        schedule(cardPresentAt(t + Rng.uniform(r, 0, 1) * HOUR, null, Category.TRAVEL, profile.homeCity,
                Rng.logNormal(r, 45, 0.6)));
        schedule(cardPresentAt(arrives + Rng.uniform(r, 0.5, 2) * HOUR, null, Category.TRAVEL, destination,
                Rng.logNormal(r, 180 * profile.spendLevel, 0.6)));
    }

    // ---------------------------------------------------------------- fraud

    private void startEpisode(FraudScenario scenario, double t) {
        switch (scenario) {
            case CARD_TESTING -> cardTesting(t);
            case IMPOSSIBLE_TRAVEL -> impossibleTravelArmed = true; // fires after the next home-area purchase
            case ACCOUNT_TAKEOVER -> accountTakeover(t);
            case NIGHT_HIGH_AMOUNT -> nightHighAmount(t);
            default -> throw new IllegalStateException("not a card-local scenario: " + scenario);
        }
    }

    /** Tiny online amounts seconds apart from a new device, then sometimes the real purchase. */
    private void cardTesting(double t) {
        FraudScenario s = FraudScenario.CARD_TESTING;
        String device = newDevice();
        int n = Rng.between(r, 3, 8);
        int[] merchants = {randomOnline(Category.MISC_NET), randomOnline(r.nextBoolean() ? Category.MISC_NET : Category.SHOPPING_NET)};
        double at = t;
        for (int i = 0; i < n; i++) {
            double dollars = r.nextDouble() < 0.3 ? 1.00 : Rng.uniform(r, 0.50, 2.99);
            int m = merchants[i < n / 2 ? 0 : 1];
            schedule(online(at, s, m, device, dollars));
            at += Rng.uniform(r, 5, 120);
        }
        if (r.nextDouble() < 0.3) {
            at += Rng.uniform(r, 5, 60) * 60;
            schedule(online(at, s, randomOnline(Category.SHOPPING_NET), device,
                    Math.min(3_000, Rng.logNormal(r, 400, 0.5))));
        }
    }

    /** A cloned card used far away shortly after the genuine card was used at home. */
    private void impossibleTravel(double t) {
        FraudScenario s = FraudScenario.IMPOSSIBLE_TRAVEL;
        City home = City.US.get(profile.homeCity);
        int[] far = new int[City.ALL.size()];
        int count = 0;
        for (int i = 0; i < City.ALL.size(); i++) {
            City c = City.ALL.get(i);
            if (City.distanceKm(home.lat(), home.lon(), c.lat(), c.lon()) >= IMPOSSIBLE_TRAVEL_MIN_KM) {
                far[count++] = i;
            }
        }
        int city = far[r.nextInt(count)];
        Category[] categories = {Category.SHOPPING_POS, Category.MISC_POS, Category.GROCERY_POS, Category.GAS_TRANSPORT,
            Category.TRAVEL};
        double at = t + Rng.uniform(r, 10, 90) * 60;
        int n = Rng.between(r, 1, 3);
        for (int i = 0; i < n; i++) {
            Category c = categories[r.nextInt(categories.length)];
            double dollars = Math.max(20, Math.min(3_000, Rng.logNormal(r, 250, 0.6)));
            Draft d = cardPresentAt(at, s, c, city, dollars);
            d.channel = Channel.CARD_PRESENT;
            schedule(d);
            at += Rng.uniform(r, 5, 60) * 60;
        }
    }

    /** Online spend spike at merchants the card never used, from a device it never used. */
    private void accountTakeover(double t) {
        FraudScenario s = FraudScenario.ACCOUNT_TAKEOVER;
        String device = newDevice();
        int n = Rng.between(r, 3, 8);
        double window = Rng.uniform(r, 2, 24) * HOUR;
        double[] times = sortedTimes(t, window, n);
        for (double at : times) {
            double p = r.nextDouble();
            Category c = p < 0.6 ? Category.SHOPPING_NET : p < 0.9 ? Category.MISC_NET : Category.GROCERY_NET;
            int m = randomOnline(c);
            for (int attempt = 0; attempt < 5 && isFavourite(c, m); attempt++) {
                m = randomOnline(c);
            }
            double dollars = Math.min(5_000, 60 * profile.spendLevel * Rng.uniform(r, 4, 12));
            schedule(online(at, s, m, device, dollars));
        }
    }

    /** Large amounts in the small hours (cardholder-local 00:00-05:00), near home or online. */
    private void nightHighAmount(double t) {
        FraudScenario s = FraudScenario.NIGHT_HIGH_AMOUNT;
        long second = (long) Math.floor(t);
        long midnight = Math.floorDiv(second, DAY) * DAY;
        double from = second - midnight < 5 * HOUR ? t : midnight + DAY;
        double to = Math.floorDiv((long) Math.floor(from), DAY) * DAY + 5 * HOUR;
        String device = newDevice();
        int n = Rng.between(r, 1, 4);
        for (double at : sortedTimes(from, to - from, n)) {
            double dollars = Math.max(250, Math.min(2_500, Rng.logNormal(r, 600, 0.5)));
            double p = r.nextDouble();
            if (p < 0.25) {
                schedule(online(at, s, randomOnline(Category.SHOPPING_NET), device, dollars));
            } else if (p < 0.4) {
                schedule(online(at, s, randomOnline(Category.MISC_NET), device, dollars));
            } else {
                Category c = p < 0.75 ? Category.SHOPPING_POS : p < 0.9 ? Category.MISC_POS : Category.GROCERY_POS;
                schedule(cardPresentAt(at, s, c, profile.homeCity, dollars));
            }
        }
    }

    /** The card was skimmed at {@code t}: the copy is used 1-5 days later, cloned elsewhere or online. */
    private void compromisedCardUsed(double t) {
        FraudScenario s = FraudScenario.COMPROMISED_MERCHANT;
        double start = t + Rng.uniform(r, 1, 5) * DAY;
        int n = Rng.between(r, 2, 6);
        int city;
        do {
            city = r.nextInt(City.US.size());
        } while (city == profile.homeCity);
        String device = newDevice();
        Category[] present = {Category.GROCERY_POS, Category.SHOPPING_POS, Category.MISC_POS, Category.GAS_TRANSPORT};
        for (double at : sortedTimes(start, Rng.uniform(r, 1, 36) * HOUR, n)) {
            double dollars = Math.max(10, Math.min(3_000, Rng.logNormal(r, 180, 0.7)));
            if (r.nextDouble() < 0.7) {
                Draft d = cardPresentAt(at, s, present[r.nextInt(present.length)], city, dollars);
                d.channel = Channel.CARD_PRESENT; // a magnetic-stripe clone cannot tap
                schedule(d);
            } else {
                schedule(online(at, s, randomOnline(r.nextBoolean() ? Category.SHOPPING_NET : Category.MISC_NET), device,
                        dollars));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private Draft draft(double t, FraudScenario scenario, Category category, double dollars) {
        Draft d = new Draft();
        d.time = (long) Math.floor(t);
        d.order = drafts++;
        d.scenario = scenario;
        d.category = category;
        d.amountMinor = Math.max(1, Math.round(dollars * 100));
        return d;
    }

    private Draft online(double t, FraudScenario scenario, int merchant, String device, double dollars) {
        Draft d = draft(t, scenario, world.merchants.get(merchant).category(), dollars);
        d.merchant = merchant;
        d.channel = Channel.ONLINE;
        d.terminalId = device;
        return d;
    }

    /** A card-present purchase at a random merchant of {@code category} in {@code city}. */
    private Draft cardPresentAt(double t, FraudScenario scenario, Category category, int city, double dollars) {
        Draft d = draft(t, scenario, category, dollars);
        int[] pool = world.cityMerchants[city][category.ordinal()];
        d.merchant = scenario == null ? zipfPick(pool) : pool[r.nextInt(pool.length)];
        d.terminalId = world.terminalId(world.firstTerminal[d.merchant] + r.nextInt(world.terminalCount[d.merchant]));
        d.channel = d.amountMinor < 100_00 && r.nextDouble() < 0.45 ? Channel.CONTACTLESS : Channel.CARD_PRESENT;
        return d;
    }

    private void schedule(Draft d) {
        if (scheduled == null) {
            scheduled = new PriorityQueue<>(8, (a, b) -> a.time != b.time ? Long.compare(a.time, b.time)
                    : Long.compare(a.order, b.order));
        }
        scheduled.add(d);
    }

    private int zipfPick(int[] pool) {
        return pool[Rng.pick(r, World.zipfCumulative(pool.length))];
    }

    private int randomOnline(Category c) {
        int[] pool = world.onlineMerchants[c.ordinal()];
        return pool[r.nextInt(pool.length)];
    }

    private boolean isFavourite(Category c, int merchant) {
        for (int f : profile.favourites[c.ordinal()]) {
            if (f == merchant) {
                return true;
            }
        }
        return false;
    }

    private String newDevice() {
        return CardProfile.deviceId(r.nextLong());
    }

    private double[] sortedTimes(double from, double span, int n) {
        double[] times = new double[n];
        times[0] = from;
        for (int i = 1; i < n; i++) {
            times[i] = from + r.nextDouble() * span;
        }
        java.util.Arrays.sort(times);
        return times;
    }

    static int hourOf(double epochSecond) {
        return (int) (Math.floorMod((long) Math.floor(epochSecond), DAY) / HOUR);
    }

    private static double[] normalise(double[] w) {
        double sum = 0;
        for (double v : w) {
            sum += v;
        }
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] * w.length / sum;
        }
        return out;
    }

    private static double max(double[] w) {
        double m = 0;
        for (double v : w) {
            m = Math.max(m, v);
        }
        return m;
    }
}
