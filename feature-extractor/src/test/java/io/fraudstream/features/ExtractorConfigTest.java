package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExtractorConfigTest {
    @Test
    void defaultsMatchTheDesign() {
        ExtractorConfig c = ExtractorConfig.defaults();
        assertThat(c.window()).isEqualTo(1024);
        assertThat(c.k()).isEqualTo(32);
        assertThat(c.heads()).isEqualTo(4);
        assertThat(c.dim()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.mode()).isEqualTo(AttentionMode.SPARSE_TOP_K);
        assertThat(c.explainTop()).isEqualTo(5);
    }

    @Test
    void invalidSettingsAreNamedInTheMessage() {
        assertThatThrownBy(() -> ExtractorConfig.builder().k(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("extractor.k must be >= 1, was 0");
        assertThatThrownBy(() -> ExtractorConfig.builder().window(0).build()).hasMessageContaining("extractor.window");
        assertThatThrownBy(() -> ExtractorConfig.builder().window(16385).build())
                .hasMessageContaining("extractor.window");
        assertThatThrownBy(() -> ExtractorConfig.builder().dim(30).heads(4).build())
                .hasMessageContaining("extractor.dim");
        assertThatThrownBy(() -> ExtractorConfig.builder().heads(0).build()).hasMessageContaining("extractor.heads");
        assertThatThrownBy(() -> ExtractorConfig.builder().mode(null).build()).hasMessageContaining("extractor.mode");
        assertThat(ExtractorConfig.builder().window(16384).k(64).build().window()).isEqualTo(16384);
    }

    @Test
    void weightsMustFitTheConfig() {
        ExtractorConfig c = ExtractorConfig.defaults();
        ExtractorWeights other = ExtractorWeights.bootstrap(c.toBuilder().dim(16).build(), 1);
        assertThatThrownBy(() -> new FeatureExtractor(c, other)).isInstanceOf(IllegalArgumentException.class);
        float[] m = new float[32 * TokenEncoder.WIDTH];
        assertThatThrownBy(() -> new ExtractorWeights("v", TokenEncoder.WIDTH, m, m, m, new float[] {-1, 0, 0, 0},
                new float[4])).hasMessageContaining("alpha[0]");
    }
}
