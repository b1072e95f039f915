package io.fraudstream.cli;

import io.fraudstream.cli.support.Commands;
import io.fraudstream.local.BenchCommand;
import io.fraudstream.local.DemoCommand;
import io.fraudstream.replay.ReplayMain;
import io.fraudstream.simulator.SimulatorMain;
import io.fraudstream.trainer.RulesCommand;
import io.fraudstream.trainer.TrainerMain;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./fraudstream <command>}: every command the project runs, in one picocli command line. The commands are
 * defined by the modules that own them (local-runner, simulator, trainer, replay); this class only assembles them.
 * Exit status: 0 done, 1 failed, 2 bad command line (the message names the option).
 */
@Command(name = "fraudstream", mixinStandardHelpOptions = true, version = "fraudstream 0.1.0",
        description = "Streaming card-fraud detection: run the pipeline, simulate, train, evaluate and replay.",
        footer = {"", "'fraudstream <command> --help' shows a command's options and their defaults;"
            + " 'fraudstream completion > fraudstream-completion.sh && . fraudstream-completion.sh' completes them"
            + " in bash and zsh."})
public final class Fraudstream implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Commands may leave non-daemon threads (Flink, Kafka) behind: the status ends the JVM.
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs a command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        return commandLine(out, err, clock).execute(args);
    }

    /** The whole command tree, configured (streams, duration converter, exit codes). */
    public static CommandLine commandLine(PrintStream out, PrintStream err, Clock clock) {
        CommandLine cl = new CommandLine(new Fraudstream());
        List<Object> commands = new ArrayList<>();
        commands.add(new DemoCommand());
        commands.add(new BenchCommand());
        commands.add(new SimulatorMain(clock, out, err));
        commands.addAll(TrainerMain.commands(clock, out));
        commands.addAll(ReplayMain.commands(out, err));
        commands.add(RulesCommand.commandLine(clock, out));
        for (Object c : commands) {
            cl.addSubcommand(c);
        }
        cl.addSubcommand(new CommandLine.HelpCommand());
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().usageMessage().hidden(false)
                .description("Prints a bash/zsh completion script for fraudstream.");
        cl.addSubcommand("completion", completion);
        return Commands.configure(cl, out, err);
    }

    /** {@code fraudstream} alone: the command list on stderr, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (fraudstream help lists"
                + " them)");
    }
}
