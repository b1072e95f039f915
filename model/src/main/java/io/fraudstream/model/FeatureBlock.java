package io.fraudstream.model;

import io.fraudstream.features.AmountBinFeatures;
import io.fraudstream.features.CardWindowFeatures;
import io.fraudstream.features.TransactionFieldFeatures;
import io.fraudstream.features.pop.PopFeatures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The optional feature blocks a model may use after the extractor's own features, always in this (declaration)
 * order. A bundle does not name its blocks: its feature names do ({@link #parse}), so a bundle written before a
 * block existed still reads as the same model.
 */
public enum FeatureBlock {
    /** Merchant and terminal transaction and fraud counts ({@link PopFeatures#NAMES}); the job must run with
     * {@code point-of-purchase.enabled}. */
    POINT_OF_PURCHASE("point-of-purchase", PopFeatures.NAMES),
    /** Fraud ratios derived from the point-of-purchase counts ({@link PopFeatures#RATIO_NAMES}); needs
     * {@link #POINT_OF_PURCHASE}. */
    POP_RATIOS("pop-ratios", PopFeatures.RATIO_NAMES),
    /** The amount against the card's own 1/7/30-day means and category mean ({@link CardWindowFeatures}). */
    CARD_WINDOWS("card-windows", CardWindowFeatures.NAMES),
    /** The transaction's category, amount per category and local time of day ({@link TransactionFieldFeatures}). */
    TRANSACTION_FIELDS("transaction-fields", TransactionFieldFeatures.NAMES),
    /** The amount as a one-hot over quarter-octave bins ({@link AmountBinFeatures}). */
    AMOUNT_BINS("amount-bins", AmountBinFeatures.NAMES);

    private final String id;
    private final List<String> names;

    FeatureBlock(String id, List<String> names) {
        this.id = id;
        this.names = names;
    }

    /** The name used on command lines and in bundle properties. */
    public String id() { return id; }
    public List<String> names() { return names; }
    public int count() { return names.size(); }

    /** No optional block. */
    public static Set<FeatureBlock> none() {
        return Collections.unmodifiableSet(EnumSet.noneOf(FeatureBlock.class));
    }

    /** A valid, unmodifiable set of blocks; fails when {@link #POP_RATIOS} comes without {@link #POINT_OF_PURCHASE}. */
    public static Set<FeatureBlock> of(FeatureBlock... blocks) {
        EnumSet<FeatureBlock> s = EnumSet.noneOf(FeatureBlock.class);
        Collections.addAll(s, blocks);
        return check(s);
    }

    private static Set<FeatureBlock> check(EnumSet<FeatureBlock> s) {
        if (s.contains(POP_RATIOS) && !s.contains(POINT_OF_PURCHASE)) {
            throw new IllegalArgumentException("feature block " + POP_RATIOS.id + " needs " + POINT_OF_PURCHASE.id
                    + " (the ratios are derived from its counts)");
        }
        return Collections.unmodifiableSet(s);
    }

    /**
     * Blocks from a comma-separated list of {@link #id()}s ({@code ""} or {@code none}: no block); names the
     * setting and the accepted values when a name is unknown.
     */
    public static Set<FeatureBlock> parseList(String setting, String csv) {
        EnumSet<FeatureBlock> s = ids(setting, csv);
        try {
            return check(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }

    /**
     * The blocks of a model trained on data with ({@code pointOfPurchase}) or without the point-of-purchase counts:
     * the list as in {@link #parseList(String, String)} names the further blocks, {@link #forData} adds the counts.
     */
    public static Set<FeatureBlock> parseList(String setting, String csv, boolean pointOfPurchase) {
        return forData(setting, ids(setting, csv), pointOfPurchase);
    }

    /**
     * {@code listed} plus {@link #POINT_OF_PURCHASE} when the data carries the counts: the one rule tying the
     * blocks to the data (the trainer's {@code --point-of-purchase}). Fails, naming {@code setting} and that option,
     * when {@code listed} names the counts itself (they follow the data, not the list) or asks for
     * {@link #POP_RATIOS} on data without the counts they are derived from.
     */
    public static Set<FeatureBlock> forData(String setting, Set<FeatureBlock> listed, boolean pointOfPurchase) {
        if (listed.contains(POINT_OF_PURCHASE)) {
            throw new IllegalArgumentException(setting + ": " + POINT_OF_PURCHASE.id
                    + " is set with --point-of-purchase true");
        }
        if (listed.contains(POP_RATIOS) && !pointOfPurchase) {
            throw new IllegalArgumentException(setting + " " + POP_RATIOS.id + " needs --point-of-purchase true");
        }
        EnumSet<FeatureBlock> s = EnumSet.noneOf(FeatureBlock.class);
        s.addAll(listed);
        if (pointOfPurchase) {
            s.add(POINT_OF_PURCHASE);
        }
        return check(s);
    }

    /** The blocks a list names, unchecked; fails on an unknown name. */
    private static EnumSet<FeatureBlock> ids(String setting, String csv) {
        EnumSet<FeatureBlock> s = EnumSet.noneOf(FeatureBlock.class);
        if (csv == null || csv.isBlank() || csv.trim().equalsIgnoreCase("none")) {
            return s;
        }
        for (String part : csv.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            FeatureBlock found = null;
            for (FeatureBlock b : values()) {
                if (b.id.equals(p)) {
                    found = b;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException(setting + ": unknown feature block '" + part.trim()
                        + "' (known: " + known() + ", none)");
            }
            s.add(found);
        }
        return s;
    }

    /** Every block's id, comma-separated, in declaration order (the order of a model's features). */
    public static String known() {
        StringBuilder out = new StringBuilder();
        for (FeatureBlock b : values()) {
            out.append(out.length() == 0 ? "" : ", ").append(b.id);
        }
        return out.toString();
    }

    /** The feature names of a model with these blocks: the extractor's, then each block's in declaration order. */
    public static List<String> featureNames(List<String> extractorNames, Set<FeatureBlock> blocks) {
        List<String> out = new ArrayList<>(extractorNames);
        for (FeatureBlock b : values()) {
            if (blocks.contains(b)) {
                out.addAll(b.names);
            }
        }
        return out;
    }

    /** The blocks {@code names} consists of after {@code extractorNames}, or null when it is no such list. */
    public static Set<FeatureBlock> parse(List<String> extractorNames, List<String> names) {
        if (names.size() < extractorNames.size() || !names.subList(0, extractorNames.size()).equals(extractorNames)) {
            return null;
        }
        EnumSet<FeatureBlock> s = EnumSet.noneOf(FeatureBlock.class);
        int at = extractorNames.size();
        for (FeatureBlock b : values()) {
            if (names.size() >= at + b.count() && names.subList(at, at + b.count()).equals(b.names)) {
                s.add(b);
                at += b.count();
            }
        }
        if (at != names.size() || (s.contains(POP_RATIOS) && !s.contains(POINT_OF_PURCHASE))) {
            return null;
        }
        return Collections.unmodifiableSet(s);
    }

    /** Comma-separated ids, {@code none} for the empty set. */
    public static String describe(Set<FeatureBlock> blocks) {
        if (blocks.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (FeatureBlock b : values()) {
            if (blocks.contains(b)) {
                sb.append(sb.length() == 0 ? "" : ",").append(b.id);
            }
        }
        return sb.toString();
    }

    /** The total count of features the blocks add. */
    public static int count(Set<FeatureBlock> blocks) {
        int n = 0;
        for (FeatureBlock b : blocks) {
            n += b.count();
        }
        return n;
    }
}
