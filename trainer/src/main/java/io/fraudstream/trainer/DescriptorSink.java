package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;

/** Where issued descriptors go besides the registry's files: the {@code model-updates} topic, or nowhere. */
public interface DescriptorSink extends AutoCloseable {
    DescriptorSink NONE = new DescriptorSink() {
        @Override
        public void send(ModelDescriptor descriptor) {}

        @Override
        public String toString() {
            return "no topic";
        }
    };

    /** Sends and waits for the acknowledgement; throws if it could not be delivered. */
    void send(ModelDescriptor descriptor) throws Exception;

    @Override
    default void close() {}
}
