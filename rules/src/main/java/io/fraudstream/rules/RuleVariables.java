package io.fraudstream.rules;

import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.pop.PopFeatures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The variables a rule can use, with their CEL types: one list, used to declare them to the type checker and to
 * read them off {@link RuleFacts} at evaluation, and printed in docs/RULES.md. Times are UTC.
 */
public final class RuleVariables {

    /** A declared variable: name, CEL type, meaning, and how to read it off the facts. */
    public record Variable(String name, CelType type, String doc, Function<RuleFacts, Object> value) {}

    /** Every variable by name, in documentation order. */
    public static final Map<String, Variable> ALL = build();

    private RuleVariables() {}

    private static Map<String, Variable> build() {
        List<Variable> v = new ArrayList<>();
        v.add(new Variable("amount", SimpleType.DOUBLE, "amount in major units of `currency` (dollars)", f -> f.amount));
        v.add(new Variable("amount_minor", SimpleType.INT, "amount in minor units (cents), exact", f -> f.amountMinor));
        v.add(new Variable("currency", SimpleType.STRING, "ISO 4217 code, e.g. \"USD\"", f -> f.currency));
        v.add(new Variable("merchant", SimpleType.STRING, "merchant id", f -> f.merchant));
        v.add(new Variable("category", SimpleType.STRING, "merchant category", f -> f.category));
        v.add(new Variable("country", SimpleType.STRING, "merchant country (ISO 3166-1 alpha-2)", f -> f.country));
        v.add(new Variable("channel", SimpleType.STRING,
                "\"CARD_PRESENT\", \"ONLINE\", \"ATM\", \"CONTACTLESS\" or \"OTHER\"", f -> f.channel));
        v.add(new Variable("terminal", SimpleType.STRING, "terminal or device id, \"\" when unknown", f -> f.terminal));
        v.add(new Variable("merchant_lat", SimpleType.DOUBLE, "merchant latitude in degrees (0 when unknown; see the feature merchant_location_known)",
                f -> Double.isNaN(f.merchantLat) ? 0.0 : f.merchantLat));
        v.add(new Variable("merchant_lon", SimpleType.DOUBLE, "merchant longitude in degrees (0 when unknown)",
                f -> Double.isNaN(f.merchantLon) ? 0.0 : f.merchantLon));
        v.add(new Variable("event_time_millis", SimpleType.INT, "event time, UTC epoch milliseconds",
                f -> f.eventTimeMillis));
        v.add(new Variable("hour", SimpleType.INT, "hour of day of the event time, 0-23 (UTC)",
                RuleFacts::hour));
        v.add(new Variable("weekday", SimpleType.INT, "day of week of the event time, 1 = Monday ... 7 = Sunday (UTC)",
                RuleFacts::weekday));
        v.add(new Variable("score", SimpleType.DOUBLE, "the champion model's fraud score in [0, 1]", f -> f.score));
        v.add(new Variable("threshold", SimpleType.DOUBLE, "the model's alert threshold", f -> f.threshold));
        v.add(new Variable("model_alert", SimpleType.BOOL, "whether the model alone alerts (score >= threshold)",
                f -> f.modelAlert));
        v.add(new Variable("model_version", SimpleType.STRING, "version of the model that scored", f -> f.modelVersion));
        for (String name : FeatureExtractor.featureNames(0)) {
            v.add(new Variable(name, SimpleType.DOUBLE, "extractor feature (raw value; docs/EXTRACTOR.md)",
                    f -> f.feature(name)));
        }
        v.add(new Variable("pop_known", SimpleType.BOOL, "whether point-of-purchase counts came with the transaction",
                f -> f.pointOfPurchase != null));
        for (int i = 0; i < PopFeatures.NAMES.size(); i++) {
            int index = i;
            v.add(new Variable(PopFeatures.NAMES.get(i), SimpleType.DOUBLE,
                    "point-of-purchase count (docs/POINT_OF_PURCHASE.md; 0 when absent)",
                    f -> f.pointOfPurchase == null || index >= f.pointOfPurchase.length
                            ? 0.0 : (double) f.pointOfPurchase[index]));
        }
        v.add(new Variable("features", MapType.create(SimpleType.STRING, SimpleType.DOUBLE),
                "every feature of the model by its bundle name, e.g. features[\"attn_ctx_3\"] (a missing name is an"
                        + " evaluation error)", RuleFacts::featureMap));
        Map<String, Variable> m = new LinkedHashMap<>();
        for (Variable x : v) {
            if (m.put(x.name(), x) != null) {
                throw new IllegalStateException("variable declared twice: " + x.name());
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
