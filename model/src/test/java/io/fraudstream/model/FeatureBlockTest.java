package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.features.CardWindowFeatures;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.TransactionFieldFeatures;
import io.fraudstream.features.pop.PopFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeatureBlockTest {
    static final List<String> EXTRACTOR = Arrays.asList(FeatureExtractor.featureNames(8));

    @Test
    void namesRoundTripForEveryValidSet() {
        List<Set<FeatureBlock>> sets = List.of(FeatureBlock.none(), FeatureBlock.of(FeatureBlock.POINT_OF_PURCHASE),
                FeatureBlock.of(FeatureBlock.CARD_WINDOWS),
                FeatureBlock.of(FeatureBlock.POINT_OF_PURCHASE, FeatureBlock.POP_RATIOS),
                FeatureBlock.of(FeatureBlock.CARD_WINDOWS, FeatureBlock.POP_RATIOS, FeatureBlock.POINT_OF_PURCHASE),
                FeatureBlock.of(FeatureBlock.values()), FeatureBlock.of(FeatureBlock.TRANSACTION_FIELDS),
                FeatureBlock.of(FeatureBlock.AMOUNT_BINS), FeatureBlock.of(FeatureBlock.CARD_WINDOWS, FeatureBlock.AMOUNT_BINS));
        for (Set<FeatureBlock> s : sets) {
            List<String> names = FeatureBlock.featureNames(EXTRACTOR, s);
            assertThat(names).hasSize(EXTRACTOR.size() + FeatureBlock.count(s));
            assertThat(FeatureBlock.parse(EXTRACTOR, names)).isEqualTo(s);
        }
        List<String> all = FeatureBlock.featureNames(EXTRACTOR, sets.get(5));
        assertThat(all.subList(EXTRACTOR.size(), all.size())).containsExactlyElementsOf(concat(PopFeatures.NAMES,
                PopFeatures.RATIO_NAMES, CardWindowFeatures.NAMES, TransactionFieldFeatures.NAMES,
                io.fraudstream.features.AmountBinFeatures.NAMES));
        assertThat(new java.util.HashSet<>(all)).as("no name twice").hasSize(all.size());
    }

    @Test
    void aBundleWrittenBeforeTheBlocksExistedReadsAsBefore() {
        List<String> old = new ArrayList<>(EXTRACTOR);
        old.addAll(PopFeatures.NAMES);
        assertThat(FeatureBlock.parse(EXTRACTOR, old)).containsExactly(FeatureBlock.POINT_OF_PURCHASE);
        assertThat(FeatureBlock.parse(EXTRACTOR, EXTRACTOR)).isEmpty();
    }

    @Test
    void refusesWrongOrderUnknownNamesAndRatiosWithoutCounts() {
        assertThat(FeatureBlock.parse(EXTRACTOR, concat(EXTRACTOR, CardWindowFeatures.NAMES, PopFeatures.NAMES)))
                .as("blocks out of order").isNull();
        assertThat(FeatureBlock.parse(EXTRACTOR, concat(EXTRACTOR, PopFeatures.RATIO_NAMES)))
                .as("ratios without the counts they come from").isNull();
        assertThat(FeatureBlock.parse(EXTRACTOR, concat(EXTRACTOR, List.of("surprise")))).isNull();
        assertThat(FeatureBlock.parse(EXTRACTOR, EXTRACTOR.subList(1, EXTRACTOR.size()))).isNull();
        assertThatThrownBy(() -> FeatureBlock.of(FeatureBlock.POP_RATIOS)).hasMessageContaining("point-of-purchase");
    }

    @Test
    void parsesCommandLineListsAndNamesTheSettingOnError() {
        assertThat(FeatureBlock.parseList("--feature-blocks", "card-windows, pop-ratios,point-of-purchase"))
                .containsExactlyInAnyOrder(FeatureBlock.CARD_WINDOWS, FeatureBlock.POP_RATIOS,
                        FeatureBlock.POINT_OF_PURCHASE);
        assertThat(FeatureBlock.parseList("--feature-blocks", "none")).isEmpty();
        assertThat(FeatureBlock.parseList("--feature-blocks", "")).isEmpty();
        assertThatThrownBy(() -> FeatureBlock.parseList("--feature-blocks", "card-window"))
                .hasMessageContaining("--feature-blocks").hasMessageContaining("card-window'")
                .hasMessageContaining("card-windows");
        assertThatThrownBy(() -> FeatureBlock.parseList("--feature-blocks", "pop-ratios"))
                .hasMessageStartingWith("--feature-blocks:").hasMessageContaining("needs point-of-purchase");
        assertThat(FeatureBlock.describe(FeatureBlock.of(FeatureBlock.CARD_WINDOWS, FeatureBlock.POINT_OF_PURCHASE)))
                .isEqualTo("point-of-purchase,card-windows");
    }

    @Test
    void listsForDataAddTheCountsWhenTheDataHasThemAndRefuseThemInTheList() {
        // the trainer's default list, and its default with --point-of-purchase true
        String defaults = "card-windows,transaction-fields";
        assertThat(FeatureBlock.parseList("--feature-blocks", defaults, false))
                .containsExactlyInAnyOrder(FeatureBlock.CARD_WINDOWS, FeatureBlock.TRANSACTION_FIELDS);
        assertThat(FeatureBlock.parseList("--feature-blocks", defaults, true))
                .containsExactlyInAnyOrder(FeatureBlock.POINT_OF_PURCHASE, FeatureBlock.CARD_WINDOWS,
                        FeatureBlock.TRANSACTION_FIELDS);
        assertThat(FeatureBlock.parseList("--feature-blocks", defaults + ",pop-ratios", true))
                .containsExactlyInAnyOrder(FeatureBlock.POINT_OF_PURCHASE, FeatureBlock.POP_RATIOS,
                        FeatureBlock.CARD_WINDOWS, FeatureBlock.TRANSACTION_FIELDS);
        assertThatThrownBy(() -> FeatureBlock.parseList("--feature-blocks", "card-windows, Pop-Ratios", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--feature-blocks pop-ratios needs --point-of-purchase true");
        for (boolean pop : new boolean[] {false, true}) {
            assertThatThrownBy(() -> FeatureBlock.parseList("--feature-blocks", "card-windows,point-of-purchase",
                    pop))
                    .hasMessage("--feature-blocks: point-of-purchase is set with --point-of-purchase true");
        }
        assertThat(FeatureBlock.parseList("--feature-blocks", "none", false)).isEmpty();
        assertThat(FeatureBlock.parseList("--feature-blocks", " NONE ", true))
                .containsExactly(FeatureBlock.POINT_OF_PURCHASE);
        assertThat(FeatureBlock.parseList("--feature-blocks", "", true)).containsExactly(FeatureBlock.POINT_OF_PURCHASE);
        assertThatThrownBy(() -> FeatureBlock.parseList("--feature-blocks", "card-window", true))
                .hasMessageContaining("unknown feature block 'card-window'");
        // the same rule for blocks that come as a set (TrainerSettings.blocksFor)
        assertThat(FeatureBlock.forData("--feature-blocks", Set.of(FeatureBlock.POP_RATIOS), true))
                .containsExactlyInAnyOrder(FeatureBlock.POINT_OF_PURCHASE, FeatureBlock.POP_RATIOS);
        assertThatThrownBy(() -> FeatureBlock.forData("--feature-blocks", Set.of(FeatureBlock.POP_RATIOS), false))
                .hasMessage("--feature-blocks pop-ratios needs --point-of-purchase true");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }
}
