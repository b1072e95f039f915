package io.fraudstream.cli.support;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Runs a picocli command the way every fraudstream command runs: exit status 0 done, 1 failed, 2 bad command line.
 * A bad command line prints one message naming the option (picocli's for unknown options and bad values; the
 * command's own {@link UsageException} or {@code ParameterException} for rules across options), suggestions for a
 * mistyped option or subcommand, and where the help is; never a stack trace. A failure prints the exception and logs
 * it with its stack trace.
 */
public final class Commands {

    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

    private Commands() {}

    /** Runs {@code command} (a picocli {@code @Command} object) on {@code args}; returns the exit status. */
    public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
        return configure(new CommandLine(command), out, err).execute(args);
    }

    /**
     * Sets the streams, the duration converter and the exit-code handlers on {@code commandLine} and every
     * subcommand added so far (add subcommands first).
     */
    public static CommandLine configure(CommandLine commandLine, PrintStream out, PrintStream err) {
        commandLine.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        commandLine.registerConverter(Duration.class, new DurationConverter());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(Commands::badUsage);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UsageException) {
                return badUsage(new CommandLine.ParameterException(cmd, e.getMessage(), e), null);
            }
            LOG.error("{} failed", cmd.getCommandSpec().qualifiedName(), e);
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": failed: " + e);
            return CommandLine.ExitCode.SOFTWARE;
        });
        return commandLine;
    }

    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help' for the options.");
        return CommandLine.ExitCode.USAGE;
    }
}
