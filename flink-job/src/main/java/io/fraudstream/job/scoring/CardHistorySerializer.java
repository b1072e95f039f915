package io.fraudstream.job.scoring;

import io.fraudstream.features.CardHistory;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for a card's history: delegates to the history's own compact, versioned binary
 * form (its first byte is the format version, so old state stays readable after a format change).
 * Stateless; never Kryo.
 */
public final class CardHistorySerializer extends TypeSerializer<CardHistory> {

    private static final long serialVersionUID = 1L;

    public static final CardHistorySerializer INSTANCE = new CardHistorySerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<CardHistory> duplicate() {
        return this;
    }

    @Override
    public CardHistory createInstance() {
        return new CardHistory(1);
    }

    /**
     * A deep copy with the token columns (the heap backend copies values written during a snapshot: through the
     * state form, every card touched during a checkpoint would have its tokens derived again on the task thread).
     */
    @Override
    public CardHistory copy(CardHistory from) {
        return from.copy();
    }

    @Override
    public CardHistory copy(CardHistory from, CardHistory reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CardHistory record, DataOutputView target) throws IOException {
        record.writeTo(target);
    }

    @Override
    public CardHistory deserialize(DataInputView source) throws IOException {
        return CardHistory.readFrom(source);
    }

    @Override
    public CardHistory deserialize(CardHistory reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CardHistorySerializer;
    }

    @Override
    public int hashCode() {
        return CardHistorySerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<CardHistory> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format version lives in the data itself, so the snapshot needs no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CardHistory> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
