package io.fraudstream.job.scoring;

/**
 * The committed state of the release before token attention (chunked card state whose chunks carry the champion's
 * K/V: keys as floats, values as halves), for the restore test. {@code src/test/resources/state-v2/} was written at
 * commit 1f258f8 by that release's copy of {@link V1StateFixture#main} with these paths, from the same transactions
 * ({@link V1StateFixture#before()}); {@code next-scores.txt} holds that release's score of {@link V1StateFixture#after()}.
 * Never regenerate it with later code: the point is bytes the previous release wrote.
 */
final class V2StateFixture {
    static final String SNAPSHOT = "state-v2/card-scoring-v2.snapshot";
    static final String NEXT_SCORES = "state-v2/next-scores.txt";

    private V2StateFixture() {}
}
