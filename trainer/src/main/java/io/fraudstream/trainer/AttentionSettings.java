package io.fraudstream.trainer;

/**
 * Settings of the DJL attention training (see {@link AttentionTrainer}).
 *
 * @param epochs passes over the training pairs
 * @param batchSize (history, query) pairs per step
 * @param learningRate Adam's step size
 * @param maxHistory history entries per pair (the most recent); the job attends over up to W, training
 *     truncates to keep a step cheap
 * @param maxPairsPerEpoch pairs per epoch: every fraud pair, then genuine pairs sampled afresh each epoch
 *     (seeded) up to this total; the loss weights the classes back to balance
 * @param seed sampling and initialisation seed
 */
public record AttentionSettings(int epochs, int batchSize, float learningRate, int maxHistory, int maxPairsPerEpoch,
        long seed) {
    public static final AttentionSettings DEFAULTS = new AttentionSettings(4, 256, 0.01f, 64, 8_192, 42L);

    public AttentionSettings {
        require(epochs >= 1, "trainer.attention.epochs must be >= 1, was " + epochs);
        require(batchSize >= 1, "trainer.attention.batch-size must be >= 1, was " + batchSize);
        require(learningRate > 0 && Float.isFinite(learningRate),
                "trainer.attention.learning-rate must be > 0, was " + learningRate);
        require(maxHistory >= 1, "trainer.attention.max-history must be >= 1, was " + maxHistory);
        require(maxPairsPerEpoch >= 2, "trainer.attention.max-pairs must be >= 2, was " + maxPairsPerEpoch);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public AttentionSettings withEpochs(int v) {
        return new AttentionSettings(v, batchSize, learningRate, maxHistory, maxPairsPerEpoch, seed);
    }

    public AttentionSettings withSeed(long v) {
        return new AttentionSettings(epochs, batchSize, learningRate, maxHistory, maxPairsPerEpoch, v);
    }

    public AttentionSettings withMaxPairsPerEpoch(int v) {
        return new AttentionSettings(epochs, batchSize, learningRate, maxHistory, v, seed);
    }
}
