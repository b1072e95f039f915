package io.fraudstream.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A straightforward double-precision implementation of the feature definitions in docs/EXTRACTOR.md,
 * written independently of the kernels (no shared code beyond the public API): sort, loop, Math.*.
 * Inputs are taken at the precision the history stores them (amount and coordinates as float).
 */
final class ReferenceExtractor {
    static final double R = 6371.0088;
    static final double KM_PER_DEG = R * Math.PI / 180.0;

    private final ExtractorConfig config;
    private final double[][] wq;
    private final double[][] wk;
    private final double[][] wv;
    private final float[] alpha;
    private final float[] beta;

    /** Set by {@link #extract}: whether a top-k boundary was too close to call in float arithmetic. */
    boolean ambiguous;
    /** Set by {@link #extract}: head-averaged weights by history index (sorted order), for explanation checks. */
    double[] lastP = new double[0];
    List<RawTransaction> lastSorted = List.of();

    ReferenceExtractor(ExtractorConfig config, ExtractorWeights w) {
        this.config = config;
        this.wq = matrix(w.queryWeights(), config.dim());
        this.wk = matrix(w.keyWeights(), config.dim());
        this.wv = matrix(w.valueWeights(), config.dim());
        this.alpha = w.alpha();
        this.beta = w.beta();
    }

