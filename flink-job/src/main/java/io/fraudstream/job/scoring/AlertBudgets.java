package io.fraudstream.job.scoring;

import io.fraudstream.model.scoring.AlertBudget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link AlertBudget} per model version on a scoring subtask ({@code alert.budget}): the champion's, a shadow's
 * (its alert rate is then comparable with the champion's). A shadow's window is full when it is promoted, so a promotion does not fall back to the bundle's threshold.
 *
 * <p>Kept in operator list state (split, not union), one element per model version per subtask ({@link #encode()}):
 * a restore at the same parallelism gives each subtask its own windows back; after rescaling each subtask merges the
 * elements it is given (a quantile of summed counts is the same quantile; a subtask given none starts on the model's
 * threshold and refills). Union state would give every subtask every window, and the next snapshot would then hold
 * each count once per subtask. At most {@value #MAX_MODELS} versions are kept, least recently used first out.
 */
final class AlertBudgets {

    static final int MAX_MODELS = 4;

    private final AlertBudget.Settings settings;
    private final Map<String, AlertBudget> byVersion = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AlertBudget> eldest) {
            return size() > MAX_MODELS;
        }
    };

    AlertBudgets(AlertBudget.Settings settings) {
        this.settings = settings;
    }

    /** The threshold for {@code version}'s score of an event at {@code eventTimeMillis}. */
    double threshold(String version, long eventTimeMillis, double modelThreshold) {
        return budget(version).threshold(eventTimeMillis, modelThreshold);
    }

    /** Counts {@code version}'s score (after it was decided). */
    void observe(String version, long eventTimeMillis, double score) {
        budget(version).observe(eventTimeMillis, score);
    }

    /** Whether {@code version}'s window sets its threshold now. */
    boolean active(String version) {
        AlertBudget b = byVersion.get(version);
        return b != null && b.active();
    }

    private AlertBudget budget(String version) {
        AlertBudget b = byVersion.get(version);
        if (b == null) {
            b = new AlertBudget(settings);
            byVersion.put(version, b);
        }
        return b;
    }

    /** This subtask's windows, one element per version. */
    List<byte[]> encode() {
        List<byte[]> out = new ArrayList<>();
        byVersion.forEach((version, b) -> out.add(element(version, b.encode())));
        return out;
    }

    /**
     * The elements this subtask is given after a restore, merged per version. A window encoded with another
     * {@code alert.budget-window} does not line up and is dropped (it refills).
     */
    void restore(Iterable<byte[]> elements) {
        for (byte[] e : elements) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(e))) {
                String version = in.readUTF();
                budget(version).merge(in.readAllBytes());
            } catch (IOException ex) {
                throw new UncheckedIOException("unreadable alert budget state", ex);
            }
        }
    }

    /** Versions with a window, least recently used first. */
    List<String> versions() {
        return new ArrayList<>(byVersion.keySet());
    }

    private static byte[] element(String version, byte[] budget) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(budget.length + version.length() + 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(version);
            out.write(budget);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
