package io.fraudstream.replay.run;

/**
 * What the bounded run hands back to the client per input record: a score, or a rejection (dead letter).
 * A Flink POJO (public fields, no-argument constructor), so no Kryo.
 */
public class ReplayOutcome {
    /** Which of the run's models this came from (0 in a single-model run). */
    public int model;
    /** True for a dead letter; then only the source coordinates, reason and message are set. */
    public boolean rejected;
    public String transactionId;
    public String cardId;
    public long eventTimeMillis;
    public double score;
    public double threshold;
    public String modelVersion;
    /** From the source reading the record to the score being emitted, under the replay's full load. */
    public long latencyMicros;
    public int sourcePartition;
    public long sourceOffset;
    public String reason;
    public String message;

    public ReplayOutcome() {}
}