    private static double[][] matrix(float[] flat, int d) {
        int f = flat.length / d;
        double[][] m = new double[d][f];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < f; c++) {
                m[r][c] = flat[r * f + c];
            }
        }
        return m;
    }

    static boolean known(RawTransaction t) {
        double la = t.merchantLat();
        double lo = t.merchantLon();
        return la >= -90 && la <= 90 && lo >= -180 && lo <= 180;
    }

    static boolean homeKnown(RawTransaction t) {
        double la = t.homeLat();
        double lo = t.homeLon();
        return la >= -90 && la <= 90 && lo >= -180 && lo <= 180;
    }

    static double lat(RawTransaction t) { return (float) t.merchantLat(); }
    static double lon(RawTransaction t) { return (float) t.merchantLon(); }
    static double amount(RawTransaction t) { return (float) Math.min(t.amount(), 1e15); } // stored as float, capped

    static double haversine(double la1, double lo1, double la2, double lo2) {
        double a = Math.pow(Math.sin(Math.toRadians(la2 - la1) / 2), 2) + Math.cos(Math.toRadians(la1))
                * Math.cos(Math.toRadians(la2)) * Math.pow(Math.sin(Math.toRadians(lo2 - lo1) / 2), 2);
        return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /** Home distance as stored: float. NaN when unknown. */
    static double homeKm(RawTransaction t) {
        if (!known(t) || !homeKnown(t)) {
            return Double.NaN;
        }
        return (float) haversine(lat(t), lon(t), (float) t.homeLat(), (float) t.homeLon());
    }

    static double localKm(RawTransaction a, RawTransaction b) {
        double dLat = lat(a) - lat(b);
        double dLon = Math.abs(lon(a) - lon(b));
        if (dLon > 180) {
            dLon = 360 - dLon;
        }
        double c = (Math.cos(Math.toRadians(lat(a))) + Math.cos(Math.toRadians(lat(b)))) / 2;
        return KM_PER_DEG * Math.hypot(dLat, dLon * c);
    }

    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    static double[] token(RawTransaction t) {
        double[] x = new double[32];
        x[0] = Math.log1p(amount(t));
        long ms = Math.floorMod(t.eventTimeMillis(), 86_400_000L);
        double hour = ms / 3_600_000.0;
        x[1] = Math.sin(2 * Math.PI * hour / 24);
        x[2] = Math.cos(2 * Math.PI * hour / 24);
        long day = Math.floorDiv(t.eventTimeMillis(), 86_400_000L);
        int weekday = (int) Math.floorMod(day + 3, 7L); // 1970-01-01 was a Thursday; Monday = 0
        x[3] = Math.sin(2 * Math.PI * weekday / 7);
        x[4] = Math.cos(2 * Math.PI * weekday / 7);
        if (known(t)) {
            double p = Math.toRadians(lat(t));
            double l = Math.toRadians(lon(t));
            x[5] = Math.cos(p) * Math.cos(l);
            x[6] = Math.cos(p) * Math.sin(l);
            x[7] = Math.sin(p);
        } else {
            x[8] = 1;
        }
        double hk = homeKm(t);
        if (Double.isNaN(hk)) {
            x[10] = 1;
        } else {
            x[9] = Math.log1p(hk);
        }
        x[11 + Math.floorMod(mix(t.merchantCategory().hashCode()), 16)] = 1;
        x[27 + t.channel().ordinal()] = 1;
        return x;
    }

    static double[] mul(double[][] w, double[] x) {
        double[] y = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            for (int c = 0; c < x.length; c++) {
                y[r] += w[r][c] * x[c];
            }
        }
        return y;
    }

    static final Comparator<RawTransaction> ORDER =
            Comparator.comparingLong(RawTransaction::eventTimeMillis).thenComparing(RawTransaction::transactionId);

    double[] extract(List<RawTransaction> history, RawTransaction cur) {
        List<RawTransaction> hs = new ArrayList<>(history);
        hs.sort(ORDER); // stable: equal (time, id) keep list order
        lastSorted = hs;
        int n = hs.size();
        int d = config.dim();
        int heads = config.heads();
        int dh = d / heads;
        double[] out = new double[d + 5 + 16];
        ambiguous = false;
        lastP = new double[n];
        if (config.mode() != AttentionMode.NONE && n > 0) {
            double[] q = mul(wq, token(cur));
            double[][] keys = new double[n][];
            double[][] vals = new double[n][];
            double[] lt = new double[n];
            double[] ls = new double[n];
            for (int j = 0; j < n; j++) {
                RawTransaction h = hs.get(j);
                double[] x = token(h);
                keys[j] = mul(wk, x);
                vals[j] = mul(wv, x);
                lt[j] = Math.log1p(Math.abs(cur.eventTimeMillis() - h.eventTimeMillis()) / 3_600_000.0);
                ls[j] = known(cur) && known(h) ? Math.log1p(localKm(cur, h)) : 0;
            }
            double maxScore = Double.NEGATIVE_INFINITY;
            double[] p = lastP;
            for (int hd = 0; hd < heads; hd++) {
                double[] s = new double[n];
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int c = 0; c < dh; c++) {
                        dot += q[hd * dh + c] * keys[j][hd * dh + c];
                    }
                    s[j] = dot / Math.sqrt(dh) - alpha[hd] * lt[j] - beta[hd] * ls[j];
                }
                Integer[] order = new Integer[n];
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                java.util.Arrays.sort(order, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : a - b);
                int kept = config.mode() == AttentionMode.DENSE ? n : Math.min(config.k(), n);
                if (kept < n && s[order[kept - 1]] - s[order[kept]] < 1e-4) {
                    ambiguous = true;
                }
                double max = s[order[0]];
                maxScore = Math.max(maxScore, max);
                double sum = 0;
                for (int i = 0; i < kept; i++) {
                    sum += Math.exp(s[order[i]] - max);
                }
                for (int i = 0; i < kept; i++) {
                    int j = order[i];
                    double w = Math.exp(s[j] - max) / sum;
                    for (int c = 0; c < dh; c++) {
                        out[hd * dh + c] += w * vals[j][hd * dh + c];
                    }
                    p[j] += w / heads;
                }
            }
            double entropy = 0;
            double share = 0;
            double wAmt = 0;
            double wKm = 0;
            double wKnown = 0;
            for (int j = 0; j < n; j++) {
                if (p[j] > 0) {
                    entropy -= p[j] * Math.log(p[j]);
                }
                if (Math.abs(cur.eventTimeMillis() - hs.get(j).eventTimeMillis()) <= 86_400_000L) {
                    share += p[j];
                }
                wAmt += p[j] * amount(hs.get(j));
                if (known(cur) && known(hs.get(j))) {
                    wKm += p[j] * ls[j];
                    wKnown += p[j];
                }
            }
            out[d] = maxScore;
            out[d + 1] = entropy;
            out[d + 2] = share;
            out[d + 3] = Math.log((wAmt + 1) / (amount(cur) + 1));
            out[d + 4] = wKnown > 0 ? wKm / wKnown : 0;
        }
        direct(hs, cur, out, d + 5);
        return out;
    }

    static void direct(List<RawTransaction> hs, RawTransaction cur, double[] out, int o) {
        long t = cur.eventTimeMillis();
        RawTransaction prev = null;
        for (RawTransaction h : hs) {
            if (h.eventTimeMillis() <= t) {
                prev = h; // sorted: the last one at or before t
            }
        }
        out[o] = prev == null ? 0 : 1;
        double secs = prev == null ? 30 * 86400.0 : (t - prev.eventTimeMillis()) / 1000.0;
        out[o + 1] = Math.log1p(secs);
        if (prev != null && known(cur) && known(prev)) {
            double km = haversine(lat(cur), lon(cur), lat(prev), lon(prev));
            out[o + 2] = Math.log1p(km);
            out[o + 3] = Math.log1p(km / Math.max(secs / 3600, 1.0 / 60));
        }
        long[] windows = {3_600_000L, 86_400_000L, 7 * 86_400_000L};
        for (int w = 0; w < 3; w++) {
            int c = 0;
            for (RawTransaction h : hs) {
                if (h.eventTimeMillis() <= t && h.eventTimeMillis() >= t - windows[w]) {
                    c++;
                }
            }
            out[o + 4 + w] = c;
        }
        double x = Math.log1p(amount(cur));
        if (!hs.isEmpty()) {
            double mean = hs.stream().mapToDouble(h -> Math.log1p(amount(h))).average().orElse(0);
            double var = hs.stream().mapToDouble(h -> Math.pow(Math.log1p(amount(h)) - mean, 2)).average()
                    .orElse(0);
            out[o + 7] = (x - mean) / Math.sqrt(var + 0.01);
        }
        out[o + 8] = x;
        out[o + 9] = hs.stream().anyMatch(h -> h.merchantId().equals(cur.merchantId())) ? 0 : 1;
        out[o + 10] = hs.stream().anyMatch(h -> h.merchantCategory().equals(cur.merchantCategory())) ? 0 : 1;
        double hk = homeKm(cur);
        out[o + 11] = Double.isNaN(hk) ? 0 : Math.log1p(hk);
        out[o + 12] = Double.isNaN(hk) ? 0 : 1;
        out[o + 13] = known(cur) ? 1 : 0;
        double shift = homeKnown(cur) ? (float) cur.homeLon() : known(cur) ? lon(cur) : 0;
        double local = Math.floorMod(t, 86_400_000L) / 3_600_000.0 + shift / 15;
        local = ((local % 24) + 24) % 24;
        out[o + 14] = local < 6 ? 1 : 0;
        out[o + 15] = hs.size();
    }
}
