package io.fraudstream.job.scoring;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.HistoryChunk;
import io.fraudstream.job.JobStreams;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** Reads a card's state as an operator harness holds it: the history rebuilt from its chunks, the raw parts. */
final class StoredCards {
    private StoredCards() {}

    static CardStateHeader header(AbstractStreamOperatorTestHarness<?> harness, String card) throws Exception {
        harness.getOperator().setCurrentKey(card);
        ValueState<CardStateHeader> state = harness.getOperator().getKeyedStateBackend().getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, JobStreams.CARD_HEADER);
        return state.value();
    }

    static List<HistoryChunk> chunks(AbstractStreamOperatorTestHarness<?> harness, String card) throws Exception {
        CardStateHeader header = header(harness, card);
        MapState<Integer, HistoryChunk> state = harness.getOperator().getKeyedStateBackend().getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, JobStreams.CARD_CHUNKS);
        List<HistoryChunk> out = new ArrayList<>();
        int keys = 0;
        for (Integer k : state.keys()) {
            keys++;
        }
        if (header == null) {
            return out;
        }
        if (keys != header.next - header.first) {
            throw new AssertionError("chunks stored: " + keys + ", header: " + header);
        }
        for (int i = header.first; i < header.next; i++) {
            out.add(state.get(i));
        }
        return out;
    }

    /** The card's history as a restore would rebuild it, or null when the card has no state. */
    static CardHistory history(AbstractStreamOperatorTestHarness<?> harness, String card) throws Exception {
        CardStateHeader header = header(harness, card);
        if (header == null) {
            return null;
        }
        return CardHistory.fromChunks(header.window, header.head, chunks(harness, card));
    }

    /** The card's v1 state (one whole-history value), or null. */
    static CardHistory legacy(AbstractStreamOperatorTestHarness<?> harness, String card) throws Exception {
        harness.getOperator().setCurrentKey(card);
        return harness.getOperator().getKeyedStateBackend().getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, JobStreams.CARD_HISTORY).value();
    }
}
