package io.fraudstream.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles and checks rules at publication, and again wherever a rule set is received (the job, a backtest): a rule
 * must parse, type-check against {@link RuleVariables} with a bool result, and stay within the cost bounds below.
 *
 * <p><b>Bounded cost.</b> CEL-Java has no cost estimator, so the bound is structural: no macros (no {@code all},
 * {@code exists}, {@code map}, {@code filter}, {@code has}: no comprehension, so no loop), at most
 * {@value #MAX_EXPRESSION_CHARS} characters, {@value #MAX_NODES} expression nodes and nesting depth
 * {@value #MAX_DEPTH}, regular expressions (RE2: linear time) only as string literals of at most {@value #MAX_REGEX_CHARS} characters
 * (and {@value #MAX_REGEX_PROGRAM_SIZE} program instructions at run time). Every operation then works on inputs of bounded size (string fields are at most 256 characters, list
 * and map literals at most the node count, the {@code features} map the model's feature count), so one evaluation
 * costs at most a constant times the node count. No function reaches Java classes: CEL has no reflection and only
 * the standard functions are declared.
 *
 * <p>One instance per thread of use (subtask, replay): it holds a CEL compiler and runtime.
 */
public final class RuleCompiler {
    public static final int MAX_EXPRESSION_CHARS = 1000;
    public static final int MAX_NODES = 100;
    public static final int MAX_DEPTH = 12;
    public static final int MAX_REGEX_PROGRAM_SIZE = 200;
    public static final int MAX_RULES = 200;
    /** Longest pattern of {@code matches()}; patterns must be literals, so checked at publication. */
    public static final int MAX_REGEX_CHARS = 100;

    private static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_EXPRESSION_CHARS)
            .maxParseRecursionDepth(MAX_DEPTH * 4) // the parser counts grammar levels; MAX_DEPTH is checked below
            .maxParseExpressionNodeCount(MAX_NODES * 4)
            .maxRegexProgramSize(MAX_REGEX_PROGRAM_SIZE)
            .enableComprehension(false)
            .build();

    private final CelCompiler compiler;
    private final CelRuntime runtime;
    /** Whether rules get typed plans (true but in tests that compare plans with CEL's interpreter). */
    private final boolean planned;

    public RuleCompiler() {
        this(true);
    }

    /** {@code planned}: false evaluates every rule on CEL's interpreter (tests that compare the two). */
    RuleCompiler(boolean planned) {
        this.planned = planned;
        CelCompilerBuilder b = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(List.of())
                .setResultType(SimpleType.BOOL);
        for (RuleVariables.Variable v : RuleVariables.ALL.values()) {
            b.addVar(v.name(), v.type());
        }
        compiler = b.build();
        runtime = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
    }

    /** The compiled rule, or a refusal that says what is wrong. */
    public CompiledRule compile(Rule rule) throws RuleRejectedException {
        if (!Rule.NAME.matcher(rule.name()).matches()) {
            throw new RuleRejectedException(null, "rule name '" + printable(rule.name()) + "' is not a name: 1-64 "
                    + "letters, digits, '_', '.' or '-', starting with a letter");
        }
        String expr = rule.expression();
        if (expr.isBlank()) {
            throw new RuleRejectedException(rule.name(), "the expression is empty");
        }
        if (expr.codePointCount(0, expr.length()) > MAX_EXPRESSION_CHARS) {
            throw new RuleRejectedException(rule.name(), "the expression has " + expr.codePointCount(0, expr.length())
                    + " characters, more than the limit of " + MAX_EXPRESSION_CHARS);
        }
        CelValidationResult result = compiler.compile(expr, rule.name());
        if (result.hasError()) {
            throw new RuleRejectedException(rule.name(), "does not compile: " + result.getErrorString());
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) {
            throw new RuleRejectedException(rule.name(), "does not compile: " + e.getMessage());
        }
        checkCost(rule.name(), ast);
        try {
            return new CompiledRule(rule, runtime.createProgram(ast), planned ? TypedPlan.plan(ast, OPTIONS) : null);
        } catch (CelEvaluationException e) {
            throw new RuleRejectedException(rule.name(), "cannot be planned: " + e.getMessage());
        }
    }

    /**
     * A rule set: every rule compiled, names and priorities unique, at most {@value #MAX_RULES} rules. The first
     * refusal is thrown; {@link #check} lists them all.
     */
    public CompiledRuleSet compileSet(String version, List<Rule> rules) throws RuleRejectedException {
        if (rules.size() > MAX_RULES) {
            throw new RuleRejectedException(null, "rule set " + version + " has " + rules.size()
                    + " rules, more than the limit of " + MAX_RULES);
        }
        Map<String, Rule> names = new HashMap<>();
        Map<Integer, Rule> priorities = new HashMap<>();
        List<CompiledRule> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            if (names.put(r.name(), r) != null) {
                throw new RuleRejectedException(r.name(), "the name is used by another rule of the set");
            }
            Rule other = priorities.put(r.priority(), r);
            if (other != null) {
                throw new RuleRejectedException(r.name(), "priority " + r.priority() + " is also rule '"
                        + other.name() + "''s: priorities must be unique so that the deciding rule is never a tie");
            }
            out.add(compile(r));
        }
        return new CompiledRuleSet(version, out);
    }

    /** Every refusal of a rule set (empty when it would be accepted), for a publisher's or backtest's report. */
    public List<String> check(List<Rule> rules) {
        List<String> problems = new ArrayList<>();
        if (rules.size() > MAX_RULES) {
            problems.add(rules.size() + " rules, more than the limit of " + MAX_RULES);
        }
        Map<String, Rule> names = new HashMap<>();
        Map<Integer, Rule> priorities = new HashMap<>();
        for (Rule r : rules) {
            if (names.put(r.name(), r) != null) {
                problems.add("rule '" + r.name() + "': the name is used by another rule of the set");
            }
            Rule other = priorities.put(r.priority(), r);
            if (other != null) {
                problems.add("rule '" + r.name() + "': priority " + r.priority() + " is also rule '" + other.name()
                        + "''s");
            }
            try {
                compile(r);
            } catch (RuleRejectedException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    private static void checkCost(String rule, CelAbstractSyntaxTree ast) throws RuleRejectedException {
        int nodes = 0;
        int depth = 0;
        for (CelNavigableExpr e : CelNavigableAst.fromAst(ast).getRoot().allNodes().toList()) {
            nodes++;
            depth = Math.max(depth, e.depth());
            if (e.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION) {
                throw new RuleRejectedException(rule, "loops (comprehensions) are not allowed");
            }
            if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.expr().call().function().equals("matches")) {
                checkPattern(rule, e.expr().call());
            }
        }
        if (nodes > MAX_NODES) {
            throw new RuleRejectedException(rule, "the expression has " + nodes + " nodes, more than the limit of "
                    + MAX_NODES + ": split it into several rules");
        }
        if (depth > MAX_DEPTH) {
            throw new RuleRejectedException(rule, "the expression nests " + depth + " levels deep, more than the limit"
                    + " of " + MAX_DEPTH);
        }
    }

    /** A regular expression must be a literal (known at publication), short, and valid RE2. */
    private static void checkPattern(String rule, CelExpr.CelCall call) throws RuleRejectedException {
        CelExpr pattern = call.args().get(call.args().size() - 1);
        if (pattern.getKind() != CelExpr.ExprKind.Kind.CONSTANT
                || pattern.constant().getKind() != dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
            throw new RuleRejectedException(rule, "the pattern of matches() must be a string literal");
        }
        String p = pattern.constant().stringValue();
        if (p.length() > MAX_REGEX_CHARS) {
            throw new RuleRejectedException(rule, "the pattern of matches() has " + p.length()
                    + " characters, more than the limit of " + MAX_REGEX_CHARS);
        }
        try {
            com.google.re2j.Pattern.compile(p);
        } catch (com.google.re2j.PatternSyntaxException ex) {
            throw new RuleRejectedException(rule, "the pattern of matches() is not a regular expression: "
                    + ex.getMessage());
        }
    }

    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
