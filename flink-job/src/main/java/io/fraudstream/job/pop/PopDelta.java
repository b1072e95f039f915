package io.fraudstream.job.pop;

/**
 * Counts to add to one hour of one point of purchase ({@code io.fraudstream.features.pop.PopFeatures#merchantKey},
 * {@code #terminalKey}): transactions seen in that hour of event time, confirmed frauds reported in that hour.
 * A Flink POJO.
 */
public class PopDelta {
    public String key;
    public int hour;
    public int transactions;
    public int frauds;

    public PopDelta() {}

    public PopDelta(String key, int hour, int transactions, int frauds) {
        this.key = key;
        this.hour = hour;
        this.transactions = transactions;
        this.frauds = frauds;
    }

    @Override
    public String toString() {
        return "PopDelta[" + key + " @" + hour + " +" + transactions + "/+" + frauds + "]";
    }
}
