package io.fraudstream.trainer;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.cli.support.UsageException;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.CompiledRuleSet;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSets;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fraudstream rules validate|publish|disable|show}: analyst rule sets from the command line, published through
 * {@link RulePublisher} (signed with the model-signing key of {@code --keys}, the directory {@code trainer promote}
 * uses). Exit status: 0 done, 1 failed, 2 bad command line or a refused rule set (the message names the rule).
 */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Checks, publishes, disables and shows the"
        + " analyst rule set on the rules topic (docs/RULES.md).")
public final class RulesCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The {@code rules} command with its subcommands, for the top-level {@code fraudstream} command. */
    public static CommandLine commandLine(Clock clock, PrintStream out) {
        CommandLine cl = new CommandLine(new RulesCommand());
        cl.addSubcommand(new Validate(out));
        cl.addSubcommand(new Publish(clock, out));
        cl.addSubcommand(new Disable(clock, out));
        cl.addSubcommand(new Show(clock, out));
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: validate, publish,"
                + " disable or show");
    }

    /** Where rule sets go and the key that signs them. */
    static final class TopicOptions {
        @Option(names = "--kafka", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers.")
        String kafka;

        @Option(names = "--topic", paramLabel = "NAME", defaultValue = "rules", description = "Rule-set topic"
                + " (compacted, one partition).")
        String topic;

        @Option(names = "--keys", paramLabel = "DIR", required = true, description = "The model-signing key"
                + " directory (trainer --keys): publishing signs with its private key, reading verifies with its"
                + " public key. Never created here.")
        Path keys;

        @Option(names = "--timeout", paramLabel = "D", defaultValue = "60s", description = "Broker timeout.")
        Duration timeout;

        RulePublisher publisher(Clock clock, boolean sign) {
            if (topic.isBlank()) {
                throw new UsageException("--topic must not be empty");
            }
            PublicKey pub;
            PrivateKey priv = null;
            try {
                pub = SigningKeys.loadPublicKey(keys.resolve(SigningKeys.PUBLIC_KEY_FILE));
                if (sign) {
                    priv = SigningKeys.loadPrivateKey(keys.resolve(SigningKeys.PRIVATE_KEY_FILE));
                }
            } catch (NoSuchFileException e) {
                throw new UsageException("--keys " + keys + " holds no " + e.getFile() + ": point it at the"
                        + " model-signing key directory the trainer uses");
            } catch (java.io.IOException e) {
                throw new UsageException("--keys " + keys + ": " + e.getMessage());
            }
            return new RulePublisher(kafka, Map.of(), topic, pub, priv, clock, timeout);
        }
    }

    /** {@code validate FILE}. */
    @Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks a rule-set file: every rule"
            + " must parse, type-check to bool and stay within the cost bounds. Exit 2 naming the rule otherwise.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Rule-set JSON file (docs/RULES.md).")
        Path file;
        final PrintStream out;

        Validate(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            RuleSet set = read(file);
            CompiledRuleSet compiled = check(set);
            out.println(file + ": rule set " + set.getName() + ": " + set.getRules().size() + " rules valid ("
                    + compiled.size() + " enabled)");
            return 0;
        }
    }

    /** {@code publish FILE}. */
    @Command(name = "publish", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Checks,"
            + " signs and publishes a rule-set file as the next version (a version in the file must be newer than"
            + " the set in force).")
    static final class Publish implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Rule-set JSON file (docs/RULES.md).")
        Path file;
        @Mixin
        TopicOptions topic = new TopicOptions();
        @Option(names = "--issued-by", paramLabel = "NAME", description = "Who publishes (default: the OS user).")
        String issuedBy;
        final Clock clock;
        final PrintStream out;

        Publish(Clock clock, PrintStream out) {
            this.clock = clock;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            RuleSet set = read(file);
            check(set);
            try (RulePublisher p = topic.publisher(clock, true)) {
                RuleSet published = refusedAsUsage(() -> p.publish(set, issuer(issuedBy)));
                out.println("published rule set " + published.getName() + " v" + published.getVersion() + " ("
                        + published.getRules().size() + " rules) on " + p.topic());
                return 0;
            }
        }
    }

    /** {@code disable NAME | --all}. */
    @Command(name = "disable", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Publishes"
            + " the set in force again, one version up, with the rule disabled (--all: a newer set without rules).")
    static final class Disable implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..1", description = "The rule to disable.")
        String name;
        @Option(names = "--all", description = "Disable every rule (publish an empty set).")
        boolean all;
        @Mixin
        TopicOptions topic = new TopicOptions();
        @Option(names = "--issued-by", paramLabel = "NAME", description = "Who publishes (default: the OS user).")
        String issuedBy;
        final Clock clock;
        final PrintStream out;

        Disable(Clock clock, PrintStream out) {
            this.clock = clock;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if ((name == null) == !all) {
                throw new UsageException("give either a rule NAME or --all");
            }
            try (RulePublisher p = topic.publisher(clock, true)) {
                RuleSet published;
                try {
                    published = all ? p.disableAll(issuer(issuedBy)) : p.disable(name, issuer(issuedBy));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                out.println("published rule set " + published.getName() + " v" + published.getVersion() + ": "
                        + (all ? "no rules" : "rule " + name + " disabled"));
                return 0;
            }
        }
    }

    /** {@code show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Prints the"
            + " rule set in force (version, issuedBy, issuedAt, rules) and the sets the job would refuse.")
    static final class Show implements Callable<Integer> {
        @Mixin
        TopicOptions topic = new TopicOptions();
        final Clock clock;
        final PrintStream out;

        Show(Clock clock, PrintStream out) {
            this.clock = clock;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            try (RulePublisher p = topic.publisher(clock, false)) {
                RulePublisher.History h = p.history();
                for (RulePublisher.Entry e : h.entries()) {
                    if (!e.accepted()) {
                        out.println("refused at offset " + e.offset() + ": " + e.refusal());
                    }
                }
                Optional<RuleSet> set = h.inForce();
                if (set.isEmpty()) {
                    out.println("no rule set in force on " + p.topic());
                    return 0;
                }
                RuleSet s = set.get();
                out.println("rule set " + s.getName() + " v" + s.getVersion() + ", issued by " + s.getIssuedBy()
                        + " at " + s.getIssuedAt() + ", " + s.getRules().size() + " rules:");
                for (RuleDefinition r : s.getRules()) {
                    out.println("  " + r.getName() + "  priority " + r.getPriority() + "  " + r.getAction()
                            + (r.getEnabled() ? "" : "  (disabled)"));
                    out.println("      " + r.getExpression());
                }
                return 0;
            }
        }
    }

    private interface Publication {
        RuleSet run() throws Exception;
    }

    private static RuleSet refusedAsUsage(Publication p) throws Exception {
        try {
            return p.run();
        } catch (RuleSets.RefusedException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static RuleSet read(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("rule-set file " + file + " does not exist");
        }
        try {
            return RuleSetFiles.read(file);
        } catch (RuleSetFiles.FormatException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static CompiledRuleSet check(RuleSet set) {
        try {
            return RulePublisher.validate(set);
        } catch (RuleSets.RefusedException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static String issuer(String given) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        return System.getProperty("user.name", "cli") + " (fraudstream rules)";
    }
}
