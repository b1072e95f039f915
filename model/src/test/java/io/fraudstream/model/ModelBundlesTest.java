package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.model.ModelRejectedException.Reason;
import io.fraudstream.model.avro.ModelBundle;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class ModelBundlesTest {

    @Test
    void roundTripIsBitExact() throws Exception {
        FraudModel model = TestModels.model("20261129T1030Z-test", 7);
        byte[] bytes = ModelBundles.toBytes(model);
        FraudModel back = ModelBundles.read(bytes);

        assertThat(back).isEqualTo(model);
        assertThat(back.extractorWeights()).isEqualTo(model.extractorWeights());
        assertThat(back.extractorWeights().modelVersion()).isEqualTo(model.extractorWeights().modelVersion());
        assertThat(back.extractorConfig().toString()).isEqualTo(model.extractorConfig().toString());
        assertThat(bitsOf(back.coefficients())).isEqualTo(bitsOf(model.coefficients()));
        assertThat(bitsOf(back.means())).isEqualTo(bitsOf(model.means()));
        assertThat(bitsOf(back.stds())).isEqualTo(bitsOf(model.stds()));
        assertThat(Double.doubleToRawLongBits(back.intercept()))
                .isEqualTo(Double.doubleToRawLongBits(model.intercept()));
        assertThat(back.metrics()).isEqualTo(model.metrics());
        assertThat(back.trainingData()).isEqualTo(model.trainingData());
        // and writing again gives the same bytes: bundles are reproducible
        assertThat(ModelBundles.toBytes(back)).isEqualTo(bytes);
    }

    @Test
    void roundTripKeepsAttentionModeAndWindow() throws Exception {
        ExtractorConfig dense = ExtractorConfig.builder().window(300).k(5).heads(1).dim(4)
                .mode(AttentionMode.DENSE).explainTop(2).build();
        FraudModel back = ModelBundles.read(ModelBundles.toBytes(TestModels.model("v1", 3, dense)));
        assertThat(back.extractorConfig().toString()).isEqualTo(dense.toString());
        assertThat(back.featureCount()).isEqualTo(4 + 5 + 16);
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] bytes = ModelBundles.toBytes(TestModels.model("v2", 1));
        for (int len = 0; len < bytes.length; len += Math.max(1, len / 7)) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> ModelBundles.read(cut)).as("length %d", len)
                    .isInstanceOfSatisfying(ModelRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        }
    }

    @Test
    void randomByteCorruptionNeverEscapesAsAnythingButARejection() {
        byte[] bytes = ModelBundles.toBytes(TestModels.model("v3", 2));
        SplittableRandom r = new SplittableRandom(11);
        int rejected = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] bad = bytes.clone();
            for (int f = 0; f < 1 + r.nextInt(4); f++) {
                bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            }
            try {
                ModelBundles.read(bad); // a flipped weight bit can still be a valid model: that is what signing is for
            } catch (ModelRejectedException e) {
                assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
                rejected++;
            }
        }
        assertThat(rejected).isPositive();
    }

    @Test
    void hugeDeclaredLengthsAreRefusedWithoutAllocating() {
        byte[] bytes = ModelBundles.toBytes(TestModels.model("v4", 2));
        // the model version string's length varint: find "v4" preceded by its zig-zag length 4
        int at = indexOf(bytes, new byte[] {4, 'v', '4'}, 200);
        assertThat(at).isPositive();
        byte[] bad = new byte[bytes.length + 4];
        System.arraycopy(bytes, 0, bad, 0, at);
        // zig-zag varint of 2^31 - 2 (string length claim ~2 GiB)
        byte[] huge = {(byte) 0xfc, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        System.arraycopy(huge, 0, bad, at, huge.length);
        System.arraycopy(bytes, at + 1, bad, at + huge.length, bytes.length - at - 1);
        assertThatThrownBy(() -> ModelBundles.read(bad)).isInstanceOfSatisfying(ModelRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void oversizeIsRefusedBeforeParsing() {
        byte[] junk = new byte[1025];
        assertThatThrownBy(() -> ModelBundles.read(junk, 1024)).isInstanceOfSatisfying(
                ModelRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    }

    @Test
    void inconsistentContentIsMalformed() throws Exception {
        FraudModel model = TestModels.model("v5", 5);
        ModelBundle ok = ModelBundles.toRecord(model);

        ModelBundle shortScaler = ModelBundle.newBuilder(ok).build();
        shortScaler.getScaler().getMeans().remove(0);
        assertMalformed(shortScaler, "means has");

        ModelBundle nan = ModelBundles.toRecord(model);
        nan.getClassifier().getCoefficients().set(3, Double.NaN);
        assertMalformed(nan, "coefficients[3] is not finite");

        ModelBundle names = ModelBundles.toRecord(model);
        names.getFeatureNames().set(0, "something_else");
        assertMalformed(names, "differ from the extractor's");

        ModelBundle weights = ModelBundles.toRecord(model);
        weights.getExtractor().getWq().remove(0);
        assertMalformed(weights, "wq");

        ModelBundle dim = ModelBundles.toRecord(model);
        dim.getExtractor().setDim(16);
        assertMalformed(dim, "do not fit");

        ModelBundle zeroStd = ModelBundles.toRecord(model);
        zeroStd.getScaler().getStds().set(1, 0.0);
        assertMalformed(zeroStd, "stds[1]");

        ModelBundle threshold = ModelBundles.toRecord(model);
        threshold.setThreshold(1.5);
        assertMalformed(threshold, "threshold");

        ModelBundle format = ModelBundles.toRecord(model);
        format.setFormatVersion(2);
        assertMalformed(format, "format version 2");

        ModelBundle mode = ModelBundles.toRecord(model);
        mode.getExtractor().setAttentionMode("QUANTUM");
        assertMalformed(mode, "unknown attention mode");

        ModelBundle version = ModelBundles.toRecord(model);
        version.setModelVersion("../../etc/passwd");
        assertMalformed(version, "model version");
    }

    @Test
    void twoRecordsAreRefused() throws Exception {
        ModelBundle r = ModelBundles.toRecord(TestModels.model("v6", 6));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<ModelBundle> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelBundle.class))) {
            w.create(ModelBundle.getClassSchema(), out);
            w.append(r);
            w.append(r);
        }
        assertThatThrownBy(() -> ModelBundles.read(out.toByteArray()))
                .isInstanceOfSatisfying(ModelRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
                .hasMessageContaining("exactly one record");
    }

    @Test
    void aPlainAvroWriterWithARandomSyncMarkerIsReadable() throws Exception {
        FraudModel model = TestModels.model("v7", 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<ModelBundle> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelBundle.class))) {
            w.create(ModelBundle.getClassSchema(), out);
            w.append(ModelBundles.toRecord(model));
        }
        assertThat(ModelBundles.read(out.toByteArray())).isEqualTo(model);
    }

    private static void assertMalformed(ModelBundle record, String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<ModelBundle> w = new DataFileWriter<>(new SpecificDatumWriter<>(ModelBundle.class))) {
            w.create(ModelBundle.getClassSchema(), out);
            w.append(record);
        }
        assertThatThrownBy(() -> ModelBundles.read(out.toByteArray()))
                .isInstanceOfSatisfying(ModelRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
                .hasMessageContaining(message);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long[] bitsOf(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
