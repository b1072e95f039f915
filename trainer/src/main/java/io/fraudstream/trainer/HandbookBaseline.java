package io.fraudstream.trainer;

import io.fraudstream.model.RankingMetrics;
import io.fraudstream.simulator.HandbookData;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import smile.classification.LogisticRegression;

/**
 * The baseline of the Fraud Detection Handbook (Le Borgne et al., chapters 3.4-3.5 and 4), reproduced: its 15
 * hand-made features, a logistic regression (Smile, L2, λ = 1 like scikit-learn's default {@code C = 1}) on
 * standardized features, its train/delay/test protocol, and its figures (AUC, average precision, card
 * precision@100). Used to check that the Handbook simulator profile is the handbook's data (docs/TRAINER.md).
 *
 * <p>Features of a transaction at time {@code t} (pandas' time-based rolling windows, current row included):
 * amount; weekend (Saturday or Sunday); night (hour ≤ 6); the customer's transaction count and mean amount over
 * {@code (t − w, t]} for w = 1, 7, 30 days; the terminal's transaction count and fraud ratio over
 * {@code (t − 7 d − w, t − 7 d]} (labels known after a 7-day delay; ratio 0 without transactions).
 */
public final class HandbookBaseline {

    public static final List<String> FEATURES = List.of("TX_AMOUNT", "TX_DURING_WEEKEND", "TX_DURING_NIGHT",
            "CUSTOMER_ID_NB_TX_1DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW",
            "CUSTOMER_ID_NB_TX_7DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW",
            "CUSTOMER_ID_NB_TX_30DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW",
            "TERMINAL_ID_NB_TX_1DAY_WINDOW", "TERMINAL_ID_RISK_1DAY_WINDOW",
            "TERMINAL_ID_NB_TX_7DAY_WINDOW", "TERMINAL_ID_RISK_7DAY_WINDOW",
            "TERMINAL_ID_NB_TX_30DAY_WINDOW", "TERMINAL_ID_RISK_30DAY_WINDOW");

    private static final int[] WINDOWS = {1, 7, 30};
    private static final long DAY = 86_400;

    private HandbookBaseline() {}

    /**
     * The transactions as the baseline needs them, in time order.
     *
     * @param customer customer index per transaction
     * @param terminal terminal index per transaction
     * @param seconds seconds since the first day's midnight (non-decreasing)
     * @param amount amount (major units)
     * @param fraud label
     * @param start the first day's date (weekend flag)
     */
    public record Rows(int[] customer, int[] terminal, long[] seconds, double[] amount, boolean[] fraud,
            LocalDate start) {
        public int size() {
            return customer.length;
        }

        public int day(int i) {
            return (int) (seconds[i] / DAY);
        }

        public static Rows of(HandbookData d) {
            int n = d.size();
            int[] c = new int[n];
            int[] t = new int[n];
            long[] s = new long[n];
            double[] a = new double[n];
            boolean[] f = new boolean[n];
            for (int i = 0; i < n; i++) {
                c[i] = d.customer(i);
                t[i] = d.terminal(i);
                s[i] = d.seconds(i);
                a[i] = d.amountCents(i) / 100.0;
                f[i] = d.fraud(i);
            }
            return new Rows(c, t, s, a, f, d.config().start());
        }
    }

    /**
     * The handbook's protocol: train on {@code trainDays} days from {@code trainStart}, then {@code delayDays}
     * unused (labels not yet known), then test on {@code testDays} days, without the cards known to be compromised
     * (fraud in the training window, or in the delay period before each test day).
     */
    public record Protocol(LocalDate trainStart, int trainDays, int delayDays, int testDays) {
        /** Train 2018-07-25..31, delay 7 days, test 2018-08-08..14. */
        public static Protocol handbook() {
            return new Protocol(LocalDate.of(2018, 7, 25), 7, 7, 7);
        }
    }

    /** The figures on the test window, with the sizes of both windows and the scores of the {@link #testRows}. */
    public record Result(int trainRows, int trainFrauds, int testRows, int testFrauds, double auc,
            double averagePrecision, double cardPrecisionAt100, double[] testScores) {}

