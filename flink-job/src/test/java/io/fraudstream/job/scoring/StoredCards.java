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

    /** The card's chunks as a restore reads them: the tail completed by its delta segments (CardStateStore). */
    static List<HistoryChunk> chunks(AbstractStreamOperatorTestHarness<?> harness, String card) throws Exception {
        CardStateHeader header = header(harness, card);
        MapState<Integer, HistoryChunk> state = harness.getOperator().getKeyedStateBackend().getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, JobStreams.CARD_CHUNKS);
        List<java.util.Map.Entry<Integer, HistoryChunk>> entries = new ArrayList<>();
        for (java.util.Map.Entry<Integer, HistoryChunk> e : state.entries()) {
            entries.add(java.util.Map.entry(e.getKey(), e.getValue()));
        }
        if (header == null) {
            return new ArrayList<>();
        }
        // Every chunk the header names, the tail's stored part absent only while all of it is in segments.
        long chunksStored = entries.stream().filter(e -> e.getKey() >= 0).count();
        long segmentsStored = entries.size() - chunksStored;
        int named = header.next - header.first;
        if (segmentsStored != header.segments
                || !(chunksStored == named || (header.segments > 0 && chunksStored == named - 1))) {
            throw new AssertionError("map entries stored: " + chunksStored + " chunks and " + segmentsStored
                    + " segments, header: " + header);
        }
        return CardStateStore.assemble(header, entries);
    }

    /** The card's map entries by key (chunks at their index, tail segments at -1, -2, ...). */
    static java.util.Map<Integer, HistoryChunk> entries(AbstractStreamOperatorTestHarness<?> harness, String card)
            throws Exception {
        harness.getOperator().setCurrentKey(card);
        MapState<Integer, HistoryChunk> state = harness.getOperator().getKeyedStateBackend().getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, JobStreams.CARD_CHUNKS);
        java.util.Map<Integer, HistoryChunk> out = new java.util.TreeMap<>();
        for (java.util.Map.Entry<Integer, HistoryChunk> e : state.entries()) {
            out.put(e.getKey(), e.getValue());
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
