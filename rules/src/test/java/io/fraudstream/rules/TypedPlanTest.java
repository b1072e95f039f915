package io.fraudstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.pop.PopFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Typed plans against CEL's interpreter: the same rule on the same facts must fire, not fire or fail alike. Random
 * expressions over every construct the plan implements, with edge values (NaN, -0.0, infinities, overflow, missing
 * features, surrogate pairs), plus the error semantics CEL specifies, case by case.
 */
class TypedPlanTest {
    private static final List<String> FULL = RuleEngineTest.NAMES;
    /** A model with fewer features: extractor variables it lacks are NaN, features['...'] of them an error. */
    private static final List<String> SHORT = List.copyOf(FULL.subList(0, FULL.size() / 2));

    private static final String[] DBL_VARS = {"amount", "score", "threshold", "merchant_lat", "merchant_lon",
        "amount_zscore", "count_24h", "has_prev", "log1p_km_from_home", "history_len", "attn_max_score",
        PopFeatures.NAMES.get(0), PopFeatures.NAMES.get(PopFeatures.COUNT - 1)};
    private static final String[] INT_VARS = {"amount_minor", "hour", "weekday", "event_time_millis"};
    private static final String[] STR_VARS = {"currency", "merchant", "category", "country", "channel", "terminal",
        "model_version"};
    private static final String[] BOOL_VARS = {"model_alert", "pop_known"};
    private static final String[] STR_CONSTS = {"''", "'ONLINE'", "'fraud_'", "'shopping_net'", "'\\U0001D11Ex'",
        "'US'", "'net'", "'a'"};
    private static final String[] DBL_CONSTS = {"0.0", "-0.0", "0.5", "1.0", "3.5", "500.0", "1e300", "-2.25"};
    private static final String[] INT_CONSTS = {"0", "1", "-1", "3", "22", "50000", "9223372036854775807",
        "-9223372036854775807"};
    private static final String[] PATTERNS = {"'^(shopping|misc)_net$'", "'net'", "'^fraud_'", "'[0-9]+'", "'x$'"};

    private final SplittableRandom random = new SplittableRandom(20261205);

