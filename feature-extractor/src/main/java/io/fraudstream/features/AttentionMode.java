package io.fraudstream.features;

/** Which attention the extractor computes; DENSE and NONE are the measured baselines. */
public enum AttentionMode {
    /** Per head, softmax over the k highest-scoring past transactions only; all others get exactly 0. */
    SPARSE_TOP_K,
    /** Per head, softmax over all n past transactions. */
    DENSE,
    /** No attention: attention features are 0, only the direct features are computed. */
    NONE
}
