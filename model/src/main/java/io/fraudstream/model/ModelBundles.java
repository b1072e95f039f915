package io.fraudstream.model;

import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.model.ModelRejectedException.Reason;
import io.fraudstream.model.avro.DataRange;
import io.fraudstream.model.avro.ExtractorSpec;
import io.fraudstream.model.avro.LogisticClassifier;
import io.fraudstream.model.avro.ModelBundle;
import io.fraudstream.model.avro.Scaler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes and reads model bundles: an Avro object container file (schema {@code ModelBundle.avsc} embedded,
 * codec {@code null}) holding exactly one {@link ModelBundle} record. See docs/MODEL_BUNDLE.md.
 *
 * <p>Writing is deterministic: the same model gives the same bytes (the container's 16-byte sync marker,
 * random in Avro by default, is derived from the model version), so bundles can be reproduced and diffed.
 *
 * <p>Reading is strict and bounded, because the bytes may be hostile: the size limit is applied first;
 * the container framing is parsed here with every declared length checked against the bytes actually
 * present (Avro's own reader allocates whatever a block or string header declares); the record is then
 * walked once without allocating ({@link #checkStructure}) before Avro decodes it; finally every value is
 * validated by {@link FraudModel}. Only format version {@value #FORMAT_VERSION} and codec {@code null} are
 * accepted. Any failure is a {@link ModelRejectedException} with reason MALFORMED (or TOO_LARGE).
 */
public final class ModelBundles {
    public static final int FORMAT_VERSION = 1;
    /** Default size limit of a bundle file: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** File name extension of bundles in a {@link ModelStore}. */
    public static final String EXTENSION = ".bundle";
    static final String META_FORMAT = "fraudstream.bundle.format";

    private static final byte[] MAGIC = {'O', 'b', 'j', 1};
    private static final int SYNC_SIZE = 16;
    private static final int MAX_DEPTH = 32;

    private ModelBundles() {}

    /** Writes {@code model} as a bundle to {@code out} (not closed). */
    public static void write(FraudModel model, OutputStream out) throws IOException {
        ModelBundle record = toRecord(model);
        try (DataFileWriter<ModelBundle> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ModelBundle.class))) {
            writer.setMeta(META_FORMAT, Integer.toString(FORMAT_VERSION));
            writer.create(ModelBundle.getClassSchema(), new NonClosing(out), syncMarker(model.version()));
            writer.append(record);
        }
    }

    /** The bundle bytes of {@code model}. */
    public static byte[] toBytes(FraudModel model) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            write(model, out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /** Reads a bundle with the default size limit. */
    public static FraudModel read(byte[] bundle) throws ModelRejectedException {
        return read(bundle, DEFAULT_MAX_BYTES);
    }

    /** Reads and validates a bundle; nothing is parsed if it is larger than {@code maxBytes}. */
    public static FraudModel read(byte[] bundle, long maxBytes) throws ModelRejectedException {
        if (bundle.length > maxBytes) {
            throw new ModelRejectedException(Reason.TOO_LARGE, "bundle has " + bundle.length
                    + " bytes, the limit is " + maxBytes);
        }
        ModelBundle record;
        try {
            record = decode(bundle);
        } catch (IOException | RuntimeException e) {
            throw new ModelRejectedException(Reason.MALFORMED, "not a readable model bundle: " + e.getMessage(), e);
        }
        if (record.getFormatVersion() != FORMAT_VERSION) {
            throw new ModelRejectedException(Reason.MALFORMED, "bundle format version " + record.getFormatVersion()
                    + " is not supported (this reader knows " + FORMAT_VERSION + ")");
        }
        try {
            return fromRecord(record);
        } catch (RuntimeException e) {
            throw new ModelRejectedException(Reason.MALFORMED, "invalid model in bundle '"
                    + ModelVersions.printable(String.valueOf(record.getModelVersion())) + "': " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- record mapping

    static ModelBundle toRecord(FraudModel m) {
        ExtractorConfig c = m.extractorConfig();
        ExtractorWeights w = m.extractorWeights();
        TrainingData t = m.trainingData();
        return ModelBundle.newBuilder()
                .setFormatVersion(FORMAT_VERSION)
                .setModelVersion(m.version())
                .setCreatedAt(m.createdAt())
                .setTrainingData(DataRange.newBuilder().setSource(t.source()).setTrainFrom(t.trainFrom())
                        .setTrainTo(t.trainTo()).setValidationFrom(t.validationFrom())
                        .setValidationTo(t.validationTo()).build())
                .setFeatureNames(new ArrayList<>(m.featureNames()))
                .setExtractor(ExtractorSpec.newBuilder().setWindow(c.window()).setK(c.k()).setHeads(c.heads())
                        .setDim(c.dim()).setAttentionMode(c.mode().name()).setExplainTop(c.explainTop())
                        .setWeightsVersion(w.modelVersion()).setTokenWidth(w.tokenWidth())
                        .setWq(floats(w.queryWeights())).setWk(floats(w.keyWeights()))
                        .setWv(floats(w.valueWeights())).setAlpha(floats(w.alpha())).setBeta(floats(w.beta()))
                        .build())
                .setScaler(Scaler.newBuilder().setMeans(doubles(m.means())).setStds(doubles(m.stds())).build())
                .setClassifier(LogisticClassifier.newBuilder().setIntercept(m.intercept())
                        .setCoefficients(doubles(m.coefficients())).build())
                .setThreshold(m.threshold())
                .setMetrics(new HashMap<>(m.metrics()))
                .setProperties(new HashMap<>(m.properties()))
                .build();
    }

    static FraudModel fromRecord(ModelBundle r) {
        ExtractorSpec e = r.getExtractor();
        AttentionMode mode;
        try {
            mode = AttentionMode.valueOf(e.getAttentionMode());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("unknown attention mode '"
                    + ModelVersions.printable(e.getAttentionMode()) + "'", ex);
        }
        ExtractorConfig config = ExtractorConfig.builder().window(e.getWindow()).k(e.getK()).heads(e.getHeads())
                .dim(e.getDim()).mode(mode).explainTop(e.getExplainTop()).build();
        ExtractorWeights weights = new ExtractorWeights(e.getWeightsVersion(), e.getTokenWidth(),
                floats(e.getWq()), floats(e.getWk()), floats(e.getWv()), floats(e.getAlpha()), floats(e.getBeta()));
        DataRange d = r.getTrainingData();
        return FraudModel.builder()
                .version(r.getModelVersion())
                .createdAt(r.getCreatedAt())
                .trainingData(new TrainingData(d.getSource(), d.getTrainFrom(), d.getTrainTo(),
                        d.getValidationFrom(), d.getValidationTo()))
                .featureNames(r.getFeatureNames())
                .extractor(config, weights)
                .scaler(doubles(r.getScaler().getMeans()), doubles(r.getScaler().getStds()))
                .classifier(r.getClassifier().getIntercept(), doubles(r.getClassifier().getCoefficients()))
                .threshold(r.getThreshold())
                .metrics(r.getMetrics())
                .properties(r.getProperties())
                .build();
    }

    private static List<Float> floats(float[] a) {
        List<Float> l = new ArrayList<>(a.length);
        for (float v : a) {
            l.add(v);
        }
        return l;
    }

    private static List<Double> doubles(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double v : a) {
            l.add(v);
        }
        return l;
    }

    private static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    private static double[] doubles(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    static byte[] syncMarker(String version) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(("fraudstream-model-bundle/" + version).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, SYNC_SIZE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    // ---------------------------------------------------------------- bounded container parsing

    /**
     * Parses the container: magic, metadata map, sync marker, then exactly one block holding one record,
     * then the end of the input. Every length is checked against the bytes present before anything is
     * allocated for it.
     */
    private static ModelBundle decode(byte[] bytes) throws IOException {
        Cursor in = new Cursor(bytes);
        if (!Arrays.equals(in.take(MAGIC.length), MAGIC)) {
            throw new IOException("not an Avro object container file (bad magic)");
        }
        Map<String, byte[]> meta = new HashMap<>();
        for (long count = in.readLong(); count != 0; count = in.readLong()) {
            if (count < 0) {
                count = -count;
                in.readLong(); // block size in bytes, redundant here
            }
            if (count > in.remaining()) {
                throw new IOException("metadata claims " + count + " entries");
            }
            for (long i = 0; i < count; i++) {
                String key = new String(in.take(in.readLength()), StandardCharsets.UTF_8);
                meta.put(key, in.take(in.readLength()));
            }
        }
        byte[] sync = in.take(SYNC_SIZE);
        byte[] codec = meta.get("avro.codec");
        if (codec != null && !"null".equals(new String(codec, StandardCharsets.UTF_8))) {
            throw new IOException("unsupported codec '" + ModelVersions.printable(new String(codec,
                    StandardCharsets.UTF_8)) + "' (bundles use codec null)");
        }
        byte[] schemaJson = meta.get("avro.schema");
        if (schemaJson == null) {
            throw new IOException("no embedded schema");
        }
        Schema writer;
        try {
            writer = new Schema.Parser().setValidateDefaults(true)
                    .parse(new String(schemaJson, StandardCharsets.UTF_8));
        } catch (SchemaParseException e) {
            throw new IOException("embedded schema is invalid: " + e.getMessage(), e);
        }
        if (writer.getType() != Schema.Type.RECORD) {
            throw new IOException("embedded schema is not a record");
        }
        long records = in.readLong();
        if (records != 1) {
            throw new IOException("a bundle holds exactly one record, the first block declares " + records);
        }
        int size = in.readLength();
        int start = in.position();
        in.take(size);
        if (!Arrays.equals(in.take(SYNC_SIZE), sync)) {
            throw new IOException("block does not end with the file's sync marker (corrupt or truncated)");
        }
        if (in.remaining() != 0) {
            throw new IOException(in.remaining() + " unexpected bytes after the record block");
        }
        // Walk the record without allocating: proves every length inside fits the block.
        BinaryDecoder walk = DecoderFactory.get().binaryDecoder(bytes, start, size, null);
        long[] budget = {size};
        checkStructure(writer, walk, budget, 0);
        if (!walk.isEnd()) {
            throw new IOException("record block has trailing bytes");
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, start, size, null);
        SpecificDatumReader<ModelBundle> reader = new SpecificDatumReader<>(writer, ModelBundle.getClassSchema());
        try {
            return reader.read(null, decoder);
        } catch (AvroRuntimeException e) {
            throw new IOException("record does not match the ModelBundle schema: " + e.getMessage(), e);
        }
    }

    /**
     * Skips one value of {@code schema}, never allocating for a declared length. {@code budget[0]} bounds the
     * total number of collection items (each takes at least one byte in any sane schema), so a block of
     * zero-width items cannot make this loop for long.
     */
    private static void checkStructure(Schema schema, BinaryDecoder in, long[] budget, int depth)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("schema nesting deeper than " + MAX_DEPTH);
        }
        switch (schema.getType()) {
            case RECORD:
                for (Schema.Field f : schema.getFields()) {
                    checkStructure(f.schema(), in, budget, depth + 1);
                }
                break;
            case ARRAY:
            case MAP:
                boolean map = schema.getType() == Schema.Type.MAP;
                for (long n = map ? in.readMapStart() : in.readArrayStart(); n != 0;
                        n = map ? in.mapNext() : in.arrayNext()) {
                    budget[0] -= n;
                    if (n < 0 || budget[0] < 0) {
                        throw new IOException("collection declares more items than the block can hold");
                    }
                    for (long i = 0; i < n; i++) {
                        if (map) {
                            in.skipString();
                        }
                        checkStructure(map ? schema.getValueType() : schema.getElementType(), in, budget,
                                depth + 1);
                    }
                }
                break;
            case UNION:
                int branch = in.readIndex();
                if (branch < 0 || branch >= schema.getTypes().size()) {
                    throw new IOException("union branch " + branch + " out of range");
                }
                checkStructure(schema.getTypes().get(branch), in, budget, depth + 1);
                break;
            case STRING:
                in.skipString();
                break;
            case BYTES:
                in.skipBytes();
                break;
            case FIXED:
                in.skipFixed(schema.getFixedSize());
                break;
            case ENUM:
                int symbol = in.readEnum();
                if (symbol < 0 || symbol >= schema.getEnumSymbols().size()) {
                    throw new IOException("enum symbol " + symbol + " out of range");
                }
                break;
            case INT:
                in.readInt();
                break;
            case LONG:
                in.readLong();
                break;
            case FLOAT:
                in.readFloat();
                break;
            case DOUBLE:
                in.readDouble();
                break;
            case BOOLEAN:
                in.readBoolean();
                break;
            case NULL:
                in.readNull();
                break;
            default:
                throw new IOException("unsupported schema type " + schema.getType());
        }
    }

    /** Reads Avro varints and byte runs from an array, refusing to run past its end. */
    private static final class Cursor {
        private final byte[] b;
        private int pos;

        Cursor(byte[] b) {
            this.b = b;
        }

        int position() {
            return pos;
        }

        int remaining() {
            return b.length - pos;
        }

        byte[] take(int n) throws IOException {
            if (n < 0 || n > remaining()) {
                throw new IOException("truncated: need " + n + " bytes at offset " + pos + ", " + remaining()
                        + " left");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        /** A zig-zag varint long. */
        long readLong() throws IOException {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw new IOException("truncated varint at offset " + pos);
                }
                int x = b[pos++] & 0xff;
                raw |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new IOException("invalid varint at offset " + pos);
        }

        /** A length that must fit in the remaining bytes. */
        int readLength() throws IOException {
            long n = readLong();
            if (n < 0 || n > remaining()) {
                throw new IOException("length " + n + " at offset " + pos + " exceeds the " + remaining()
                        + " bytes left");
            }
            return (int) n;
        }
    }

    /** DataFileWriter closes its stream; callers own theirs. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
