package io.fraudstream.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.pop.PopFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A typed evaluation plan for the CEL subset analysts' rules use, planned from the type-checked AST: each node
 * evaluates to a primitive ({@code boolean}, {@code long}, {@code double}) or a {@code String} read straight off
 * {@link RuleFacts}, with no variable resolver, no boxing and no per-evaluation allocation. CEL-Java's interpreter
 * spends ~1.5 µs on a typical rule (a resolver call and a boxed value per variable read, a regular expression compiled
 * per call); a plan spends tens of nanoseconds.
 *
 * <p><b>The same semantics as CEL.</b> A rule is planned only when every node is one this class implements with
 * CEL's exact semantics; anything else (a conversion, uint, string ordering, a heterogeneous comparison, ...) makes
 * {@link #plan} return null and the rule runs on CEL's interpreter. Implemented as CEL specifies: {@code &&} and
 * {@code ||} are commutative over errors ({@code error && false} is {@code false}, {@code error || true} is
 * {@code true}); integer arithmetic errors on overflow and on division or modulus by zero; double arithmetic is
 * IEEE 754; {@code ==} on doubles is numeric ({@code NaN != NaN}); {@code size} of a string counts code points; a
 * missing key of {@code features} is an error; {@code matches} uses RE2 (re2j, as CEL-Java does) with the same
 * program-size limit and match mode as the runtime's options, compiled once at planning instead of per call.
 * {@code RuleEngineTest} checks plan against interpreter on generated expressions and facts, errors included.
 *
 * <p>Nodes hold no per-event state except {@link FeatureVar}'s slot memo (an immutable pair, replaced whole on a
 * model swap), so a plan may be shared, though each {@link CompiledRuleSet} has its own.
 */
final class TypedPlan {

