package io.fraudstream.simulator;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The simulated data set of Le Borgne et al., <em>Reproducible Machine Learning for Credit Card Fraud Detection –
 * Practical Handbook</em>, chapter 3 ("the Handbook profile"), generated as the handbook's Python generator does
 * it, with the project's own deterministic random streams instead of NumPy's (same distributions, not the same
 * numbers):
 *
 * <ul>
 *   <li>customers: location x, y uniform on [0, 100]², mean amount U(5, 100), amount sd = mean / 2, mean
 *       transactions a day U(0, 4); terminals: x, y uniform on [0, 100]²; a customer uses the terminals at
 *       distance &lt; {@code radius} (5), picked uniformly;
 *   <li>each day a Poisson number of transactions, time of day normal around noon (sd 20,000 s; draws outside the
 *       day are dropped), amount normal (mean, sd) with a negative draw replaced by U(0, 2 × mean), cents;
 *   <li>scenario 1 ({@link #AMOUNT}): every amount &gt; 220 is fraud; scenario 2 ({@link #TERMINAL}): each day
 *       two random terminals are compromised for 28 days, every transaction there is fraud; scenario 3
 *       ({@link #CUSTOMER}): each day three random customers are compromised for 14 days, a third of their
 *       transactions in that window (drawn at random) have their amount multiplied by 5 and are fraud. Later
 *       scenarios override earlier ones, and compromises start on days 0 .. days − 2, as in the handbook.
 * </ul>
 *
 * <p>The handbook's data set is {@link Config#handbook(long)}: 5,000 customers, 10,000 terminals, 183 days
 * from 2018-04-01 (1.75 M transactions, about 0.8 % fraud). Deterministic: the same config gives the same data.
 */
public final class HandbookSimulator {

    /** Scenario name of the handbook's scenario 1 (amount over 220). */
    public static final String AMOUNT = "HANDBOOK_AMOUNT";
    /** Scenario name of the handbook's scenario 2 (compromised terminal, 28 days). */
    public static final String TERMINAL = "HANDBOOK_TERMINAL";
    /** Scenario name of the handbook's scenario 3 (compromised customer, 14 days, a third of amounts x5). */
    public static final String CUSTOMER = "HANDBOOK_CUSTOMER";

    static final String[] SCENARIOS = {null, AMOUNT, TERMINAL, CUSTOMER};

    private static final long CUSTOMERS = 101;
    private static final long TERMINALS = 102;
    private static final long TRANSACTIONS = 103;
    private static final long COMPROMISED_TERMINALS = 104;
    private static final long COMPROMISED_CUSTOMERS = 105;
    private static final long CUSTOMER_FRAUDS = 106;

    /**
     * @param seed random seed
     * @param customers number of customers (cards)
     * @param terminals number of terminals
     * @param days number of simulated days
     * @param start the first day (UTC midnight)
     * @param radius a customer's terminals are those closer than this (grid units; the grid is 100 × 100)
     */
    public record Config(long seed, int customers, int terminals, int days, LocalDate start, double radius) {
        public Config {
            if (customers < 1) {
                throw new InvalidSettingException("simulator.handbook.customers", "simulator.handbook.customers must be at least 1, was " + customers);
            }
            if (terminals < 1) {
                throw new InvalidSettingException("simulator.handbook.terminals", "simulator.handbook.terminals must be at least 1, was " + terminals);
            }
            if (days < 1) {
                throw new InvalidSettingException("simulator.handbook.days", "simulator.handbook.days must be at least 1, was " + days);
            }
            if (!(radius > 0)) {
                throw new InvalidSettingException("simulator.handbook.radius", "simulator.handbook.radius must be positive, was " + radius);
            }
            if (start == null) {
                throw new InvalidSettingException("simulator.handbook.start", "simulator.handbook.start is required");
            }
        }

        /** The handbook's data set: 5,000 customers, 10,000 terminals, 183 days from 2018-04-01, radius 5. */
        public static Config handbook(long seed) {
            return new Config(seed, 5_000, 10_000, 183, LocalDate.of(2018, 4, 1), 5.0);
        }
    }

    private final Config config;

    public HandbookSimulator(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Generates the whole data set (in memory, columnar: about 30 bytes a transaction). */
    public HandbookData generate() {
        long seed = config.seed();
        int nc = config.customers();
        int nt = config.terminals();
        int days = config.days();

        double[] cx = new double[nc];
        double[] cy = new double[nc];
        double[] meanAmount = new double[nc];
        double[] txPerDay = new double[nc];
        for (int c = 0; c < nc; c++) {
            SplittableRandom r = Rng.stream(seed, CUSTOMERS, c);
            cx[c] = Rng.uniform(r, 0, 100);
            cy[c] = Rng.uniform(r, 0, 100);
            meanAmount[c] = Rng.uniform(r, 5, 100);
            txPerDay[c] = Rng.uniform(r, 0, 4);
        }
        double[] tx = new double[nt];
        double[] ty = new double[nt];
        for (int t = 0; t < nt; t++) {
            SplittableRandom r = Rng.stream(seed, TERMINALS, t);
            tx[t] = Rng.uniform(r, 0, 100);
            ty[t] = Rng.uniform(r, 0, 100);
        }

        // Terminals within the radius, through a grid of radius-sized cells.
        double radius = config.radius();
        int cells = Math.max(1, (int) Math.ceil(100.0 / radius));
        int[][] cellTerminals = new int[cells * cells][];
        int[] cellCount = new int[cells * cells];
        for (int t = 0; t < nt; t++) {
            cellCount[cell(tx[t], ty[t], radius, cells)]++;
        }
        for (int i = 0; i < cellTerminals.length; i++) {
            cellTerminals[i] = new int[cellCount[i]];
            cellCount[i] = 0;
        }
        for (int t = 0; t < nt; t++) {
            int k = cell(tx[t], ty[t], radius, cells);
            cellTerminals[k][cellCount[k]++] = t;
        }

        Columns out = new Columns(Math.max(16, (int) Math.min(Integer.MAX_VALUE - 16, (long) nc * days * 2)));
        int[] customerFirst = new int[nc + 1];
        int[] near = new int[64];
        for (int c = 0; c < nc; c++) {
            customerFirst[c] = out.size;
            int nearCount = 0;
            int gx = Math.min(cells - 1, (int) (cx[c] / radius));
            int gy = Math.min(cells - 1, (int) (cy[c] / radius));
            for (int dx = -1; dx <= 1; dx++) {
                for (int dy = -1; dy <= 1; dy++) {
                    int x = gx + dx;
                    int y = gy + dy;
                    if (x < 0 || y < 0 || x >= cells || y >= cells) {
                        continue;
                    }
                    for (int t : cellTerminals[y * cells + x]) {
                        double ddx = cx[c] - tx[t];
                        double ddy = cy[c] - ty[t];
                        if (Math.sqrt(ddx * ddx + ddy * ddy) < radius) {
                            if (nearCount == near.length) {
                                near = Arrays.copyOf(near, near.length * 2);
                            }
                            near[nearCount++] = t;
                        }
                    }
                }
            }
            Arrays.sort(near, 0, nearCount);
            SplittableRandom r = Rng.stream(seed, TRANSACTIONS, c);
            double mean = meanAmount[c];
            double sd = mean / 2;
            for (int day = 0; day < days; day++) {
                int n = Rng.poisson(r, txPerDay[c]);
                for (int i = 0; i < n; i++) {
                    int time = (int) (86_400 / 2 + 20_000 * r.nextGaussian());
                    if (time <= 0 || time >= 86_400) {
                        continue;
                    }
                    double amount = mean + sd * r.nextGaussian();
                    if (amount < 0) {
                        amount = Rng.uniform(r, 0, 2 * mean);
                    }
                    long cents = Math.round(amount * 100);
                    if (nearCount > 0) {
                        int terminal = near[r.nextInt(nearCount)];
                        out.add(c, terminal, (long) day * 86_400 + time, cents);
                    }
                }
            }
        }
        customerFirst[nc] = out.size;
        int n = out.size;
        byte[] scenario = new byte[n];

        // Scenario 1: amount > 220.
        for (int i = 0; i < n; i++) {
            if (out.cents[i] > 22_000) {
                scenario[i] = 1;
            }
        }
        // Scenario 2: 2 terminals a day, compromised for 28 days.
        boolean[] compromisedTerminalDay = new boolean[nt * days];
        for (int day = 0; day < days - 1; day++) {
            SplittableRandom r = Rng.stream(seed, COMPROMISED_TERMINALS, day);
            for (int t : distinct(r, nt, Math.min(2, nt))) {
                for (int d = day; d < Math.min(days, day + 28); d++) {
                    compromisedTerminalDay[t * days + d] = true;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (compromisedTerminalDay[out.terminal[i] * days + (int) (out.seconds[i] / 86_400)]) {
                scenario[i] = 2;
            }
        }
        // Scenario 3: 3 customers a day, compromised for 14 days: a third of their transactions in the window x5.
        int[] window = new int[256];
        for (int day = 0; day < days - 1; day++) {
            SplittableRandom r = Rng.stream(seed, COMPROMISED_CUSTOMERS, day);
            int w = 0;
            for (int c : distinct(r, nc, Math.min(3, nc))) {
                for (int i = customerFirst[c]; i < customerFirst[c + 1]; i++) {
                    long d = out.seconds[i] / 86_400;
                    if (d >= day && d < day + 14) {
                        if (w == window.length) {
                            window = Arrays.copyOf(window, w * 2);
                        }
                        window[w++] = i;
                    }
                }
            }
            int k = w / 3;
            SplittableRandom pick = Rng.stream(seed, CUSTOMER_FRAUDS, day);
            for (int j = 0; j < k; j++) { // partial Fisher-Yates: k distinct of the w
                int s = j + pick.nextInt(w - j);
                int tmp = window[j];
                window[j] = window[s];
                window[s] = tmp;
                int i = window[j];
                out.cents[i] *= 5;
                scenario[i] = 3;
            }
        }

        // Event-time order (ties: customer, then generation order).
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Math.addExact(Math.multiplyExact(out.seconds[i], (long) n), i);
        }
        Arrays.sort(keys);
        int[] customer = new int[n];
        int[] terminal = new int[n];
        long[] seconds = new long[n];
        long[] cents = new long[n];
        byte[] sc = new byte[n];
        for (int j = 0; j < n; j++) {
            int i = (int) (keys[j] % n);
            customer[j] = out.customer[i];
            terminal[j] = out.terminal[i];
            seconds[j] = out.seconds[i];
            cents[j] = out.cents[i];
            sc[j] = scenario[i];
        }
        return new HandbookData(config, customer, terminal, seconds, cents, sc, cx, cy, tx, ty);
    }

    private static int cell(double x, double y, double radius, int cells) {
        int gx = Math.min(cells - 1, (int) (x / radius));
        int gy = Math.min(cells - 1, (int) (y / radius));
        return gy * cells + gx;
    }

    /** {@code k} distinct indices of {@code [0, n)}. */
    private static int[] distinct(SplittableRandom r, int n, int k) {
        int[] out = new int[k];
        int m = 0;
        while (m < k) {
            int v = r.nextInt(n);
            boolean seen = false;
            for (int j = 0; j < m; j++) {
                seen |= out[j] == v;
            }
            if (!seen) {
                out[m++] = v;
            }
        }
        return out;
    }

    /** Growable columns of the generation pass. */
    private static final class Columns {
        int size;
        int[] customer;
        int[] terminal;
        long[] seconds;
        long[] cents;

        Columns(int capacity) {
            customer = new int[capacity];
            terminal = new int[capacity];
            seconds = new long[capacity];
            cents = new long[capacity];
        }

        void add(int c, int t, long s, long a) {
            if (size == customer.length) {
                int cap = (int) Math.min(Integer.MAX_VALUE - 16, size * 3L / 2 + 16);
                customer = Arrays.copyOf(customer, cap);
                terminal = Arrays.copyOf(terminal, cap);
                seconds = Arrays.copyOf(seconds, cap);
                cents = Arrays.copyOf(cents, cap);
            }
            customer[size] = c;
            terminal[size] = t;
            seconds[size] = s;
            cents[size] = a;
            size++;
        }
    }
}
