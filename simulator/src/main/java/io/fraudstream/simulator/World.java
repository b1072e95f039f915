package io.fraudstream.simulator;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The static part of a simulation, built once from the seed: merchants with their terminals, and the
 * card profiles. Immutable after construction and shared by every iteration of a {@link Simulator}.
 */
final class World {

    /** Share of a card's in-category card-present spending at its favourite merchants when at home. */
    static final double FAVOURITE_SHARE = 0.8;
    static final double ONLINE_FAVOURITE_SHARE = 0.85;
    static final int FAVOURITES_PER_CATEGORY = 2;
    static final int ONLINE_MERCHANTS_PER_CATEGORY = 30;

    final long seed;
    final List<Merchant> merchants;
    /** [city][category ordinal] merchant indices, in popularity order; null for online categories. */
    final int[][][] cityMerchants;
    /** [category ordinal] online merchant indices, in popularity order; null for card-present categories. */
    final int[][] onlineMerchants;
    /** Global terminal index of each merchant's first terminal (-1 online), and the count. */
    final int[] firstTerminal;
    final int[] terminalCount;
    /** Terminal index to merchant index. */
    final int[] terminalMerchant;
    final CardProfile[] cards;
    /** Sum of the cards' expected genuine transactions per day. */
    final double dailyTransactions;

    World(long seed, int cardCount) {
        this.seed = seed;
        SplittableRandom mr = Rng.stream(seed, Rng.MERCHANTS, 0);
        List<Merchant> ms = new ArrayList<>();
        List<Integer> terminalOwners = new ArrayList<>();
        List<Integer> first = new ArrayList<>();
        List<Integer> count = new ArrayList<>();
        Category[] categories = Category.values();
        cityMerchants = new int[City.ALL.size()][][];
        for (int ci = 0; ci < City.ALL.size(); ci++) {
            City city = City.ALL.get(ci);
            int perCategory = !city.domestic() ? 4 : city.population() >= 1_000_000 ? 8 : city.population() >= 200_000 ? 6 : 4;
            cityMerchants[ci] = new int[categories.length][];
            for (Category c : categories) {
                if (c.online()) {
                    continue;
                }
                int[] idx = new int[perCategory];
                for (int k = 0; k < perCategory; k++) {
                    int m = ms.size();
                    String id = merchantId(m);
                    int terminals = Rng.between(mr, 1, 3);
                    List<String> tids = new ArrayList<>(terminals);
                    first.add(terminalOwners.size());
                    count.add(terminals);
                    for (int t = 1; t <= terminals; t++) {
                        tids.add("term-" + id.substring("merch-".length()) + "-" + t);
                        terminalOwners.add(m);
                    }
                    double lat = clampLat(city.lat() + Rng.uniform(mr, -0.2, 0.2));
                    double lon = wrapLon(city.lon() + Rng.uniform(mr, -0.2, 0.2));
                    ms.add(new Merchant(id, Names.merchantName(m), c, round6(lat), round6(lon), city.name(),
                            city.country(), List.copyOf(tids)));
                    idx[k] = m;
                }
                cityMerchants[ci][c.ordinal()] = idx;
            }
        }
        onlineMerchants = new int[categories.length][];
        for (Category c : categories) {
            if (!c.online()) {
                continue;
            }
            int[] idx = new int[ONLINE_MERCHANTS_PER_CATEGORY];
            for (int k = 0; k < idx.length; k++) {
                int m = ms.size();
                first.add(-1);
                count.add(0);
                ms.add(new Merchant(merchantId(m), Names.merchantName(m), c, null, null, null, "US", List.of()));
                idx[k] = m;
            }
            onlineMerchants[c.ordinal()] = idx;
        }
        merchants = List.copyOf(ms);
        firstTerminal = first.stream().mapToInt(Integer::intValue).toArray();
        terminalCount = count.stream().mapToInt(Integer::intValue).toArray();
        terminalMerchant = terminalOwners.stream().mapToInt(Integer::intValue).toArray();

        double[] homeWeights = new double[City.US.size()];
        for (int i = 0; i < homeWeights.length; i++) {
            homeWeights[i] = Math.sqrt(City.US.get(i).population());
        }
        double[] homeCumulative = Rng.cumulative(homeWeights);
        cards = new CardProfile[cardCount];
        double daily = 0;
        for (int i = 0; i < cardCount; i++) {
            cards[i] = card(i, Rng.stream(seed, Rng.CARD_PROFILE, i), homeCumulative);
            daily += cards[i].dailyRate;
        }
        dailyTransactions = daily;
    }

    static String merchantId(int index) {
        return "merch-" + pad6(index + 1);
    }

    static String cardId(int index) {
        return "card-" + pad6(index + 1);
    }

    static String accountId(int index) {
        return "acct-" + pad6(index + 1);
    }

    /** Six digits at least, more when needed; never a card-number-like string (always prefixed). */
    static String pad6(int n) {
        String s = Integer.toString(n);
        return s.length() >= 6 ? s : "000000".substring(s.length()) + s;
    }

    private static final double[][] ZIPF = new double[ONLINE_MERCHANTS_PER_CATEGORY + 1][];

    static {
        for (int n = 1; n < ZIPF.length; n++) {
            ZIPF[n] = computeZipf(n);
        }
    }

    /** Popularity weights 1, 1/2, 1/3, ... as cumulative array (shared; do not modify). */
    static double[] zipfCumulative(int n) {
        return n < ZIPF.length ? ZIPF[n] : computeZipf(n);
    }

