package io.fraudstream.console.rules;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.replay.backtest.Backtest;
import io.fraudstream.replay.backtest.BacktestReport;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.trainer.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's backtest: {@link Backtest#run} (the job's scoring topology and RuleStage on a bounded replay of a
 * historical file, as {@code fraudstream backtest}) with the registry's champion as the model when the console has a
 * model store (else the bootstrap model), reported as a JSON-ready map: tokens only, never a card number.
 */
public final class ReplayBacktester implements RulesService.Backtester {

    private final ModelRegistry registry;
    private final Path modelStore;
    private final Path keys;
    private final Path cardTokenKeyFile;
    private final int parallelism;

    /** {@code registry}, {@code modelStore}, {@code keys} null: the bootstrap model. */
    public ReplayBacktester(ModelRegistry registry, Path modelStore, Path keys, Path cardTokenKeyFile,
            int parallelism) {
        this.registry = registry;
        this.modelStore = modelStore;
        this.keys = keys;
        this.cardTokenKeyFile = cardTokenKeyFile;
        this.parallelism = parallelism;
    }

    @Override
    public Map<String, Object> run(RuleSet candidate, Path input, LocalDate from, LocalDate to) throws Exception {
        Backtest.Request request = Backtest.Request.of(input)
                .withWindow(from == null ? null : from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                        to == null ? null : to.atStartOfDay(ZoneOffset.UTC).toInstant())
                .withParallelism(parallelism);
        if (cardTokenKeyFile != null) {
            request = request.withCardTokenKeyFile(cardTokenKeyFile);
        }
        Path descriptorFile = null;
        try {
            Optional<ModelDescriptor> champion = registry == null ? Optional.empty() : registry.champion();
            if (champion.isPresent()) {
                descriptorFile = Files.createTempFile("console-backtest-champion", ".json");
                AvroJson.write(champion.get(), descriptorFile);
                request = new Backtest.Request(request.input(), request.format(), request.mapping(),
                        request.labels(), request.timeZone(), request.cardTokenKeyFile(), request.from(),
                        request.to(), modelStore, keys.resolve(SigningKeys.PUBLIC_KEY_FILE), descriptorFile,
                        request.bootstrapSeed(), request.parallelism());
            }
            return report(Backtest.run(candidate, request, Progress.silent()));
        } finally {
            if (descriptorFile != null) {
                Files.deleteIfExists(descriptorFile);
            }
        }
    }

    static Map<String, Object> report(BacktestReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        BacktestReport.SetFigures s = r.set();
        m.put("model", r.modelVersion());
        m.put("threshold", r.threshold());
        m.put("events", r.transactions());
        m.put("labelled", r.labelled());
        m.put("frauds", r.frauds());
        m.put("days", r.days());
        m.put("hits", s.hits());
        m.put("hitsPerDay", round(s.hitsPerDay()));
        m.put("hitPrecision", round(s.hitPrecision()));
        m.put("hitRecall", round(s.hitRecall()));
        m.put("modelAlerts", s.modelAlerts());
        m.put("alerts", s.alerts());
        m.put("alertsAdded", s.added());
        m.put("alertsRemoved", s.removed());
        m.put("modelAlertRate", round(s.modelAlertRate()));
        m.put("alertRate", round(s.alertRate()));
        m.put("alertRateChange", String.format(java.util.Locale.ROOT, "%+.3f points", s.alertRateChangePoints()));
        m.put("modelPrecision", round(s.modelPrecision()));
        m.put("modelRecall", round(s.modelRecall()));
        m.put("precision", round(s.precision()));
        m.put("recall", round(s.recall()));
        m.put("failures", s.failures());
        List<Object> rules = new ArrayList<>();
        for (BacktestReport.RuleFigures f : r.rules()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", f.name());
            x.put("action", f.action());
            x.put("hits", f.hits());
            x.put("hitsPerDay", round(f.hitsPerDay()));
            x.put("precision", round(f.precision()));
            x.put("recall", round(f.recall()));
            x.put("added", f.added());
            x.put("removed", f.removed());
            rules.add(x);
        }
        m.put("rules", rules);
        List<Object> examples = new ArrayList<>();
        for (BacktestReport.Example e : r.examples()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("rule", e.rule());
            x.put("transactionId", e.transactionId());
            x.put("cardId", e.cardToken()); // a token, never a card number
            x.put("eventTime", e.time() == null ? null : e.time().toEpochMilli());
            x.put("amount", String.format(java.util.Locale.ROOT, "%.2f %s", e.amount(), e.currency()));
            x.put("merchant", e.merchant());
            x.put("rules", List.of(e.firedRules()));
            x.put("score", e.score());
            x.put("fraud", e.fraud());
            examples.add(x);
        }
        m.put("examples", examples);
        return m;
    }

    /** NaN (no labels, no events) as null: JSON has no NaN. */
    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
    }
}
