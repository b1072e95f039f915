package io.fraudstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.pop.PopFeatures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleEngineTest {
    /** The model's feature names as a bundle has them: d = 2 context values, then the named ones, then pop. */
    static final List<String> NAMES = names();
    /** Saturday 2026-12-05 03:30 UTC. */
    static final long NIGHT = Instant.parse("2026-12-05T03:30:00Z").toEpochMilli();
    /** Wednesday 2026-12-02 14:00 UTC. */
    static final long DAY = Instant.parse("2026-12-02T14:00:00Z").toEpochMilli();

    private final RuleCompiler compiler = new RuleCompiler();

    private static List<String> names() {
        List<String> n = new ArrayList<>(List.of(FeatureExtractor.featureNames(2)));
        n.addAll(PopFeatures.NAMES);
        return List.copyOf(n);
    }

    /** A "suspicious" event: big online night-time purchase, high score, far from home, busy card, risky merchant. */
    static RuleFacts suspicious() {
        float[] f = new float[NAMES.size()];
        set(f, "attn_ctx_1", 0.25f);
        set(f, "count_24h", 9f);
        set(f, "log1p_km_from_home", 7f);
        set(f, "first_use_merchant", 1f);
        set(f, "amount_zscore", 4.5f);
        float[] pop = new float[PopFeatures.COUNT];
        pop[PopFeatures.MERCHANT_FRAUDS_7D] = 3f;
        return new RuleFacts()
                .transaction(950.25, 95_025, "USD", "fraud_Kirlin and Sons", "shopping_net", "US", "ONLINE", "dev-7",
                        NIGHT)
                .merchantLocation(Double.NaN, Double.NaN)
                .model(0.93, 0.5, true, "202612010000")
                .features(NAMES, f)
                .pointOfPurchase(pop);
    }

    /** An ordinary event: small daytime card-present grocery purchase, low score, no pop counts. */
    static RuleFacts ordinary() {
        return new RuleFacts()
                .transaction(12.5, 1250, "EUR", "m-42", "grocery_pos", "DE", "CARD_PRESENT", null, DAY)
                .merchantLocation(48.1, 11.6)
                .model(0.02, 0.5, false, "202611010000")
                .features(NAMES, new float[NAMES.size()])
                .pointOfPurchase(null);
    }

    private static void set(float[] f, String name, float v) {
        f[NAMES.indexOf(name)] = v;
    }

    private boolean eval(String expression, RuleFacts facts) throws RuleRejectedException {
        CompiledRuleSet set = compiler.compileSet("t", List.of(new Rule("r", 1, RuleAction.TAG, expression)));
        RuleOutcome o = set.evaluate(facts);
        assertThat(o.failed()).as("evaluation errors of %s", expression).isEmpty();
        return !o.fired().isEmpty();
    }

    /** Every variable type and every transaction, model and feature variable: true on one event, false on the other. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "amount > 900.0",
        "amount_minor >= 95025",
        "currency == 'USD'",
        "merchant.startsWith('fraud_')",
        "category == 'shopping_net'",
        "category.endsWith('_net') && channel == 'ONLINE'",
        "country in ['US', 'CA']",
        "terminal != ''",
        "merchant_lat == 0.0 && merchant_lon == 0.0",
        "event_time_millis > 1764800000000 && weekday == 6",
        "hour < 6",
        "weekday >= 6",
        "score > 0.9",
        "score >= threshold",
        "model_alert",
        "model_version > '202611999999'",
        "count_24h >= 5.0",
        "log1p_km_from_home > 5.0 && first_use_merchant == 1.0",
        "amount_zscore > 4.0",
        "pop_known && pop_merchant_frauds_7d > 2.0",
        "features['attn_ctx_1'] > 0.2",
        "'count_24h' in features && features['count_24h'] > 8.5",
        "merchant.matches('^fraud_[A-Z]')",
        "size(merchant) > 10",
        "int(amount) > 900",
        "double(amount_minor) / 100.0 > 900.0",
    })
    void everyVariableTypeIsReadFromTheEvent(String expression) throws Exception {
        assertThat(eval(expression, suspicious())).as("%s on the suspicious event", expression).isTrue();
        assertThat(eval(expression, ordinary())).as("%s on the ordinary event", expression).isFalse();
    }

    @Test
    void everyDeclaredVariableCanBeEvaluatedOnBothEvents() throws Exception {
        for (RuleVariables.Variable v : RuleVariables.ALL.values()) {
            String probe = switch (v.type().name()) {
                case "bool" -> v.name() + " || !" + v.name();
                case "map" -> "size(" + v.name() + ") >= 0";
                default -> v.name() + " == " + v.name();
            };
            assertThat(eval(probe, suspicious())).as(probe).isTrue();
            assertThat(eval(probe, ordinary())).as(probe).isTrue();
        }
    }

    @Test
    void theHighestPriorityDecidingRuleDecides() throws Exception {
        Rule alertBig = new Rule("alert_big", 10, RuleAction.ALERT, "amount > 500.0");
        Rule suppressTrusted = new Rule("suppress_trusted", 20, RuleAction.SUPPRESS, "merchant.startsWith('fraud_')");
        Rule tag = new Rule("tag_online", 99, RuleAction.TAG, "channel == 'ONLINE'");

        // SUPPRESS above ALERT: no alert although both fired and the model alerts too.
        RuleOutcome o = compiler.compileSet("v1", List.of(alertBig, suppressTrusted, tag)).evaluate(suspicious());
        assertThat(o.firedNames()).containsExactly("tag_online", "suppress_trusted", "alert_big");
        assertThat(o.deciding()).isEqualTo(suppressTrusted);
        assertThat(o.alert(true)).isFalse();
        assertThat(o.suppressed(true)).isTrue();

        // The same rules with ALERT above SUPPRESS: the alert stands, also where the model would not alert.
        Rule alertBigHigh = new Rule("alert_big", 30, RuleAction.ALERT, "amount > 500.0");
        o = compiler.compileSet("v2", List.of(alertBigHigh, suppressTrusted, tag)).evaluate(suspicious());
        assertThat(o.deciding()).isEqualTo(alertBigHigh);
        assertThat(o.alert(false)).isTrue();
        assertThat(o.blockRecommended()).isFalse();

        // A TAG alone never decides: the model's decision stands either way.
        o = compiler.compileSet("v3", List.of(tag)).evaluate(suspicious());
        assertThat(o.firedNames()).containsExactly("tag_online");
        assertThat(o.deciding()).isNull();
        assertThat(o.alert(true)).isTrue();
        assertThat(o.alert(false)).isFalse();

        // BLOCK_RECOMMENDED alerts and says so; nothing fired on the ordinary event: the model decides.
        CompiledRuleSet block = compiler.compileSet("v4", List.of(
                new Rule("block_night_online", 5, RuleAction.BLOCK_RECOMMENDED, "hour < 6 && channel == 'ONLINE'")));
        o = block.evaluate(suspicious());
        assertThat(o.alert(false)).isTrue();
        assertThat(o.blockRecommended()).isTrue();
        assertThat(block.evaluate(ordinary())).isSameAs(RuleOutcome.NONE);
        assertThat(RuleOutcome.NONE.alert(true)).isTrue();
        assertThat(RuleOutcome.NONE.alert(false)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "amout > 5.0                        | undeclared reference to 'amout'",
        "amount > 5.0 &&                    | mismatched input '<EOF>'",
        "amount * 2.0                       | expected type 'bool' but found 'double'",
        "amount > 5                         | found no matching overload for '_>_' applied to '(double, int)'",
        "merchant + 1 == 'x'                | found no matching overload",
        "[1, 2, 3].exists(x, x > 1)         | undeclared reference to 'exists'",
        "features.all(k, features[k] > 0.0) | undeclared reference to 'all'",
        "(amount > 5.0                      | does not compile: ERROR: bad_rule:1:14",
        "                                   | the expression is empty",
    })
    void anInvalidRuleIsRefusedWithAMessageThatSaysWhy(String expression, String reason) {
        String expr = expression == null ? " " : expression;
        assertThatThrownBy(() -> compiler.compile(new Rule("bad_rule", 1, RuleAction.ALERT, expr)))
                .isInstanceOf(RuleRejectedException.class)
                .hasMessageStartingWith("rule 'bad_rule': ")
                .hasMessageContaining(reason);
    }

    @Test
    void costBoundsAreEnforcedAtPublication() {
        String longExpr = "amount > 1.0" + " || amount > 1.0".repeat(80); // 1,292 characters
        assertThatThrownBy(() -> compiler.compile(new Rule("too_long", 1, RuleAction.ALERT, longExpr)))
                .hasMessageContaining("more than the limit of " + RuleCompiler.MAX_EXPRESSION_CHARS);
        String many = "amount > 1.0" + " || hour == 1".repeat(40); // ~ 560 chars, > 100 nodes
        assertThatThrownBy(() -> compiler.compile(new Rule("too_big", 1, RuleAction.ALERT, many)))
                .hasMessageContaining("nodes, more than the limit of " + RuleCompiler.MAX_NODES);
        String deep = "amount" + " + 1.0".repeat(15) + " > 0.0"; // a left-deep chain: 33 nodes, 16 levels
        assertThatThrownBy(() -> compiler.compile(new Rule("too_deep", 1, RuleAction.ALERT, deep)))
                .hasMessageContaining("levels deep, more than the limit of " + RuleCompiler.MAX_DEPTH);
        String bigRegex = "merchant.matches('" + "(a|b|c|d)".repeat(12) + "')";
        assertThatThrownBy(() -> compiler.compile(new Rule("big_regex", 1, RuleAction.ALERT, bigRegex)))
                .hasMessageContaining("the pattern of matches() has 108 characters, more than the limit of 100");
        assertThatThrownBy(() -> compiler.compile(new Rule("var_regex", 1, RuleAction.ALERT, "merchant.matches(category)")))
                .hasMessageContaining("the pattern of matches() must be a string literal");
        assertThatThrownBy(() -> compiler.compile(new Rule("bad_regex", 1, RuleAction.ALERT, "merchant.matches('(')")))
                .hasMessageContaining("is not a regular expression");
    }

    @Test
    void ruleSetsNeedUniqueNamesAndPrioritiesAndGoodNames() {
        Rule a = new Rule("a", 1, RuleAction.ALERT, "amount > 1.0");
        assertThatThrownBy(() -> compiler.compileSet("x", List.of(a, new Rule("a", 2, RuleAction.TAG, "model_alert"))))
                .hasMessage("rule 'a': the name is used by another rule of the set");
        assertThatThrownBy(() -> compiler.compileSet("x", List.of(a, new Rule("b", 1, RuleAction.TAG, "model_alert"))))
                .hasMessageContaining("priority 1 is also rule 'a'");
        assertThatThrownBy(() -> compiler.compile(new Rule("1st rule", 1, RuleAction.TAG, "model_alert")))
                .hasMessageContaining("is not a name");
        List<Rule> tooMany = new ArrayList<>();
        for (int i = 0; i <= RuleCompiler.MAX_RULES; i++) {
            tooMany.add(new Rule("r" + i, i, RuleAction.TAG, "model_alert"));
        }
        assertThatThrownBy(() -> compiler.compileSet("x", tooMany)).hasMessageContaining("more than the limit of 200");
        assertThat(compiler.check(List.of(a, new Rule("a", 1, RuleAction.TAG, "amout > 1.0"))))
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("undeclared reference to 'amout'"));
    }

    @Test
    void aRuleThatFailsAtRunTimeIsSkippedForTheEventAndCounted() throws Exception {
        Rule missingKey = new Rule("missing_key", 30, RuleAction.SUPPRESS, "features['no_such_feature'] > 0.0");
        Rule divByZero = new Rule("div_by_zero", 20, RuleAction.SUPPRESS, "amount_minor / (hour - hour) > 0");
        Rule good = new Rule("big_amount", 10, RuleAction.ALERT, "amount > 500.0");
        CompiledRuleSet set = compiler.compileSet("v1", List.of(good, missingKey, divByZero));
        List<String> listened = new ArrayList<>();
        CompiledRuleSet.Listener listener = new CompiledRuleSet.Listener() {
            @Override
            public void evaluated(int rule, boolean hit, long nanos) {
                listened.add(set.rules().get(rule).name() + "=" + hit);
            }

            @Override
            public void failed(int rule, Exception error) {
                listened.add(set.rules().get(rule).name() + " failed");
            }
        };

        RuleOutcome o = set.evaluate(suspicious(), listener);
        // The failing SUPPRESS rules are skipped, not treated as fired: the lower-priority ALERT decides.
        assertThat(o.failed()).containsExactly("missing_key", "div_by_zero");
        assertThat(o.firedNames()).containsExactly("big_amount");
        assertThat(o.alert(false)).isTrue();
        assertThat(listened).containsExactly("missing_key failed", "missing_key=false", "div_by_zero failed",
                "div_by_zero=false", "big_amount=true");
        set.evaluate(ordinary());
        assertThat(set.stats()).extracting(s -> s.name() + ":" + s.evaluations() + "/" + s.hits() + "/" + s.failures())
                .containsExactly("missing_key:2/0/2", "div_by_zero:2/0/2", "big_amount:2/1/0");
        assertThat(set.stats()).allSatisfy(s -> assertThat(s.nanos()).isPositive());
        assertThat(set.lastFailure()).startsWith("div_by_zero: ");
    }
}
