package io.fraudstream.replay.run;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.flink.runtime.checkpoint.InflightDataRescalingDescriptor;

/**
 * Kryo serializer of Flink's {@code InflightDataRescalingDescriptor.NO_RESCALE} singleton (a package-private class),
 * which the State Processor API ships between its writer operators with Kryo. Kryo's default instantiation of a
 * package-private class needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (Flink's own launch scripts pass it;
 * this project's launcher and tests do not) and fails with an {@code IllegalAccessError} without it. Writes nothing
 * and reads the singleton back. Used by {@link StateBootstrap} only.
 */
public final class NoRescaleKryoSerializer extends Serializer<InflightDataRescalingDescriptor> {

    /** The class this serializer is registered for. */
    static final String TYPE = "org.apache.flink.runtime.checkpoint.InflightDataRescalingDescriptor$NoRescalingDescriptor";

    @Override
    public void write(Kryo kryo, Output output, InflightDataRescalingDescriptor value) {
        // the singleton: nothing to write
    }

    @Override
    public InflightDataRescalingDescriptor read(Kryo kryo, Input input,
            Class<? extends InflightDataRescalingDescriptor> type) {
        return InflightDataRescalingDescriptor.NO_RESCALE;
    }
}
