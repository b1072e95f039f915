package io.fraudstream.rules;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rule can see of one event: the transaction's fields, the model's score and decision, the model's named
 * features and the point-of-purchase risk. A mutable holder, refilled for every event by one thread (a scoring
 * subtask, a replay); {@link RuleVariables} maps it to the rules' variables.
 *
 * <p>Feature values are the raw (unstandardized) values the model scored with, looked up by the model's feature
 * names; point-of-purchase counts come from the transaction (zero, with {@code pop_known} false, when absent).
 */
public final class RuleFacts {
    double amount;
    long amountMinor;
    String currency = "";
    String merchant = "";
    String category = "";
    String country = "";
    String channel = "";
    String terminal = "";
    double merchantLat = Double.NaN;
    double merchantLon = Double.NaN;
    long eventTimeMillis;
    double score;
    double threshold;
    boolean modelAlert;
    String modelVersion = "";
    private List<String> featureNames = List.of();
    private Map<String, Integer> featureIndex = Map.of();
    float[] features = new float[0];
    float[] pointOfPurchase;
    /** Per-event caches: the features map (null until used) and the calendar fields of {@link #calendarOf}. */
    private Map<String, Double> featureMap;
    private long calendarOf;
    private long hour = -1;
    private long weekday;

    /** The transaction: amount in major units and in minor units of its currency. */
    public RuleFacts transaction(double amount, long amountMinor, String currency, String merchant, String category,
            String country, String channel, String terminal, long eventTimeMillis) {
        this.amount = amount;
        this.amountMinor = amountMinor;
        this.currency = nz(currency);
        this.merchant = nz(merchant);
        this.category = nz(category);
        this.country = nz(country);
        this.channel = nz(channel);
        this.terminal = nz(terminal);
        this.eventTimeMillis = eventTimeMillis;
        return this;
    }

    /** The merchant's location in degrees, NaN when unknown. */
    public RuleFacts merchantLocation(double lat, double lon) {
        this.merchantLat = lat;
        this.merchantLon = lon;
        return this;
    }

    /** The model's score, its threshold, whether the model alone alerts, and its version. */
    public RuleFacts model(double score, double threshold, boolean modelAlert, String modelVersion) {
        this.score = score;
        this.threshold = threshold;
        this.modelAlert = modelAlert;
        this.modelVersion = nz(modelVersion);
        return this;
    }

    /**
     * The features the model scored with, in the order of {@code names} (the model's feature names). The arrays are
     * read during evaluation, not copied: pass the scoring buffer and evaluate before it is overwritten. The name
     * index is rebuilt only when a different names list (by identity) is passed: a model swap.
     */
    public RuleFacts features(List<String> names, float[] values) {
        if (names != featureNames) {
            Map<String, Integer> index = new HashMap<>(names.size() * 2);
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            featureNames = names;
            featureIndex = index;
        }
        this.features = values;
        this.featureMap = null; // new values: rebuilt when a rule reads the map
        return this;
    }

    /** The transaction's point-of-purchase counts in {@code PopFeatures.NAMES} order, or null when absent. */
    public RuleFacts pointOfPurchase(float[] counts) {
        this.pointOfPurchase = counts;
        return this;
    }

    /** The model's feature names (the list passed to {@link #features}, compared by identity by typed plans). */
    List<String> featureNames() {
        return featureNames;
    }

    /** The index of the named feature in the model's features, or -1. */
    int featureSlot(String name) {
        Integer i = featureIndex.get(name);
        return i == null ? -1 : i;
    }

    /** The named feature's value, or NaN when the model has no such feature. */
    double feature(String name) {
        Integer i = featureIndex.get(name);
        return i == null || i >= features.length ? Double.NaN : features[i];
    }

    /** Every feature of the model by name (for the {@code features} map variable), built once per event. */
    Map<String, Double> featureMap() {
        if (featureMap == null) {
            Map<String, Double> m = new HashMap<>(featureNames.size() * 2);
            for (int i = 0; i < featureNames.size() && i < features.length; i++) {
                m.put(featureNames.get(i), (double) features[i]);
            }
            featureMap = m;
        }
        return featureMap;
    }

    /** UTC hour of day and ISO day of week of the event time, computed once per event. */
    long hour() {
        calendar();
        return hour;
    }

    long weekday() {
        calendar();
        return weekday;
    }

    private void calendar() {
        if (calendarOf != eventTimeMillis || hour < 0) {
            long day = Math.floorDiv(eventTimeMillis, 86_400_000L);
            hour = Math.floorMod(eventTimeMillis, 86_400_000L) / 3_600_000L;
            weekday = Math.floorMod(day + 3, 7L) + 1; // 1970-01-01 was a Thursday (4)
            calendarOf = eventTimeMillis;
        }
    }

    @Override
    public String toString() {
        return "RuleFacts[amount=" + amount + " " + currency + ", merchant=" + merchant + ", category=" + category
                + ", channel=" + channel + ", score=" + score + ", features=" + Arrays.toString(features) + "]";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
