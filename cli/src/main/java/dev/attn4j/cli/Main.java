package dev.attn4j.cli;

import dev.attn4j.selector.Selection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code attn4j} command. With no subcommand it does what a first-time user wants to see: which
 * backend this machine gets ({@code backends}) and how fast it is ({@code bench} with its defaults),
 * so it must work on a machine without any GPU, where it picks cpu.
 */
@Command(name = "attn4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Paged, quantized-KV attention for the JVM.",
                "Without a command: the backends report, then a short benchmark on the chosen backend."},
        subcommands = {BackendsCommand.class, ExplainCommand.class, VerifyCommand.class, BenchCommand.class,
            AccuracyCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line: tests call {@code execute} on it with their own writers, so
     * everything a command prints goes through {@code getOut()} / {@code getErr()}, never System.out.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // One selection serves both parts: the default requirements include everything the default
        // bench uses, so the backend it validated is the one benchmarked.
        try (Selection selection = Selections.select(null, DefaultRequirements.llama3_8b())) {
            out.print(BackendsCommand.renderTable(selection.report(), Probes.all()));
            out.println();
            out.flush();
            BenchConfig config = BenchConfig.defaults();
            BenchResult result = new Benchmark(selection.backend(), config, Probes.deviceName(selection.backend().name()),
                    err).run();
            out.print(result.table());
            out.flush();
        }
        return CommandLine.ExitCode.OK;
    }
}
