package io.fraudstream.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The amount-bins block: the amount as a one-hot over quarter-octave bins, so a linear classifier can give any
 * amount range its own weight (a step at a fixed amount, a band that is rare for everyone). A tree finds such a split
 * by itself; a logistic regression sees the amount only as a slope (the card-window block's linear amount) or a
 * log slope per category (the transaction-fields block), and neither can say "above about 220 is suspicious, 200 is
 * not".
 *
 * <ul>
 *   <li>{@code amount_below_1}: 1 when the amount is below 1;</li>
 *   <li>{@code amount_bin_<i>} for i = 0..{@value #BINS}-1: 1 when {@code 2^(i/4) <= amount < 2^((i+1)/4)}, the last
 *       bin also holding everything above (2^16 = 65,536).</li>
 * </ul>
 * The amount is the one the history stores ({@link TokenEncoder#storedAmount}). Stateless; reads only the transaction.
 */
public final class AmountBinFeatures {
    /** Quarter-octave bins from 1 to 2^16 (each ~19 % wide). */
    static final int BINS = 64;
    public static final List<String> NAMES = names();
    public static final int COUNT = NAMES.size();

    private AmountBinFeatures() {}

    private static List<String> names() {
        List<String> n = new ArrayList<>();
        n.add("amount_below_1");
        for (int i = 0; i < BINS; i++) {
            n.add(String.format(Locale.ROOT, "amount_bin_%d_from_%.2f", i, Math.pow(2, i / 4.0)));
        }
        return List.copyOf(n);
    }

    /** The index within the block of {@code amount}'s bin. */
    static int bin(double amount) {
        float a = TokenEncoder.storedAmount(amount);
        if (!(a >= 1f)) {
            return 0;
        }
        return 1 + Math.min(BINS - 1, (int) Math.floor(4 * Math.log(a) / Math.log(2)));
    }

    /**
     * The amounts the value at {@code index} within the block stands for, {@code [from, to)}: {@code [0, 1)} for
     * {@code amount_below_1}, and {@code to} infinite for the last bin.
     */
    public static double[] range(int index) {
        if (index < 0 || index >= COUNT) {
            throw new IndexOutOfBoundsException("amount bin " + index + " of " + COUNT);
        }
        if (index == 0) {
            return new double[] {0, 1};
        }
        int i = index - 1;
        return new double[] {Math.pow(2, i / 4.0), i == BINS - 1 ? Double.POSITIVE_INFINITY : Math.pow(2, (i + 1) / 4.0)};
    }

    /** Writes {@link #COUNT} values at {@code out[offset ..]}. */
    public static void compute(RawTransaction tx, float[] out, int offset) {
        java.util.Arrays.fill(out, offset, offset + COUNT, 0f);
        out[offset + bin(tx.amount())] = 1f;
    }
}
