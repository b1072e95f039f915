package io.fraudstream.features;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sparse top-k selection written with the Vector API (incubating in JDK 17), without a heap and without a
 * branch per score or per candidate:
 * <ol>
 *   <li>a guaranteed lower bound tau for the k-th largest score ({@link #threshold});
 *   <li>the slots with s >= tau, newest first ({@link #newestFirst}; ~70 of 774 on the replay file);
 *   <li>a cut between the k-th and the (k+1)-th largest of those, by binary search over order-preserving int
 *       keys, each step one vector count over the candidates;
 *   <li>the kept entries written oldest first: every score above the cut, and of those equal to it the oldest
 *       ones (the tie rule).
 * </ol>
 * The result is the scalar selection's, entry for entry: the same set (the top k by score, ties to the older
 * entry, -0.0 equal to +0.0) in the same canonical order (age, oldest first), with the original float values.
 * NaN scores, which neither path orders and the extractor's arithmetic never makes, are the exception.
 *
 * <p>Loaded only after {@link FeatureExtractor#vectorTopKSupported()} has found {@code jdk.incubator.vector} in
 * the JVM ({@code --add-modules jdk.incubator.vector}); its signatures carry no vector types, so
 * {@link FeatureExtractor} links without the module. Allocation-free once C2 has compiled it (vectors live in
 * registers); the interpreter and C1 box every vector, which only slows the first few thousand events.
 */
final class VectorTopK {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Ints of the same width, for keys. */
    private static final VectorSpecies<Integer> KEYS = SPECIES.withLanes(int.class);
    /** Eight ints: one row of {@link #COMPACT}. */
    private static final VectorSpecies<Integer> ROW = IntVector.SPECIES_256;
    /** The deepest per-lane network implemented: k may be at most {@code MAX_DEPTH * lanes()}. */
    static final int MAX_DEPTH = 4;
    /** Slots {@link #newestFirst} may write past its count: whole rows of {@link #COMPACT} are stored. */
    static final int SLACK = 8;
    /**
     * Lane i holds the float whose bits are {@code 1 << i}: blended under a compare mask and OR-reduced as ints it
     * gives the mask as an int. JDK 17's {@code VectorMask.toLong()} is not intrinsified (it boxes the mask and
     * loops over a boolean[]); blend, reinterpret and reduceLanes are. The lanes are only moved, never used in
     * arithmetic, so the denormal bit patterns are safe.
     */
    private static final FloatVector LANE_BITS;
    /**
     * Row b (8 ints at 8 * b): the set bits of the byte b, highest first, as lane numbers (JDK 17 has no
     * compress). Storing a whole row and advancing by bitCount(b) appends the passing lanes of 8 slots, newest
     * first, with no branch per candidate.
     */
    private static final int[] COMPACT = new int[256 * 8];

    static {
        float[] bits = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            bits[i] = Float.intBitsToFloat(1 << i);
        }
        LANE_BITS = FloatVector.fromArray(SPECIES, bits, 0);
        for (int b = 0; b < 256; b++) {
            int o = 8 * b;
            for (int lane = 7; lane >= 0; lane--) {
                if ((b & (1 << lane)) != 0) {
                    COMPACT[o++] = lane;
                }
            }
        }
    }

    private VectorTopK() {}

    /** Float lanes of the preferred species (16 with AVX-512, 8 with AVX2). */
    static int lanes() {
        return LANES;
    }

    /** Whether this kernel handles k: the threshold network must be deep enough, a mask must fit an int. */
    static boolean supports(int k) {
        return LANES % 8 == 0 && LANES <= Integer.SIZE && k >= 1 && k <= MAX_DEPTH * LANES;
    }

    /** Length of the cand and keys scratch arrays {@link #select} needs for n scores. */
    static int scratchLength(int n) {
        return n + Math.max(SLACK, LANES);
    }

    /**
     * The top k of s[0..n) (k = idx.length < n; ties: the older entry; slots newest first are head-1 .. 0, then
     * n-1 .. head) into idx/val[0..k), oldest first. cand and keys: scratch of {@link #scratchLength}(n). Returns
     * false, having decided nothing, when fewer than k scores reach the bound, which takes a NaN score or a
     * history too short for the bound (see {@link #threshold}): the caller's scalar selection then decides.
     */
    static boolean select(float[] s, int n, int head, int[] cand, int[] keys, int[] idx, float[] val) {
        final int k = idx.length;
        final int c = newestFirst(s, n, head, threshold(s, n, k), cand);
        if (c < k) {
            return false;
        }
        // keys[i] = key of the i-th candidate's score with -0.0 counted as +0.0 (equal floats must have equal keys
        // for the tie rule), padded to whole vectors with Integer.MIN_VALUE, below every score's key
        int lowest = Integer.MAX_VALUE;
        int highest = Integer.MIN_VALUE;
        for (int i = 0; i < c; i++) {
            int key = key(s[cand[i]] + 0f);
            keys[i] = key;
            lowest = Math.min(lowest, key);
            highest = Math.max(highest, key);
        }
        final int padded = (c + LANES - 1) / LANES * LANES;
        for (int i = c; i < padded; i++) {
            keys[i] = Integer.MIN_VALUE;
        }
        int cut = cutKey(keys, padded, k, lowest, highest);
        keepOldestFirst(s, cand, c, keys, cut, k - countAtLeast(keys, padded, cut + 1L), idx, val);
        return true;
    }

    /**
     * A lower bound for the k-th largest of s[0..n), k <= {@link #MAX_DEPTH} * lanes. Lane i of the whole vectors
     * is a group (the slots = i mod lanes); a min/max network keeps each group's m = ceil(k / lanes) largest
     * values, and the bound is the smallest of the groups' m-th largest: every group has m values at or above
     * it, so at least lanes * m >= k scores reach it and no fallback is needed. The tail (n mod lanes slots) is
     * left out: the bound of a subset is a bound of the whole. Fewer groups with a deeper network would be
     * tighter (of 1024 random scores, 8 groups of depth 4 let ~57 pass, 16 of depth 2 ~80; more lanes, e.g. 32
     * groups of depth 1 from two accumulators, ~122) but cost more per vector. When a group has fewer than m
     * values (n < m * lanes) the bound is NaN, not -inf: the accumulators' start key {@code Integer.MIN_VALUE}
     * unkeys to the bit pattern 0xFFFFFFFF. No score reaches a NaN, so {@link #select} returns false and the
     * caller's scalar selection decides (correct, only slower; such short histories are rare).
     *
     * <p>The network runs on {@link #key}s, not floats: FloatVector max/min follow Math.max (NaN, -0.0), several
     * instructions each, and the chain through the accumulators made the float network latency-bound, 3-4x
     * slower than on ints.
     */
    static float threshold(float[] s, int n, int k) {
        final int depth = (k + LANES - 1) / LANES;
        final int end = n - n % LANES;
        return unkey(depth <= 2 ? depthTwo(s, end, depth) : depthFour(s, end, depth));
    }

    /**
     * Each lane's two largest keys (a1 >= a2) over s[0..end); returns the lanes' smallest depth-th largest. The
     * accumulators start from a local broadcast: a static final vector as a loop phi's input made C2 box the
     * vectors on every iteration (12 kB per call).
     */
    private static int depthTwo(float[] s, int end, int depth) {
        IntVector a1 = IntVector.broadcast(KEYS, Integer.MIN_VALUE);
        IntVector a2 = a1;
        for (int j = 0; j < end; j += LANES) {
            IntVector v = key(FloatVector.fromArray(SPECIES, s, j));
            a2 = a2.max(a1.min(v));
            a1 = a1.max(v);
        }
        return (depth == 1 ? a1 : a2).reduceLanes(VectorOperators.MIN);
    }

    /** Each lane's four largest keys (a1 >= .. >= a4): v is inserted by one compare-exchange per level. */
    private static int depthFour(float[] s, int end, int depth) {
        IntVector a1 = IntVector.broadcast(KEYS, Integer.MIN_VALUE);
        IntVector a2 = a1;
        IntVector a3 = a1;
        IntVector a4 = a1;
        for (int j = 0; j < end; j += LANES) {
            IntVector v = key(FloatVector.fromArray(SPECIES, s, j));
            IntVector t1 = a1.min(v);
            a1 = a1.max(v);
            IntVector t2 = a2.min(t1);
            a2 = a2.max(t1);
            IntVector t3 = a3.min(t2);
            a3 = a3.max(t2);
            a4 = a4.max(t3);
        }
        return (depth == 3 ? a3 : a4).reduceLanes(VectorOperators.MIN);
    }

    /**
     * The float's bits as an int that orders like the float (negative floats get their magnitude bits flipped).
     * -0.0 sorts just below +0.0, which a bound tolerates (a >= b as keys implies a >= b as floats); where
     * equality matters, {@link #select} maps -0.0 to +0.0 first.
     */
    private static IntVector key(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31)
                .lanewise(VectorOperators.LSHR, 1));
    }

    private static int key(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) >>> 1);
    }

    /** The float of a {@link #key} (the map is its own inverse). */
    private static float unkey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) >>> 1));
    }

    /**
     * Writes the slots with s >= tau into out, newest first (head-1 .. 0, then n-1 .. head: the scalar filter's
     * order), and returns their count. May write up to {@link #SLACK} slots past the count.
     */
    static int newestFirst(float[] s, int n, int head, float tau, int[] out) {
        int c = segment(s, 0, head, tau, out, 0);
        return segment(s, head, n, tau, out, c);
    }

    /**
     * Slots [lo, hi) with s >= tau, descending, appended to out at c: whole vectors from the new end, each
     * compare mask turned into an int and appended 8 lanes at a time through {@link #COMPACT}; the fewer than
     * lanes slots left at the old end one by one, branch-free. Vectors are made here, not passed in: a vector
     * argument of a call C2 does not inline is boxed.
     */
    private static int segment(float[] s, int lo, int hi, float tau, int[] out, int c) {
        final FloatVector t = FloatVector.broadcast(SPECIES, tau);
        final FloatVector none = FloatVector.zero(SPECIES);
        int j = hi - LANES;
        for (; j >= lo; j -= LANES) {
            VectorMask<Float> pass = FloatVector.fromArray(SPECIES, s, j).compare(VectorOperators.GE, t);
            int bits = none.blend(LANE_BITS, pass).reinterpretAsInts().reduceLanes(VectorOperators.OR);
            for (int b = LANES - 8; b >= 0; b -= 8) {
                int octet = (bits >>> b) & 0xff;
                IntVector.fromArray(ROW, COMPACT, octet << 3).add(j + b).intoArray(out, c);
                c += Integer.bitCount(octet);
            }
        }
        for (int i = j + LANES - 1; i >= lo; i--) {
            out[c] = i;
            c += s[i] >= tau ? 1 : 0;
        }
        return c;
    }

    /**
     * A key t with count(>= t + 1) <= k <= count(>= t): the kept are the keys above t and, of those equal to t,
     * the oldest k - count(>= t + 1). Binary search between the smallest and the largest candidate key (lowest,
     * highest), each step one vector pass over the candidates. It stops as soon as exactly k keys reach the
     * middle (then t = middle - 1 and no equal key is kept): the gap between the k-th and the (k+1)-th largest
     * is about 1/c of the range, found in ~log2(c) steps instead of the ~26 that pin the k-th key itself.
     */
    private static int cutKey(int[] keys, int padded, int k, int lowest, int highest) {
        long lo = lowest; // count(>= lo) = c >= k
        long hi = highest + 1L; // count(>= hi) = 0 < k
        while (hi - lo > 1) {
            long mid = (lo + hi) >> 1; // longs: no overflow; keys are signed, so not >>>
            int count = countAtLeast(keys, padded, mid);
            if (count == k) {
                return (int) (mid - 1);
            }
            boolean enough = count > k;
            lo = enough ? mid : lo;
            hi = enough ? hi : mid;
        }
        return (int) lo;
    }

    /** How many of keys[0..padded) are >= t (t above Integer.MAX_VALUE: none). */
    private static int countAtLeast(int[] keys, int padded, long t) {
        if (t > Integer.MAX_VALUE) {
            return 0;
        }
        IntVector tv = IntVector.broadcast(KEYS, (int) t);
        int count = 0;
        for (int i = 0; i < padded; i += LANES) {
            count += IntVector.fromArray(KEYS, keys, i).compare(VectorOperators.GE, tv).trueCount();
        }
        return count;
    }

    /**
     * Walks the candidates oldest first (the reverse of their order) and keeps those above the cut and the first
     * equalAllowed equal to it (the oldest: the tie rule), until k are kept. Branch-free: every candidate
     * is written, the output index advances only for the kept.
     */
    private static void keepOldestFirst(float[] s, int[] cand, int c, int[] keys, int cut, int equalAllowed,
            int[] idx, float[] val) {
        final int k = idx.length;
        int left = equalAllowed;
        int o = 0;
        for (int i = c - 1; o < k; i--) {
            int key = keys[i];
            int equal = key == cut ? 1 : 0;
            int keep = (key > cut ? 1 : 0) | (left > 0 ? equal : 0);
            left -= equal;
            int slot = cand[i];
            idx[o] = slot;
            val[o] = s[slot];
            o += keep;
        }
    }
}