    /** An evaluation error (CEL's error value): the rule is skipped for this event. No stack trace: it is data. */
    static final class EvalError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EvalError(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown while planning: the expression uses something the plan does not implement. */
    private static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * A plan node. The typed kinds below are functional interfaces with a primitive (or {@code String}) result, so a
     * node is written once per value type as a lambda that is itself the node: no wrapper, no boxing.
     */
    interface Node {}

    /** A bool-typed node. */
    @FunctionalInterface
    interface Bool extends Node {
        boolean eval(RuleFacts f);
    }

    /** An int-typed node. */
    @FunctionalInterface
    interface Int extends Node {
        long eval(RuleFacts f);
    }

    /** A double-typed node. */
    @FunctionalInterface
    interface Dbl extends Node {
        double eval(RuleFacts f);
    }

    /** A string-typed node. */
    @FunctionalInterface
    interface Str extends Node {
        String eval(RuleFacts f);
    }

    private static final Set<String> EXTRACTOR_FEATURES = Set.of(FeatureExtractor.featureNames(0));

    private final CelAbstractSyntaxTree ast;
    private final CelOptions options;

    private TypedPlan(CelAbstractSyntaxTree ast, CelOptions options) {
        this.ast = ast;
        this.options = options;
    }

    /** The plan of a checked, bool-typed rule expression, or null when it uses something not implemented here. */
    static Bool plan(CelAbstractSyntaxTree ast, CelOptions options) {
        try {
            Node n = new TypedPlan(ast, options).node(ast.getExpr());
            return n instanceof Bool b ? b : null;
        } catch (Unsupported e) {
            return null;
        }
    }

    /** Why {@link #plan} returned null (for tests and the documentation of what runs where), or null. */
    static String unsupported(CelAbstractSyntaxTree ast, CelOptions options) {
        try {
            Node n = new TypedPlan(ast, options).node(ast.getExpr());
            return n instanceof Bool ? null : "the result is not a bool";
        } catch (Unsupported e) {
            return e.getMessage();
        }
    }

    private CelType type(CelExpr e) throws Unsupported {
        return ast.getType(e.id()).orElseThrow(() -> new Unsupported("an expression without a checked type"));
    }

    private Node node(CelExpr e) throws Unsupported {
        switch (e.getKind()) {
            case CONSTANT:
                return constant(e.constant());
            case IDENT:
                return variable(e.ident().name());
            case CALL:
                return call(e);
            default:
                throw new Unsupported(e.getKind().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static Node constant(CelConstant c) throws Unsupported {
        switch (c.getKind()) {
            case BOOLEAN_VALUE: {
                boolean v = c.booleanValue();
                return (Bool) f -> v;
            }
            case INT64_VALUE: {
                long v = c.int64Value();
                return (Int) f -> v;
            }
            case DOUBLE_VALUE: {
                double v = c.doubleValue();
                return (Dbl) f -> v;
            }
            case STRING_VALUE: {
                String v = c.stringValue();
                return (Str) f -> v;
            }
            default:
                throw new Unsupported("a " + c.getKind() + " constant");
        }
    }

    private static Node variable(String name) throws Unsupported {
        switch (name) {
            case "amount": return (Dbl) f -> f.amount;
            case "amount_minor": return (Int) f -> f.amountMinor;
            case "currency": return (Str) f -> f.currency;
            case "merchant": return (Str) f -> f.merchant;
            case "category": return (Str) f -> f.category;
            case "country": return (Str) f -> f.country;
            case "channel": return (Str) f -> f.channel;
            case "terminal": return (Str) f -> f.terminal;
            case "merchant_lat": return (Dbl) f -> Double.isNaN(f.merchantLat) ? 0.0 : f.merchantLat;
            case "merchant_lon": return (Dbl) f -> Double.isNaN(f.merchantLon) ? 0.0 : f.merchantLon;
            case "event_time_millis": return (Int) f -> f.eventTimeMillis;
            case "hour": return (Int) RuleFacts::hour;
            case "weekday": return (Int) RuleFacts::weekday;
            case "score": return (Dbl) f -> f.score;
            case "threshold": return (Dbl) f -> f.threshold;
            case "model_version": return (Str) f -> f.modelVersion;
            case "model_alert": return (Bool) f -> f.modelAlert;
            case "pop_known": return (Bool) f -> f.pointOfPurchase != null;
            default:
                break;
        }
        if (EXTRACTOR_FEATURES.contains(name)) {
            return new FeatureVar(name, false);
        }
        int pop = PopFeatures.NAMES.indexOf(name);
        if (pop >= 0) {
            return (Dbl) f -> f.pointOfPurchase == null || pop >= f.pointOfPurchase.length
                    ? 0.0 : (double) f.pointOfPurchase[pop];
        }
        throw new Unsupported("the variable " + name + " outside an index");
    }

    /**
     * A model feature by name: an extractor feature variable (NaN when the model has no such feature, as the
     * variable resolver gives) or {@code features['name']} (an error when it has none). The slot is found once per
     * feature-name list (a model swap), not per event.
     */
    static final class FeatureVar implements Dbl {
        private record Slot(List<String> names, int index) {}

        private final String name;
        private final boolean mapIndex;
        private volatile Slot slot = new Slot(null, -1);

        FeatureVar(String name, boolean mapIndex) {
            this.name = name;
            this.mapIndex = mapIndex;
        }

        @Override
        public double eval(RuleFacts f) {
            Slot s = slot;
            if (s.names != f.featureNames()) {
                s = new Slot(f.featureNames(), f.featureSlot(name));
                slot = s;
            }
            int i = s.index;
            if (i < 0 || i >= f.features.length) {
                if (mapIndex) {
                    throw new EvalError("no such key: " + name);
                }
                return Double.NaN;
            }
            return f.features[i];
        }
    }

    private Node call(CelExpr e) throws Unsupported {
        CelExpr.CelCall c = e.call();
        List<CelExpr> args = new ArrayList<>();
        c.target().ifPresent(args::add);
        args.addAll(c.args());
        String fn = c.function();
        switch (fn) {
            case "_&&_":
                return and(bool(args.get(0)), bool(args.get(1)));
            case "_||_":
                return or(bool(args.get(0)), bool(args.get(1)));
            case "!_":
                return not(bool(args.get(0)));
            case "_?_:_":
                return conditional(bool(args.get(0)), node(args.get(1)), node(args.get(2)));
            case "_==_":
            case "_!=_":
                return equality(args.get(0), args.get(1), fn.equals("_!=_"));
            case "_<_":
            case "_<=_":
            case "_>_":
            case "_>=_":
                return ordering(fn, args.get(0), args.get(1));
            case "_+_":
            case "_-_":
            case "_*_":
            case "_/_":
            case "_%_":
                return arithmetic(fn, args.get(0), args.get(1));
            case "-_":
                return negation(node(args.get(0)));
            case "_[_]":
                return index(args.get(0), args.get(1));
            case "@in":
                return in(args.get(0), args.get(1));
            case "startsWith":
            case "endsWith":
            case "contains":
                return stringTest(fn, args);
            case "matches":
                return matches(args);
            case "size":
                return size(args);
            case "double":
                return toDouble(args);
            default:
                throw new Unsupported("the function " + fn);
        }
    }

    private Bool bool(CelExpr e) throws Unsupported {
        Node n = node(e);
        if (n instanceof Bool b) {
            return b;
        }
        throw new Unsupported("a non-bool operand of a logical operator");
    }

    private static Bool and(Bool a, Bool b) {
        return f -> {
            boolean left;
            try {
                left = a.eval(f);
            } catch (EvalError error) {
                if (!b.eval(f)) {
                    return false; // error && false == false
                }
                throw error;
            }
            return left && b.eval(f);
        };
    }

    private static Bool or(Bool a, Bool b) {
        return f -> {
            boolean left;
            try {
                left = a.eval(f);
            } catch (EvalError error) {
                if (b.eval(f)) {
                    return true; // error || true == true
                }
                throw error;
            }
            return left || b.eval(f);
        };
    }

    private static Bool not(Bool a) {
        return f -> !a.eval(f);
    }

    /**
     * {@code c ? t : e}. Like the other typed operations, one lambda per value type: Java has no generics over
     * primitives, and one node over boxed values would box on every evaluation.
     */
    private static Node conditional(Bool c, Node t, Node e) throws Unsupported {
        if (t instanceof Bool x && e instanceof Bool y) {
            return (Bool) f -> c.eval(f) ? x.eval(f) : y.eval(f);
        }
        if (t instanceof Int x && e instanceof Int y) {
            return (Int) f -> c.eval(f) ? x.eval(f) : y.eval(f);
        }
        if (t instanceof Dbl x && e instanceof Dbl y) {
            return (Dbl) f -> c.eval(f) ? x.eval(f) : y.eval(f);
        }
        if (t instanceof Str x && e instanceof Str y) {
            return (Str) f -> c.eval(f) ? x.eval(f) : y.eval(f);
        }
        throw new Unsupported("a conditional with branches of different types");
    }

    /**
     * The planned operands of a binary operator, which must have the same checked type ({@code what}: how the
     * operation is named when they do not, e.g. "a comparison of ").
     */
    private Node[] operands(String what, CelExpr l, CelExpr r) throws Unsupported {
        if (!type(l).equals(type(r))) {
            throw new Unsupported(what + type(l) + " and " + type(r));
        }
        return new Node[] {node(l), node(r)};
    }

    /** Equality of two operands of the same simple type (a heterogeneous one runs on the interpreter). */
    private Bool equality(CelExpr l, CelExpr r, boolean negate) throws Unsupported {
        Node[] ab = operands("an equality of ", l, r);
        Bool eq;
        if (ab[0] instanceof Bool x && ab[1] instanceof Bool y) {
            eq = f -> x.eval(f) == y.eval(f);
        } else if (ab[0] instanceof Int x && ab[1] instanceof Int y) {
            eq = f -> x.eval(f) == y.eval(f);
        } else if (ab[0] instanceof Dbl x && ab[1] instanceof Dbl y) {
            java.util.Set<String> keys = mapKeys(l, new java.util.HashSet<>());
            keys.retainAll(mapKeys(r, new java.util.HashSet<>()));
            if (!keys.isEmpty()) {
                // CEL-Java compares the same boxed map value by identity first, so features['k'] == features['k']
                // is true even when the value is NaN; the interpreter keeps that case.
                throw new Unsupported("an equality of the same features[...] value on both sides");
            }
            eq = f -> x.eval(f) == y.eval(f);
        } else if (ab[0] instanceof Str x && ab[1] instanceof Str y) {
            eq = f -> x.eval(f).equals(y.eval(f));
        } else {
            throw new Unsupported("an equality of " + type(l));
        }
        return negate ? not(eq) : eq;
    }

    /** The literal keys of {@code features[...]} read anywhere in {@code e}. */
    private static java.util.Set<String> mapKeys(CelExpr e, java.util.Set<String> into) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL) {
            CelExpr.CelCall c = e.call();
            if (c.function().equals("_[_]") && c.args().size() == 2
                    && c.args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && c.args().get(1).constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                into.add(c.args().get(1).constant().stringValue());
            }
            c.target().ifPresent(t -> mapKeys(t, into));
            for (CelExpr a : c.args()) {
                mapKeys(a, into);
            }
        }
        return into;
    }

    /** {@code <, <=, >, >=} on two ints or two doubles. */
    private Bool ordering(String fn, CelExpr l, CelExpr r) throws Unsupported {
        Node[] ab = operands("a comparison of ", l, r);
        if (ab[0] instanceof Int x && ab[1] instanceof Int y) {
            return switch (fn) {
                case "_<_" -> f -> x.eval(f) < y.eval(f);
                case "_<=_" -> f -> x.eval(f) <= y.eval(f);
                case "_>_" -> f -> x.eval(f) > y.eval(f);
                default -> f -> x.eval(f) >= y.eval(f);
            };
        }
        if (ab[0] instanceof Dbl x && ab[1] instanceof Dbl y) {
            return switch (fn) {
                case "_<_" -> f -> x.eval(f) < y.eval(f);
                case "_<=_" -> f -> x.eval(f) <= y.eval(f);
                case "_>_" -> f -> x.eval(f) > y.eval(f);
                default -> f -> x.eval(f) >= y.eval(f);
            };
        }
        throw new Unsupported("an ordering of " + type(l));
    }

    private Node arithmetic(String fn, CelExpr l, CelExpr r) throws Unsupported {
        Node[] ab = operands("arithmetic on ", l, r);
        if (ab[0] instanceof Int x && ab[1] instanceof Int y) {
            Int n = switch (fn) {
                case "_+_" -> f -> exact(() -> Math.addExact(x.eval(f), y.eval(f)));
                case "_-_" -> f -> exact(() -> Math.subtractExact(x.eval(f), y.eval(f)));
                case "_*_" -> f -> exact(() -> Math.multiplyExact(x.eval(f), y.eval(f)));
                case "_/_" -> f -> {
                    long p = x.eval(f);
                    long q = y.eval(f);
                    if (q == 0) {
                        throw new EvalError("divide by zero");
                    }
                    if (p == Long.MIN_VALUE && q == -1) {
                        throw new EvalError("integer overflow");
                    }
                    return p / q;
                };
                default -> f -> {
                    long p = x.eval(f);
                    long q = y.eval(f);
                    if (q == 0) {
                        throw new EvalError("modulus by zero");
                    }
                    if (p == Long.MIN_VALUE && q == -1) {
                        throw new EvalError("integer overflow");
                    }
                    return p % q;
                };
            };
            return n;
        }
        if (ab[0] instanceof Dbl x && ab[1] instanceof Dbl y) {
            Dbl n = switch (fn) {
                case "_+_" -> f -> x.eval(f) + y.eval(f);
                case "_-_" -> f -> x.eval(f) - y.eval(f);
                case "_*_" -> f -> x.eval(f) * y.eval(f);
                case "_/_" -> f -> x.eval(f) / y.eval(f);
                default -> throw new Unsupported("double modulus");
            };
            return n;
        }
        if (ab[0] instanceof Str x && ab[1] instanceof Str y && fn.equals("_+_")) {
            return (Str) f -> x.eval(f).concat(y.eval(f));
        }
        throw new Unsupported("arithmetic on " + type(l));
    }

    private interface LongOp {
        long apply();
    }

    private static long exact(LongOp op) {
        try {
            return op.apply();
        } catch (ArithmeticException e) {
            throw new EvalError("integer overflow");
        }
    }

    private static Node negation(Node a) throws Unsupported {
        if (a instanceof Int x) {
            return (Int) f -> {
                long v = x.eval(f);
                if (v == Long.MIN_VALUE) {
                    throw new EvalError("integer overflow");
                }
                return -v;
            };
        }
        if (a instanceof Dbl x) {
            return (Dbl) f -> -x.eval(f);
        }
        throw new Unsupported("a negation");
    }

    /** {@code features['name']} with a literal name. */
    private static Node index(CelExpr target, CelExpr key) throws Unsupported {
        if (target.getKind() == CelExpr.ExprKind.Kind.IDENT && target.ident().name().equals("features")
                && key.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && key.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
            return new FeatureVar(key.constant().stringValue(), true);
        }
        throw new Unsupported("an index other than features['literal']");
    }

    /** {@code x in [literals of x's type]}. */
    private Node in(CelExpr element, CelExpr list) throws Unsupported {
        if (list.getKind() != CelExpr.ExprKind.Kind.LIST || !list.list().optionalIndices().isEmpty()) {
            throw new Unsupported("'in' on something other than a list literal");
        }
        CelType t = type(element);
        List<CelExpr> items = list.list().elements();
        for (CelExpr i : items) {
            if (i.getKind() != CelExpr.ExprKind.Kind.CONSTANT || !type(i).equals(t)) {
                throw new Unsupported("'in' a list that is not literals of the element's type");
            }
        }
        Node x = node(element);
        if (x instanceof Str s) {
            Set<String> set = new java.util.HashSet<>();
            for (CelExpr i : items) {
                set.add(i.constant().stringValue());
            }
            return (Bool) f -> set.contains(s.eval(f));
        }
        if (x instanceof Int v) {
            long[] values = items.stream().mapToLong(i -> i.constant().int64Value()).toArray();
            return (Bool) f -> {
                long y = v.eval(f);
                for (long z : values) {
                    if (z == y) {
                        return true;
                    }
                }
                return false;
            };
        }
        if (x instanceof Dbl v) {
            double[] values = items.stream().mapToDouble(i -> i.constant().doubleValue()).toArray();
            return (Bool) f -> {
                double y = v.eval(f);
                for (double z : values) {
                    if (z == y) {
                        return true;
                    }
                }
                return false;
            };
        }
        throw new Unsupported("'in' on " + t);
    }

    /** {@code s.startsWith(t)}, {@code s.endsWith(t)}, {@code s.contains(t)} (Java's, as CEL-Java's). */
    private Bool stringTest(String fn, List<CelExpr> args) throws Unsupported {
        if (args.size() != 2) {
            throw new Unsupported(fn + " with " + args.size() + " operands");
        }
        Str s = string(args.get(0));
        Str t = string(args.get(1));
        return switch (fn) {
            case "startsWith" -> f -> s.eval(f).startsWith(t.eval(f));
            case "endsWith" -> f -> s.eval(f).endsWith(t.eval(f));
            default -> f -> s.eval(f).contains(t.eval(f));
        };
    }

    /**
     * {@code s.matches('literal')} (or {@code matches(s, 'literal')}): RE2 as CEL-Java's runtime does it (same
     * program-size limit, find or full match per {@code enableRegexPartialMatch}), the pattern compiled once.
     */
    private Bool matches(List<CelExpr> args) throws Unsupported {
        if (args.size() != 2) {
            throw new Unsupported("matches with " + args.size() + " operands");
        }
        CelExpr p = args.get(1);
        if (p.getKind() != CelExpr.ExprKind.Kind.CONSTANT || p.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
            throw new Unsupported("matches with a pattern that is not a literal");
        }
        Str s = string(args.get(0));
        com.google.re2j.Pattern pattern;
        try {
            pattern = com.google.re2j.Pattern.compile(p.constant().stringValue());
        } catch (RuntimeException e) {
            throw new Unsupported("an invalid pattern");
        }
        if (options.maxRegexProgramSize() >= 0 && pattern.programSize() > options.maxRegexProgramSize()) {
            String message = "Regex pattern exceeds allowed program size. Allowed: " + options.maxRegexProgramSize()
                    + ", Provided: " + pattern.programSize();
            return f -> {
                s.eval(f); // the operand's own error, if any, comes first
                throw new EvalError(message);
            };
        }
        if (options.enableRegexPartialMatch()) {
            return f -> pattern.matcher(s.eval(f)).find();
        }
        return f -> pattern.matcher(s.eval(f)).matches();
    }

    /** {@code double(i)} of an int (exact to 2^53, then rounded to nearest, as Java's and CEL-Java's cast). */
    private Dbl toDouble(List<CelExpr> args) throws Unsupported {
        if (args.size() != 1 || !type(args.get(0)).equals(SimpleType.INT)) {
            throw new Unsupported("double() of something other than an int");
        }
        Int x = (Int) node(args.get(0));
        return f -> (double) x.eval(f);
    }

    /** {@code size(s)} or {@code s.size()} of a string: its code points, as CEL counts. */
    private Int size(List<CelExpr> args) throws Unsupported {
        if (args.size() != 1) {
            throw new Unsupported("size with " + args.size() + " operands");
        }
        Str s = string(args.get(0));
        return f -> {
            String v = s.eval(f);
            return v.codePointCount(0, v.length());
        };
    }

    private Str string(CelExpr e) throws Unsupported {
        if (!type(e).equals(SimpleType.STRING)) {
            throw new Unsupported("a non-string operand of a string function");
        }
        return (Str) node(e);
    }
}
