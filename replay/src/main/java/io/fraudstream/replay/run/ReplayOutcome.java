package io.fraudstream.replay.run;

import io.fraudstream.job.scoring.RuleDecision;

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

    /**
     * A backtest's rule decision on this transaction ({@code RuleStage.Settings.emitDecisions}; then only the model
     * index, transaction, card and event time are set besides it), null on scores and dead letters: one reference,
     * so results of runs without rules stay as small as before. {@link BoundedScoring} joins decisions to their scores
     * by card and transaction id ({@code Result.ruleDecisions}).
     */
    public RuleDecision rule;

    public ReplayOutcome() {}
}
