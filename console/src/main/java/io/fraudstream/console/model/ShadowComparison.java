package io.fraudstream.console.model;

import io.fraudstream.avro.FraudScore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Live shadow-versus-champion figures from {@code fraud-scores} and {@code fraud-scores-shadow}: scores of the same
 * transaction are paired by transaction id (within a bounded window of unpaired ones), and the pairs summarised:
 * count, mean absolute score difference, decision agreement, alerts each model would raise. Starts over when the
 * shadow's version changes. Thread-safe (one writer, many readers).
 */
public final class ShadowComparison {

    private static final int MAX_UNPAIRED = 200_000;

    private final Map<String, Double> champion = bounded();
    private final Map<String, Double> shadow = bounded();
    private String championVersion;
    private String shadowVersion;
    private long pairs;
    private double sumAbsDiff;
    private double sumChampion;
    private double sumShadow;
    private long agree;
    private long championAlerts;
    private long shadowAlerts;
    private double championThreshold = Double.NaN;
    private double shadowThreshold = Double.NaN;

    public synchronized void champion(FraudScore s) {
        championVersion = s.getModelVersion();
        championThreshold = s.getThreshold();
        Double other = shadow.remove(s.getTransactionId());
        if (other == null) {
            champion.put(s.getTransactionId(), s.getScore());
        } else {
            pair(s.getScore(), other);
        }
    }

    public synchronized void shadow(FraudScore s) {
        if (!s.getModelVersion().equals(shadowVersion)) {
            reset();
            shadowVersion = s.getModelVersion();
        }
        shadowThreshold = s.getThreshold();
        Double other = champion.remove(s.getTransactionId());
        if (other == null) {
            shadow.put(s.getTransactionId(), s.getScore());
        } else {
            pair(other, s.getScore());
        }
    }

    private void pair(double c, double s) {
        pairs++;
        sumAbsDiff += Math.abs(c - s);
        sumChampion += c;
        sumShadow += s;
        boolean ca = c >= championThreshold;
        boolean sa = s >= shadowThreshold;
        championAlerts += ca ? 1 : 0;
        shadowAlerts += sa ? 1 : 0;
        agree += ca == sa ? 1 : 0;
    }

    private void reset() {
        pairs = 0;
        sumAbsDiff = sumChampion = sumShadow = 0;
        agree = championAlerts = shadowAlerts = 0;
        shadow.clear();
    }

    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("championVersion", championVersion);
        m.put("shadowVersion", shadowVersion);
        m.put("pairs", pairs);
        m.put("meanAbsDiff", pairs == 0 ? null : sumAbsDiff / pairs);
        m.put("meanChampionScore", pairs == 0 ? null : sumChampion / pairs);
        m.put("meanShadowScore", pairs == 0 ? null : sumShadow / pairs);
        m.put("decisionAgreement", pairs == 0 ? null : (double) agree / pairs);
        m.put("championAlerts", championAlerts);
        m.put("shadowAlerts", shadowAlerts);
        return m;
    }

    /** Unpaired scores, oldest dropped first: a score whose partner never comes must not grow memory. */
    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_UNPAIRED;
            }
        };
    }
}
