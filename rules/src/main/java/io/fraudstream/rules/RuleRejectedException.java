package io.fraudstream.rules;

/**
 * A rule or rule set refused at publication (or when a job receives it): the message says which rule and what is
 * wrong, in words an analyst can act on.
 */
public final class RuleRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String rule;

    public RuleRejectedException(String rule, String message) {
        super(rule == null ? message : "rule '" + rule + "': " + message);
        this.rule = rule;
    }

    /** The refused rule's name, or null when the refusal concerns the whole set. */
    public String rule() {
        return rule;
    }
}
