package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelVersions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retraining cycle (what {@code train} runs once and {@code loop} every 8 hours):
 * <ol>
 *   <li>load the labelled data and fix the split (the latest windows, or the configured one);</li>
 *   <li>evaluate the champion on the validation slice (the registry's champion, loaded and verified; before any
 *       promotion, the deterministic bootstrap model the job starts with);</li>
 *   <li>a shadow whose shadow period is over is judged against the champion on this cycle's slice (fresh data)
 *       and promoted or rolled back;</li>
 *   <li>a candidate is trained, published as the shadow, loaded back from the store through the verifying loader
 *       and evaluated on the same slice as the champion; with a zero shadow period it is judged at once.</li>
 * </ol>
 * Every decision is logged with its figures (registry {@code decisions.log}).
 */
public final class ModelCycle {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCycle.class);
    static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

    /** Makes a candidate; {@link ModelTrainer#train} in production, a stand-in in tests. */
    @FunctionalInterface
    public interface CandidateTrainer {
        ModelTrainer.Outcome train(LabelledData data, TimeSplit split, String version, Instant createdAt);
    }

    /** Where the labelled data comes from; called once per cycle. */
    @FunctionalInterface
    public interface DataSource {
        LabelledData load() throws IOException;
    }

    /**
     * @param split a fixed split, or null for the latest windows of the data ({@code train} null: all before)
     * @param shadowPeriod how long a candidate is scored as shadow before it is judged; zero judges at once
     * @param bootstrapSeed seed of the bootstrap model used as champion before any promotion
     */
    public record Settings(TimeSplit split, Duration train, Duration gap, Duration validation, Duration shadowPeriod,
            Gates gates, long bootstrapSeed) {
        public Settings {
            Objects.requireNonNull(gap, "gap");
            Objects.requireNonNull(validation, "validation");
            Objects.requireNonNull(shadowPeriod, "shadowPeriod");
            Objects.requireNonNull(gates, "gates");
        }

        public static Settings defaults() {
            return new Settings(null, null, Duration.ofDays(7), Duration.ofDays(15), Duration.ofHours(8),
                    Gates.DEFAULTS, 42L);
        }

        public Settings withShadowPeriod(Duration v) {
            return new Settings(split, train, gap, validation, v, gates, bootstrapSeed);
        }

        public Settings withGates(Gates v) {
            return new Settings(split, train, gap, validation, shadowPeriod, v, bootstrapSeed);
        }

        public Settings withSplit(TimeSplit v) {
            return new Settings(v, train, gap, validation, shadowPeriod, gates, bootstrapSeed);
        }
    }

    /** What a cycle did. */
    public record Report(String candidate, Evaluation candidateEvaluation, Evaluation championEvaluation,
            Optional<String> decision, long millis) {}

    private final DataSource source;
    private final CandidateTrainer trainer;
    private final ModelRegistry registry;
    private final Settings settings;
    private final Clock clock;

    public ModelCycle(DataSource source, CandidateTrainer trainer, ModelRegistry registry, Settings settings,
            Clock clock) {
        this.source = source;
        this.trainer = trainer;
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
    }

    public Report runOnce() throws Exception {
        long t0 = System.nanoTime();
        LabelledData data = source.load();
        if (data.isEmpty()) {
            throw new IllegalStateException("no labelled data in " + data.source());
        }
        TimeSplit split = settings.split() != null ? settings.split()
                : TimeSplit.latest(data.minTime(), data.maxTime(), settings.train(), settings.gap(),
                        settings.validation());
        long tLoaded = System.nanoTime();
        LOG.info("Cycle on {}: {}", data, split);
        Evaluation champion = evaluateChampion(data, split);
        long tChampion = System.nanoTime();
        LOG.info("Champion on the validation slice: {}", champion);

        Optional<String> decision = Optional.empty();
        Optional<ModelDescriptor> pending = registry.shadow();
        Optional<Instant> since = registry.shadowSince();
        if (pending.isPresent() && since.isPresent()
                && !clock.instant().isBefore(since.get().plus(settings.shadowPeriod()))) {
            decision = Optional.of(judge(pending.get(), data, split, champion));
            champion = evaluateChampion(data, split);
        }

        String version = nextVersion();
        long tTrain = System.nanoTime();
        ModelTrainer.Outcome outcome = trainer.train(data, split, version, clock.instant());
        Map<String, Object> figures = figures(null, champion);
        figures.putAll(trainingFigures(outcome));
        long tPublish = System.nanoTime();
        ModelDescriptor shadow = registry.deployShadow(outcome.model(), figures);
        long tEvaluate = System.nanoTime();
        Evaluation candidate = evaluateDescriptor(shadow, data, split);
        long tDone = System.nanoTime();
        LOG.info("Candidate on the same slice: {}", candidate);
        LOG.info("Cycle phases (ms): load {}, champion evaluation {}, training {}, sign + publish {}, candidate load +"
                + " evaluation {}", ms(tLoaded - t0), ms(tChampion - tLoaded), ms(tPublish - tTrain),
                ms(tEvaluate - tPublish), ms(tDone - tEvaluate));
        if (settings.shadowPeriod().isZero()) {
            decision = Optional.of(judge(shadow, candidate, champion));
        }
        return new Report(version, candidate, champion, decision, (System.nanoTime() - t0) / 1_000_000);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** Judges a pending shadow on this cycle's data: promote if the gates pass, otherwise roll back. */
    private String judge(ModelDescriptor shadow, LabelledData data, TimeSplit split, Evaluation champion)
            throws Exception {
        return judge(shadow, evaluateDescriptor(shadow, data, split), champion);
    }

    private String judge(ModelDescriptor shadow, Evaluation candidate, Evaluation champion) throws Exception {
        Gates.Verdict verdict = settings.gates().judge(candidate, champion);
        Map<String, Object> figures = figures(candidate, champion);
        figures.put("gates.apMargin", settings.gates().apMargin());
        figures.put("gates.minAlertRate", settings.gates().minAlertRate());
        figures.put("gates.maxAlertRate", settings.gates().maxAlertRate());
        if (verdict.pass()) {
            registry.promote(shadow.getModelVersion(), "gates passed against " + champion.version(), figures);
            return "PROMOTE " + shadow.getModelVersion();
        }
        registry.retireShadow("gates failed against " + champion.version() + ": " + String.join("; ",
                verdict.failures()), figures);
        return "ROLLBACK " + shadow.getModelVersion();
    }

    private Evaluation evaluateChampion(LabelledData data, TimeSplit split) throws IOException {
        Optional<ModelDescriptor> champion = registry.champion();
        if (champion.isPresent()) {
            return evaluateDescriptor(champion.get(), data, split);
        }
        FraudModel bootstrap = BootstrapModel.create(settings.bootstrapSeed());
        return Evaluation.of(bootstrap, data, split);
    }

    /** Loads through the verifying loader (so load errors count against the model), then scores. */
    private Evaluation evaluateDescriptor(ModelDescriptor d, LabelledData data, TimeSplit split) {
        FraudModel model;
        try {
            model = registry.load(d);
        } catch (ModelRejectedException e) {
            return Evaluation.failed(d.getModelVersion(), "load refused (" + e.reason() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            return Evaluation.failed(d.getModelVersion(), "load failed: " + e);
        }
        return Evaluation.of(model, data, split);
    }

    /** {@code yyyyMMdd'T'HHmm'Z'-trained} at the clock, moved a minute on until newer than every stored version. */
    String nextVersion() throws IOException {
        Instant t = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        List<String> existing = registry.store().versions();
        Optional<ModelDescriptor> champion = registry.champion();
        String newest = existing.isEmpty() ? null : existing.get(existing.size() - 1);
        if (champion.isPresent() && (newest == null
                || ModelVersions.isNewer(champion.get().getModelVersion(), newest))) {
            newest = champion.get().getModelVersion();
        }
        while (true) {
            String v = VERSION_TIME.format(t) + "-trained";
            if (newest == null || ModelVersions.isNewer(v, newest)) {
                return v;
            }
            t = t.plus(Duration.ofMinutes(1));
        }
    }

    private static Map<String, Object> figures(Evaluation candidate, Evaluation champion) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (candidate != null) {
            put(f, "candidate", candidate);
        }
        if (champion != null) {
            put(f, "champion", champion);
        }
        return f;
    }

    private static void put(Map<String, Object> f, String prefix, Evaluation e) {
        f.put(prefix + ".version", e.version());
        e.error().ifPresent(err -> f.put(prefix + ".error", err));
        e.figures().ifPresent(x -> {
            f.put(prefix + ".auc", x.auc());
            f.put(prefix + ".averagePrecision", x.averagePrecision());
            f.put(prefix + ".alertRate", x.alertRate());
            f.put(prefix + ".recallAtThreshold", x.recallAtThreshold());
            f.put(prefix + ".fprAt80Recall", x.fprAt80Recall());
            f.put(prefix + ".rows", x.rows());
            f.put(prefix + ".frauds", x.frauds());
        });
    }

    private static Map<String, Object> trainingFigures(ModelTrainer.Outcome o) {
        Map<String, Object> f = new LinkedHashMap<>();
        Metrics.Figures v = o.classifier().validation();
        f.put("candidate.version", o.model().version());
        f.put("candidate.auc", v.auc());
        f.put("candidate.averagePrecision", v.averagePrecision());
        f.put("candidate.alertRate", v.alertRate());
        f.put("candidate.recallAtThreshold", v.recallAtThreshold());
        f.put("candidate.lambda", o.classifier().lambda());
        f.put("candidate.threshold", o.model().threshold());
        if (o.attention() != null) {
            f.put("attention.lossBefore", o.attention().initialLoss());
            f.put("attention.lossAfter", o.attention().finalLoss());
        }
        f.put("trainMillis", o.totalMillis());
        return f;
    }
}
