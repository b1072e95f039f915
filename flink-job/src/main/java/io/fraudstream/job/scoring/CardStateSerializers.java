package io.fraudstream.job.scoring;

import io.fraudstream.features.HistoryChunk;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializers of the chunked card state. Each delegates to its type's own versioned binary form (first byte:
 * format version), so the snapshots need no configuration. Stateless; never Kryo.
 */
public final class CardStateSerializers {
    private CardStateSerializers() {}

    /** Serializer of a {@link HistoryChunk}. */
    public static final class Chunk extends Base<HistoryChunk> {
        private static final long serialVersionUID = 1L;
        public static final Chunk INSTANCE = new Chunk();

        @Override
        public HistoryChunk createInstance() {
            return new HistoryChunk();
        }

        @Override
        public HistoryChunk copy(HistoryChunk from) {
            return from.copy();
        }

        @Override
        public void serialize(HistoryChunk record, DataOutputView target) throws IOException {
            record.writeTo(target);
        }

        @Override
        public HistoryChunk deserialize(DataInputView source) throws IOException {
            return HistoryChunk.readFrom(source);
        }

        @Override
        public TypeSerializerSnapshot<HistoryChunk> snapshotConfiguration() {
            return new ChunkSnapshot();
        }
    }

    /** Serializer of a {@link CardStateHeader}. */
    public static final class Header extends Base<CardStateHeader> {
        private static final long serialVersionUID = 1L;
        public static final Header INSTANCE = new Header();

        @Override
        public CardStateHeader createInstance() {
            return new CardStateHeader(1);
        }

        @Override
        public CardStateHeader copy(CardStateHeader from) {
            return from.copy();
        }

        @Override
        public void serialize(CardStateHeader record, DataOutputView target) throws IOException {
            record.writeTo(target);
        }

        @Override
        public CardStateHeader deserialize(DataInputView source) throws IOException {
            return CardStateHeader.readFrom(source);
        }

        @Override
        public TypeSerializerSnapshot<CardStateHeader> snapshotConfiguration() {
            return new HeaderSnapshot();
        }
    }

    public static final class ChunkSnapshot extends SimpleTypeSerializerSnapshot<HistoryChunk> {
        public ChunkSnapshot() {
            super(() -> Chunk.INSTANCE);
        }
    }

    public static final class HeaderSnapshot extends SimpleTypeSerializerSnapshot<CardStateHeader> {
        public HeaderSnapshot() {
            super(() -> Header.INSTANCE);
        }
    }

    abstract static class Base<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this;
        }

        @Override
        public T copy(T from, T reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public T deserialize(T reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            serialize(deserialize(source), target);
        }

        @Override
        public boolean equals(Object obj) {
            return obj != null && obj.getClass() == getClass();
        }

        @Override
        public int hashCode() {
            return getClass().hashCode();
        }
    }
}
