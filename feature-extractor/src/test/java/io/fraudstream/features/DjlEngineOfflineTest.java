package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The PyTorch engine must load from the bundled native jar with downloads disabled. */
class DjlEngineOfflineTest {

    @Test
    void pytorchEngineLoadsOfflineFromBundledNatives() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(engine.getEngineName()).isEqualTo("PyTorch");
        try (NDManager manager = NDManager.newBaseManager(engine.getEngineName())) {
            NDArray a = manager.create(new float[] {1f, 2f, 3f});
            assertThat(a.mul(2f).sum().getFloat()).isEqualTo(12f);
        }
    }
}
