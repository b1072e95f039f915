package io.fraudstream.job.scoring;

/**
 * A scored transaction's feature vector as the champion computed it (the {@code JobStreams.FEATURES} side output,
 * on only when {@link ScoringSettings#emitFeatures()}). A Flink POJO: never Kryo.
 */
public class FeatureVector {
    public String transactionId;
    public String cardId;
    public String modelVersion;
    public float[] features;

    public FeatureVector() {}

    public FeatureVector(String transactionId, String cardId, String modelVersion, float[] features) {
        this.transactionId = transactionId;
        this.cardId = cardId;
        this.modelVersion = modelVersion;
        this.features = features;
    }
}
