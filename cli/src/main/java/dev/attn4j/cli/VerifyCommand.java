package dev.attn4j.cli;

import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.conformance.SuiteReport;
import dev.attn4j.selector.Selection;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code attn4j verify}: runs the conformance suite against the float64 reference on the selected
 * backend, on this machine, so a user can check a driver or device before trusting it. The exit
 * code is the verdict (0 all passed, 1 otherwise), for scripts and CI.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Runs the conformance suite (float64 reference) on a backend.",
                "Exit code 0 when every case passed (skipped ones do not count against), 1 otherwise."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend (or comma-separated order) to verify; default: -Dattn4j.backend, "
                    + "ATTN4J_BACKEND, else the highest-priority one that is available.")
    String backend;

    @ArgGroup(exclusive = true)
    Size size = new Size();

    /** --quick and --full are alternatives. */
    static final class Size {
        @Option(names = "--quick", description = "The quick subset (default; a few cases, seconds).")
        boolean quick;

        @Option(names = "--full", description = "The full matrix (hundreds of cases).")
        boolean full;
    }

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the random data (case i uses N+i); default: -Dattn4j.conformance.seed, else fresh.")
    Long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ConformanceCase> cases = size.full ? ConformanceSuite.full() : ConformanceSuite.quick();
        long s = seed != null ? seed : ConformanceSuite.defaultSeed();
        SuiteReport report;
        try (Selection selection = Selections.select(backend, DefaultRequirements.llama3_8b())) {
            out.println("verifying " + selection.backend().name() + " (" + Probes.deviceName(selection.backend().name())
                    + "): " + cases.size() + (size.full ? " cases (full)" : " cases (quick)") + ", seed " + s);
            out.flush();
            try (Progress progress = Progress.start(err, "verify " + selection.backend().name(), cases.size())) {
                report = ConformanceSuite.run(selection.backend(), cases, s, r -> progress.step(r.caseId()));
            }
        }
        out.print(render(report));
        out.flush();
        return report.allPassed() ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
    }

    /** Failures and errors with their detail (what to look at first), then the one-line summary. */
    static String render(SuiteReport report) {
        StringBuilder b = new StringBuilder();
        List<CaseResult> failures = report.failures();
        if (failures.isEmpty()) {
            b.append("no failures\n");
        } else {
            TextTable t = new TextTable("status", "relL2", "maxErr", "lseErr", "case", "detail").alignRight(1, 2, 3);
            for (CaseResult r : failures) {
                t.row(r.status(), sci(r.relL2()), sci(r.maxErr()), sci(r.lseErr()), r.caseId(),
                        TextTable.wrap(r.detail(), 80));
            }
            b.append(t.render());
            b.append("re-run a case with --seed ").append(report.seed()).append(" (case i uses seed+i)\n");
        }
        long skipped = report.count(CaseResult.Status.SKIPPED);
        if (skipped > 0) {
            b.append(skipped).append(" case(s) skipped: not supported by ").append(report.backend()).append('\n');
        }
        return b.append(report.summary()).append('\n').toString();
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