    @Test
    void generatedRulesEvaluateAsCelDoes() throws Exception {
        RuleCompiler planned = new RuleCompiler();
        RuleCompiler interpreted = new RuleCompiler(false);
        List<RuleFacts> facts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            facts.add(randomFacts());
        }
        int compiled = 0;
        int withPlan = 0;
        int hits = 0;
        int failures = 0;
        for (int n = 0; n < 1500; n++) {
            String expr = bool(0);
            Rule rule = new Rule("r" + n, 1, RuleAction.ALERT, expr);
            CompiledRuleSet a;
            CompiledRuleSet b;
            try {
                a = planned.compileSet("1", List.of(rule));
                b = interpreted.compileSet("1", List.of(rule));
            } catch (RuleRejectedException e) {
                continue; // over a size bound: both refuse alike (the compiler is the same)
            }
            compiled++;
            if (a.plannedRules() == 1) {
                withPlan++;
            }
            assertThat(b.plannedRules()).isZero();
            for (RuleFacts f : facts) {
                RuleOutcome x = a.evaluate(f);
                RuleOutcome y = b.evaluate(f);
                assertThat(names(x.fired())).as("fired: %s on %s", expr, f).isEqualTo(names(y.fired()));
                assertThat(x.failed()).as("failed: %s on %s", expr, f).isEqualTo(y.failed());
                hits += x.fired().size();
                failures += x.failed().size();
            }
        }
        assertThat(compiled).isGreaterThan(1000);
        // the generator uses only planned constructs, except the same features[...] on both sides of a double ==
        assertThat(withPlan).as("rules with a plan").isGreaterThan(compiled * 9 / 10);
        assertThat(hits).as("the comparison covers hits").isGreaterThan(compiled * 5);
        assertThat(failures).as("and evaluation errors").isGreaterThan(100);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '#', value = {
        // && and || are commutative over errors; an error elsewhere fails the rule
        "features['nope'] > 1.0 && false # NO",
        "false && features['nope'] > 1.0 # NO",
        "features['nope'] > 1.0 || true # HIT",
        "true || features['nope'] > 1.0 # HIT",
        "features['nope'] > 1.0 && true # ERROR",
        "features['nope'] > 1.0 || false # ERROR",
        "!(features['nope'] > 1.0) # ERROR",
        "(features['nope'] > 1.0 ? true : false) # ERROR",
        // integer arithmetic: overflow and division by zero are errors
        "amount_minor + 9223372036854775807 > 0 # ERROR",
        "amount_minor * 9223372036854775807 > 0 # ERROR",
        "-(-9223372036854775807 - 1) > 0 # ERROR",
        "amount_minor / 0 > 0 # ERROR",
        "amount_minor % 0 > 0 # ERROR",
        "amount_minor / 7 == 13575 # HIT",
        "amount_minor % 7 == 5 # NO",
        // doubles: IEEE 754, NaN is not equal to itself, -0.0 == 0.0
        "amount / 0.0 > 1e308 # HIT",
        "(0.0 / 0.0) == (0.0 / 0.0) # NO",
        "(0.0 / 0.0) != (0.0 / 0.0) # HIT",
        "-0.0 == 0.0 # HIT",
        // strings: size counts code points; matches is RE2
        "size('\\U0001D11Ex') == 2 # HIT",
        "category.matches('net') # HIT",
        "category.matches('^shopping_net$') # HIT",
        "merchant.startsWith('fraud_') && merchant.endsWith('Sons') && merchant.contains(' and ') # HIT",
        "category in ['grocery_pos', 'shopping_net'] && hour in [3, 4] # HIT",
        "score in [0.93, 0.5] # HIT",
        "(channel + '/' + country) == 'ONLINE/US' # HIT",
        "(hour >= 22 || hour < 5) && weekday == 6 # HIT",
    })
    void celSemantics(String expr, String expected) throws Exception {
        RuleFacts f = RuleEngineTest.suspicious();
        // attn_ctx_0 is NaN on this event: a feature the extractor could not compute
        float[] values = new float[FULL.size()];
        System.arraycopy(f.features, 0, values, 0, values.length);
        values[FULL.indexOf("attn_ctx_0")] = Float.NaN;
        f.features(FULL, values);
        Rule rule = new Rule("r", 1, RuleAction.ALERT, expr);
        CompiledRuleSet a = new RuleCompiler().compileSet("1", List.of(rule));
        CompiledRuleSet b = new RuleCompiler(false).compileSet("1", List.of(rule));
        assertThat(a.plannedRules()).as("planned").isEqualTo(1);
        for (CompiledRuleSet set : List.of(a, b)) {
            RuleOutcome o = set.evaluate(f);
            String got = !o.failed().isEmpty() ? "ERROR" : o.fired().isEmpty() ? "NO" : "HIT";
            assertThat(got).as("%s (%s)", expr, set == a ? "plan" : "interpreter").isEqualTo(expected);
        }
    }

    @Test
    void constructsOutsideThePlanRunOnTheInterpreter() throws Exception {
        // int(double) conversion and string ordering are not planned: the rule still evaluates, on CEL
        CompiledRuleSet set = new RuleCompiler().compileSet("1", List.of(
                new Rule("conv", 2, RuleAction.ALERT, "int(amount) > 900"),
                new Rule("order", 1, RuleAction.TAG, "category < 'z'")));
        assertThat(set.plannedRules()).isZero();
        assertThat(names(set.evaluate(RuleEngineTest.suspicious()).fired())).containsExactly("conv", "order");
    }

    @Test
    void theSameMapValueOnBothSidesOfEqualityKeepsCelJavasIdentityRule() throws Exception {
        // CEL-Java compares boxed values by identity first: features['k'] == features['k'] is true even for NaN,
        // while a NaN variable is unequal to itself. Such a rule is not planned, so it keeps the interpreter's answer.
        RuleFacts f = RuleEngineTest.suspicious();
        float[] values = f.features.clone();
        values[FULL.indexOf("attn_ctx_0")] = Float.NaN;
        values[FULL.indexOf("amount_zscore")] = Float.NaN;
        f.features(FULL, values);
        CompiledRuleSet set = new RuleCompiler().compileSet("1", List.of(
                new Rule("same_key", 2, RuleAction.ALERT, "features['attn_ctx_0'] == features['attn_ctx_0']"),
                new Rule("variable", 1, RuleAction.TAG, "amount_zscore == amount_zscore")));
        assertThat(set.plannedRules()).isEqualTo(1);
        assertThat(names(set.evaluate(f).fired())).containsExactly("same_key");
    }

    @Test
    void calendarFieldsMatchJavaTime() {
        for (int i = 0; i < 2000; i++) {
            long t = random.nextLong(-4_000_000_000_000L, 8_000_000_000_000L);
            java.time.ZonedDateTime z = java.time.Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.UTC);
            RuleFacts f = new RuleFacts().transaction(1, 100, "USD", "m", "c", "US", "ONLINE", "", t);
            assertThat(f.hour()).as("hour of %d", t).isEqualTo(z.getHour());
            assertThat(f.weekday()).as("weekday of %d", t).isEqualTo(z.getDayOfWeek().getValue());
        }
    }

    private static List<String> names(List<Rule> rules) {
        return rules.stream().map(Rule::name).toList();
    }

    // --- generators

    private String pick(String[] a) {
        return a[random.nextInt(a.length)];
    }

    private String bool(int depth) {
        int k = random.nextInt(depth > 3 ? 12 : 17);
        switch (k) {
            case 0: return pick(BOOL_VARS);
            case 1: return random.nextBoolean() ? "true" : "false";
            case 2: case 3: return dbl(depth + 1) + " " + pick(new String[] {"<", "<=", ">", ">=", "==", "!="}) + " "
                    + dbl(depth + 1);
            case 4: return integer(depth + 1) + " " + pick(new String[] {"<", "<=", ">", ">=", "==", "!="}) + " "
                    + integer(depth + 1);
            case 5: return str(depth + 1) + " " + pick(new String[] {"==", "!="}) + " " + str(depth + 1);
            case 6: return str(depth + 1) + "." + pick(new String[] {"startsWith", "endsWith", "contains"}) + "("
                    + str(depth + 1) + ")";
            case 7: return str(depth + 1) + ".matches(" + pick(PATTERNS) + ")";
            case 8: return str(depth + 1) + " in [" + pick(STR_CONSTS) + ", " + pick(STR_CONSTS) + "]";
            case 9: return integer(depth + 1) + " in [" + pick(INT_CONSTS) + ", " + pick(INT_CONSTS) + "]";
            case 10: return dbl(depth + 1) + " in [" + pick(DBL_CONSTS) + "]";
            case 11: return "size(" + str(depth + 1) + ") " + pick(new String[] {">", "=="}) + " " + integer(depth + 1);
            case 12: return "!(" + bool(depth + 1) + ")";
            case 13: case 14: return "(" + bool(depth + 1) + " && " + bool(depth + 1) + ")";
            case 15: return "(" + bool(depth + 1) + " || " + bool(depth + 1) + ")";
            default: return "(" + bool(depth + 1) + " ? " + bool(depth + 1) + " : " + bool(depth + 1) + ")";
        }
    }

    private String dbl(int depth) {
        int k = random.nextInt(depth > 4 ? 4 : 8);
        switch (k) {
            case 0: case 1: return pick(DBL_VARS);
            case 2: return pick(DBL_CONSTS);
            case 3: return "features['" + pick(new String[] {"count_1h", "attn_ctx_1", "nope",
                PopFeatures.NAMES.get(2), FULL.get(FULL.size() - 3)}) + "']";
            case 4: return "(" + dbl(depth + 1) + " " + pick(new String[] {"+", "-", "*", "/"}) + " " + dbl(depth + 1) + ")";
            case 5: return "-" + dbl(depth + 1);
            case 6: return "double(" + integer(depth + 1) + ")";
            default: return "(" + bool(depth + 1) + " ? " + dbl(depth + 1) + " : " + dbl(depth + 1) + ")";
        }
    }

    private String integer(int depth) {
        int k = random.nextInt(depth > 4 ? 3 : 7);
        switch (k) {
            case 0: case 1: return pick(INT_VARS);
            case 2: return pick(INT_CONSTS);
            case 3: case 4: return "(" + integer(depth + 1) + " " + pick(new String[] {"+", "-", "*", "/", "%"}) + " "
                    + integer(depth + 1) + ")";
            case 5: return "-" + integer(depth + 1);
            default: return "size(" + str(depth + 1) + ")";
        }
    }

    private String str(int depth) {
        int k = random.nextInt(depth > 4 ? 2 : 4);
        switch (k) {
            case 0: return pick(STR_VARS);
            case 1: return pick(STR_CONSTS);
            case 2: return "(" + str(depth + 1) + " + " + str(depth + 1) + ")";
            default: return "(" + bool(depth + 1) + " ? " + str(depth + 1) + " : " + str(depth + 1) + ")";
        }
    }

    private RuleFacts randomFacts() {
        String[] strings = {"", "ONLINE", "CARD_PRESENT", "fraud_Kirlin and Sons", "shopping_net", "misc_net",
            "grocery_pos", "\uD834\uDD1Ex", "US", "12345", "net"};
        double[] amounts = {0.0, -0.0, 12.5, 950.25, 1e300, Double.MAX_VALUE};
        long[] minors = {0, 1250, 95_025, Long.MAX_VALUE, Long.MIN_VALUE + 1, -7};
        boolean full = random.nextInt(4) != 0;
        List<String> names = full ? FULL : SHORT;
        float[] values = new float[names.size()];
        for (int i = 0; i < values.length; i++) {
            int k = random.nextInt(12);
            values[i] = k == 0 ? Float.NaN : k == 1 ? -0.0f : k == 2 ? Float.POSITIVE_INFINITY
                    : k == 3 ? 0f : k == 4 ? 1f : (float) (random.nextDouble() * 20 - 5);
        }
        float[] pop = null;
        if (random.nextBoolean()) {
            pop = new float[PopFeatures.COUNT];
            for (int i = 0; i < pop.length; i++) {
                pop[i] = random.nextInt(4);
            }
        }
        int a = random.nextInt(amounts.length);
        return new RuleFacts()
                .transaction(amounts[a], minors[random.nextInt(minors.length)], pick(strings), pick(strings),
                        pick(strings), pick(strings), pick(strings), pick(strings),
                        random.nextLong(-1_000_000_000_000L, 4_000_000_000_000L))
                .merchantLocation(random.nextBoolean() ? Double.NaN : random.nextDouble() * 90,
                        random.nextBoolean() ? Double.NaN : -random.nextDouble() * 180)
                .model(random.nextDouble(), 0.5, random.nextBoolean(), pick(strings))
                .features(names, values)
                .pointOfPurchase(pop);
    }

    @SuppressWarnings("unused")
    private static String format(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }

    static {
        // the generator's variable lists must be declared variables
        for (String[] vars : new String[][] {DBL_VARS, INT_VARS, STR_VARS, BOOL_VARS}) {
            for (String v : vars) {
                if (!RuleVariables.ALL.containsKey(v)) {
                    throw new IllegalStateException("not a rule variable: " + v);
                }
            }
        }
        if (FeatureExtractor.featureNames(0).length == 0) {
            throw new IllegalStateException("no extractor features");
        }
    }
}
