package dev.attn4j.cli;

import dev.attn4j.api.Capabilities;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code attn4j explain}: the support matrix, one row per provider on the class path, from what
 * each declares ({@code capabilities()}, known without opening it) and its probe. It answers "could
 * any backend here serve my configuration, and if not, which dimension is the problem" before an
 * engine tries.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Prints what every backend on the class path supports and whether it can run here.")
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(render(Probes.all(), Probes.rejected()));
        out.flush();
        return CommandLine.ExitCode.OK;
    }

    static String render(List<Probes.ProviderProbe> probes, List<CandidateReport> rejected) {
        TextTable t = new TextTable("backend", "priority", "available", "kv dtype: scale granularities", "layouts",
                "head dims", "block sizes", "group sizes", "query", "features").alignRight(1);
        for (Probes.ProviderProbe p : probes) {
            String available = p.availability().isAvailable()
                    ? "yes"
                    : "no:\n" + TextTable.wrap(p.availability().unavailabilityCause(), 32);
            Capabilities c;
            try {
                c = p.provider().capabilities();
            } catch (RuntimeException e) { // a broken provider must not hide the others
                t.row(p.name(), p.provider().priority(), available, TextTable.wrap("capabilities() threw " + e, 40),
                        "", "", "", "", "", "");
                continue;
            }
            t.row(p.name(), p.provider().priority(), available, formats(c), lines(c.layouts()),
                    c.headDims(), c.blockSizes(), c.groupSizes(), lines(c.queryDtypes()), lines(c.features()));
        }
        for (CandidateReport r : rejected) {   // found, but not loadable or of another SPI version
            t.row(r.name(), "", "no:\n" + TextTable.wrap(r.outcome() + ": " + r.reason() + " [" + r.source() + "]", 32),
                    "", "", "", "", "", "", "");
        }
        return t.render();
    }

    /**
     * One line per KV dtype with the granularities usable with it: quantized dtypes take every
     * declared kind but NONE, 16-bit ones only NONE (the spec rejects anything else), so the
     * declared sets' cross product is narrowed to combinations that can exist.
     */
    static String formats(Capabilities c) {
        List<String> lines = new ArrayList<>();
        for (KvDType t : KvDType.values()) {
            if (!c.kvDtypes().contains(t)) {
                continue;
            }
            List<String> kinds = new ArrayList<>();
            for (ScaleGranularity.Kind k : ScaleGranularity.Kind.values()) {
                boolean fits = t.isQuantized() ? k != ScaleGranularity.Kind.NONE : k == ScaleGranularity.Kind.NONE;
                if (fits && c.granularities().contains(k)) {
                    kinds.add(k == ScaleGranularity.Kind.TOKEN_GROUP ? "TOKEN_GROUP(g in " + c.tokenGroupSizes() + ")"
                            : k.name());
                }
            }
            lines.add(t + ": " + (kinds.isEmpty() ? "(no usable granularity)" : String.join(" ", kinds)));
        }
        return lines.isEmpty() ? "(none)" : String.join("\n", lines);
    }

    private static String lines(Collection<? extends Enum<?>> values) {
        return values.isEmpty() ? "(none)"
                : values.stream().sorted().map(Enum::name).collect(Collectors.joining("\n"));
    }
}