    private static double[] computeZipf(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 1.0 / (i + 1);
        }
        return Rng.cumulative(w);
    }

    private CardProfile card(int index, SplittableRandom r, double[] homeCumulative) {
        int homeCity = Rng.pick(r, homeCumulative);
        City city = City.US.get(homeCity);
        boolean female = r.nextBoolean();
        String first = female ? Names.FEMALE.get(r.nextInt(Names.FEMALE.size())) : Names.MALE.get(r.nextInt(Names.MALE.size()));
        String last = Names.LAST.get(r.nextInt(Names.LAST.size()));
        String street = Rng.between(r, 1, 99_999) + " " + Names.STREET_NAMES.get(r.nextInt(Names.STREET_NAMES.size()))
                + " " + Names.STREET_SUFFIXES.get(r.nextInt(Names.STREET_SUFFIXES.size()));
        int age = Rng.between(r, 18, 90);
        LocalDate dob = LocalDate.of(2000, 1, 1).minusYears(age - 25L).plusDays(r.nextInt(365));
        String job = Names.JOBS.get(r.nextInt(Names.JOBS.size()));
        double lat = round4(clampLat(city.lat() + Rng.uniform(r, -0.1, 0.1)));
        double lon = round4(wrapLon(city.lon() + Rng.uniform(r, -0.1, 0.1)));
        int birthYearAge = 2025 - dob.getYear();
        String ageBand = birthYearAge < 25 ? "young_adults" : birthYearAge < 50 ? "adults_2550" : "adults_50up";
        String profile = ageBand + "_" + (female ? "female" : "male") + "_" + (city.population() >= 100_000 ? "urban" : "rural")
                + ".json";
        Cardholder holder = new Cardholder(cardId(index), accountId(index), first, last, female ? "F" : "M", street,
                city.name(), city.state(), city.zip(), lat, lon, city.population(), job, dob, profile);

        double dailyRate = Math.min(12, Math.max(0.3, Rng.logNormal(r, 2.3, 0.45)));
        double spendLevel = Math.min(4, Math.max(0.25, Rng.logNormal(r, 1.0, 0.35)));
        Category[] categories = Category.values();
        double[] weights = new double[categories.length];
        for (Category c : categories) {
            weights[c.ordinal()] = c.weight() * Math.exp(0.6 * r.nextGaussian());
        }
        int[][] favourites = new int[categories.length][];
        for (Category c : categories) {
            int[] pool = c.online() ? onlineMerchants[c.ordinal()] : cityMerchants[homeCity][c.ordinal()];
            double[] zipf = zipfCumulative(pool.length);
            int[] fav = new int[FAVOURITES_PER_CATEGORY];
            for (int k = 0; k < fav.length; k++) {
                fav[k] = pool[Rng.pick(r, zipf)];
            }
            favourites[c.ordinal()] = fav;
        }
        String[] devices = {CardProfile.deviceId(r.nextLong()), CardProfile.deviceId(r.nextLong())};
        double travelRate = Rng.logNormal(r, 1.0 / 90, 0.5);
        return new CardProfile(index, holder, homeCity, dailyRate, spendLevel, Rng.cumulative(weights), favourites,
                devices, travelRate);
    }

    /**
     * Expected genuine card-present visits per day to each terminal by cardholders at home, used to pick
     * which terminals a fraudster compromises (busy ones) and to size the compromise rate.
     */
    double[] terminalVisitRates() {
        double[] rates = new double[terminalMerchant.length];
        for (CardProfile card : cards) {
            double home = 0.97; // share of days not travelling, roughly
            for (Category c : Category.values()) {
                if (c.online()) {
                    continue;
                }
                double perDay = card.dailyRate * card.categoryProbability(c) * home;
                for (int m : card.favourites[c.ordinal()]) {
                    addVisits(rates, m, perDay * FAVOURITE_SHARE / FAVOURITES_PER_CATEGORY);
                }
                int[] pool = cityMerchants[card.homeCity][c.ordinal()];
                double[] zipf = zipfCumulative(pool.length);
                double total = zipf[zipf.length - 1];
                for (int k = 0; k < pool.length; k++) {
                    double p = (zipf[k] - (k == 0 ? 0 : zipf[k - 1])) / total;
                    addVisits(rates, pool[k], perDay * (1 - FAVOURITE_SHARE) * p);
                }
            }
        }
        return rates;
    }

    private void addVisits(double[] rates, int merchant, double perDay) {
        int n = terminalCount[merchant];
        for (int t = 0; t < n; t++) {
            rates[firstTerminal[merchant] + t] += perDay / n;
        }
    }

    /** Inverse of {@link #terminalId(int)}: {@code term-000123-2} to its global terminal index. */
    int terminalIndex(String terminalId) {
        int dash = terminalId.lastIndexOf('-');
        int merchant = Integer.parseInt(terminalId.substring("term-".length(), dash)) - 1;
        return firstTerminal[merchant] + Integer.parseInt(terminalId.substring(dash + 1)) - 1;
    }

    String terminalId(int terminal) {
        int m = terminalMerchant[terminal];
        return merchants.get(m).terminalIds().get(terminal - firstTerminal[m]);
    }

    static double clampLat(double lat) {
        return Math.max(-90, Math.min(90, lat));
    }

    static double wrapLon(double lon) {
        return lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
    }

    static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "World[%d merchants, %d terminals, %d cards]", merchants.size(),
                terminalMerchant.length, cards.length);
    }
}