    /** The 15 features of every row ({@link #FEATURES} order). */
    public static double[][] features(Rows r) {
        int[] all = new int[r.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return features(r, all);
    }

    /**
     * The 15 features ({@link #FEATURES} order) of the rows {@code wanted}, computed over all rows of {@code r}
     * (the windows look at every transaction); {@code out[j]} is row {@code wanted[j]}.
     */
    public static double[][] features(Rows r, int[] wanted) {
        int n = r.size();
        int[] slot = new int[n];
        Arrays.fill(slot, -1);
        double[][] x = new double[wanted.length][FEATURES.size()];
        DayOfWeek firstDay = r.start().getDayOfWeek();
        for (int j = 0; j < wanted.length; j++) {
            int i = wanted[j];
            slot[i] = j;
            x[j][0] = r.amount()[i];
            int dow = (firstDay.getValue() - 1 + r.day(i)) % 7; // 0 = Monday
            x[j][1] = dow >= 5 ? 1 : 0;
            x[j][2] = (r.seconds()[i] % DAY) / 3600 <= 6 ? 1 : 0;
        }
        int[][] byCustomer = groups(r.customer());
        for (int[] rows : byCustomer) {
            double[] prefix = new double[rows.length + 1];
            for (int p = 0; p < rows.length; p++) {
                prefix[p + 1] = prefix[p] + r.amount()[rows[p]];
            }
            for (int w = 0; w < WINDOWS.length; w++) {
                long span = WINDOWS[w] * DAY;
                int lo = 0;
                for (int p = 0; p < rows.length; p++) {
                    long t = r.seconds()[rows[p]];
                    while (r.seconds()[rows[lo]] <= t - span) {
                        lo++;
                    }
                    int j = slot[rows[p]];
                    if (j >= 0) {
                        int count = p - lo + 1;
                        x[j][3 + 2 * w] = count;
                        x[j][4 + 2 * w] = (prefix[p + 1] - prefix[lo]) / count;
                    }
                }
            }
        }
        int[][] byTerminal = groups(r.terminal());
        long delay = 7 * DAY;
        for (int[] rows : byTerminal) {
            int[] frauds = new int[rows.length + 1];
            for (int p = 0; p < rows.length; p++) {
                frauds[p + 1] = frauds[p] + (r.fraud()[rows[p]] ? 1 : 0);
            }
            for (int w = 0; w < WINDOWS.length; w++) {
                long span = WINDOWS[w] * DAY;
                int lo = 0; // rows with time <= t - delay - span
                int hi = 0; // rows with time <= t - delay
                for (int p = 0; p < rows.length; p++) {
                    long t = r.seconds()[rows[p]];
                    while (hi < rows.length && r.seconds()[rows[hi]] <= t - delay) {
                        hi++;
                    }
                    while (lo < rows.length && r.seconds()[rows[lo]] <= t - delay - span) {
                        lo++;
                    }
                    int j = slot[rows[p]];
                    if (j >= 0) {
                        int count = hi - lo;
                        x[j][9 + 2 * w] = count;
                        x[j][10 + 2 * w] = count == 0 ? 0 : (frauds[hi] - frauds[lo]) / (double) count;
                    }
                }
            }
        }
        return x;
    }

    /** Row indices per key, each in row order. */
    private static int[][] groups(int[] key) {
        int max = -1;
        for (int k : key) {
            max = Math.max(max, k);
        }
        int[] count = new int[max + 1];
        for (int k : key) {
            count[k]++;
        }
        int[][] out = new int[max + 1][];
        for (int k = 0; k <= max; k++) {
            out[k] = new int[count[k]];
            count[k] = 0;
        }
        for (int i = 0; i < key.length; i++) {
            out[key[i]][count[key[i]]++] = i;
        }
        return out;
    }

    /** Training rows: the days {@code [first, first + trainDays)}. */
    public static int[] trainRows(Rows r, Protocol p) {
        int first = firstDay(r, p);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.day(i) >= first && r.day(i) < first + p.trainDays()) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Test rows, as the handbook's {@code get_train_test_set}: test day {@code k} is day
     * {@code first + trainDays + delayDays + k}; a card is dropped from it when it had a fraud in the training
     * window or on any day up to {@code first + trainDays + k − 1} (what is known by then, given the delay).
     */
    public static int[] testRows(Rows r, Protocol p) {
        int first = firstDay(r, p);
        int[][] byDay = groups(dayKeys(r));
        Set<Integer> known = new HashSet<>();
        for (int d = first; d < first + p.trainDays(); d++) {
            addFrauds(r, byDay, d, known);
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < p.testDays(); k++) {
            addFrauds(r, byDay, first + p.trainDays() + k - 1, known);
            int d = first + p.trainDays() + p.delayDays() + k;
            if (d < byDay.length) {
                for (int i : byDay[d]) {
                    if (!known.contains(r.customer()[i])) {
                        out.add(i);
                    }
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void addFrauds(Rows r, int[][] byDay, int day, Set<Integer> known) {
        if (day >= 0 && day < byDay.length) {
            for (int i : byDay[day]) {
                if (r.fraud()[i]) {
                    known.add(r.customer()[i]);
                }
            }
        }
    }

    private static int[] dayKeys(Rows r) {
        int[] d = new int[r.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.day(i);
        }
        return d;
    }

    private static int firstDay(Rows r, Protocol p) {
        long first = ChronoUnit.DAYS.between(r.start(), p.trainStart());
        if (first < 0) {
            throw new IllegalArgumentException("the training window starts (" + p.trainStart()
                    + ") before the data (" + r.start() + ")");
        }
        return (int) first;
    }

    /**
     * Card precision@k as the handbook defines it (chapter 4.2): per test day, each card's score is its highest
     * transaction score and it is compromised if any of its transactions that day is fraud; precision of the
     * {@code k} highest cards; cards found compromised in an earlier day's top k are left out of later days; the
     * mean over the days present.
     */
    public static double cardPrecisionAtK(int[] day, int[] card, double[] score, boolean[] fraud, int k) {
        int[] days = Arrays.stream(day).distinct().sorted().toArray();
        Set<Integer> detected = new HashSet<>();
        double sum = 0;
        for (int d : days) {
            java.util.Map<Integer, double[]> cards = new java.util.HashMap<>(); // card -> {max score, any fraud}
            for (int i = 0; i < day.length; i++) {
                if (day[i] != d || detected.contains(card[i])) {
                    continue;
                }
                double[] c = cards.computeIfAbsent(card[i], x -> new double[] {Double.NEGATIVE_INFINITY, 0});
                c[0] = Math.max(c[0], score[i]);
                if (fraud[i]) {
                    c[1] = 1;
                }
            }
            List<java.util.Map.Entry<Integer, double[]>> ranked = new ArrayList<>(cards.entrySet());
            // highest score first; ties by card id, so the result does not depend on hash order
            ranked.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                    ? Double.compare(b.getValue()[0], a.getValue()[0]) : Integer.compare(a.getKey(), b.getKey()));
            int hits = 0;
            for (int j = 0; j < Math.min(k, ranked.size()); j++) {
                if (ranked.get(j).getValue()[1] > 0) {
                    hits++;
                    detected.add(ranked.get(j).getKey());
                }
            }
            sum += hits / (double) k;
        }
        return days.length == 0 ? Double.NaN : sum / days.length;
    }

    /** Fits the baseline on the training rows and scores the test rows. */
    public static Result run(Rows r, Protocol p, double lambda) {
        int[] train = trainRows(r, p);
        int[] test = testRows(r, p);
        if (train.length == 0 || test.length == 0) {
            throw new IllegalArgumentException("the data has no rows in the " + (train.length == 0 ? "training"
                    : "test") + " window of " + p);
        }
        int[] both = Arrays.copyOf(train, train.length + test.length);
        System.arraycopy(test, 0, both, train.length, test.length);
        double[][] xs = features(r, both);
        double[][] xTrain = Arrays.copyOfRange(xs, 0, train.length);
        double[][] xTest = Arrays.copyOfRange(xs, train.length, xs.length);
        int f = FEATURES.size();
        double[] mean = new double[f];
        double[] sd = new double[f];
        for (double[] row : xTrain) {
            for (int j = 0; j < f; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < f; j++) {
            mean[j] /= train.length;
        }
        for (double[] row : xTrain) {
            for (int j = 0; j < f; j++) {
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
        }
        for (int j = 0; j < f; j++) {
            sd[j] = Math.sqrt(sd[j] / train.length);
            if (sd[j] == 0) {
                sd[j] = 1; // as scikit-learn's StandardScaler
            }
        }
        double[][] z = new double[train.length][f];
        int[] y = new int[train.length];
        int trainFrauds = 0;
        for (int a = 0; a < train.length; a++) {
            for (int j = 0; j < f; j++) {
                z[a][j] = (xTrain[a][j] - mean[j]) / sd[j];
            }
            y[a] = r.fraud()[train[a]] ? 1 : 0;
            trainFrauds += y[a];
        }
        double[] w = LogisticRegression.binomial(z, y, lambda, 1e-5, 500).coefficients();
        double[] score = new double[test.length];
        boolean[] label = new boolean[test.length];
        int[] day = new int[test.length];
        int[] card = new int[test.length];
        int testFrauds = 0;
        for (int a = 0; a < test.length; a++) {
            int i = test[a];
            double s = w[f];
            for (int j = 0; j < f; j++) {
                s += w[j] * (xTest[a][j] - mean[j]) / sd[j];
            }
            score[a] = s;
            label[a] = r.fraud()[i];
            day[a] = r.day(i);
            card[a] = r.customer()[i];
            testFrauds += label[a] ? 1 : 0;
        }
        return new Result(train.length, trainFrauds, test.length, testFrauds, RankingMetrics.auc(score, label),
                RankingMetrics.averagePrecision(score, label), cardPrecisionAtK(day, card, score, label, 100), score);
    }
}
