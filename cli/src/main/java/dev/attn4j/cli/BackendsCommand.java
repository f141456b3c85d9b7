package dev.attn4j.cli;

import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.selector.Selection;
import dev.attn4j.selector.SelectionException;
import dev.attn4j.selector.SelectionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code attn4j backends}: what selection does on this machine for a typical configuration (every
 * candidate, its outcome and reason) and what each provider's probe found. When nothing can be
 * chosen the report is still the answer, so it is printed in the requested form and the exit code
 * is 1.
 */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = {"Selects a backend for a Llama-3-8B-shaped int8 cache (32/8 heads, d128, TOKEN scales, "
                + "block 16) and prints the selection report and every provider's devices.",
                "Honours -Dattn4j.backend and ATTN4J_BACKEND (e.g. cuda,cpu)."})
final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SelectionReport report;
        int code;
        try (Selection selection = Selections.select(null, DefaultRequirements.llama3_8b())) {
            report = selection.report();
            code = CommandLine.ExitCode.OK;
        } catch (SelectionException e) {
            report = e.report();
            code = CommandLine.ExitCode.SOFTWARE;
        }
        List<Probes.ProviderProbe> probes = Probes.all();
        out.print(output.json ? renderJson(report, probes) + "\n" : renderTable(report, probes));
        out.flush();
        return code;
    }

    /** The report's table, then one line per provider with its probe's devices or its cause. */
    static String renderTable(SelectionReport report, List<Probes.ProviderProbe> probes) {
        StringBuilder b = new StringBuilder(report.table());
        b.append('\n').append("devices (probe):").append('\n');
        TextTable t = new TextTable("backend", "available", "devices / cause");
        for (Probes.ProviderProbe p : probes) {
            if (p.availability().isAvailable()) {
                StringBuilder devs = new StringBuilder();
                for (DeviceInfo d : p.availability().devices()) {
                    devs.append(devs.length() == 0 ? "" : "\n").append(Probes.describe(d));
                }
                t.row(p.name(), "yes", devs.length() == 0 ? "(no devices listed)" : devs.toString());
            } else {
                t.row(p.name(), "no", TextTable.wrap(p.availability().unavailabilityCause(), 90));
            }
        }
        return b.append(t.render()).toString();
    }

    /** {@code {"selection": <SelectionReport.json()>, "probes": [...]}}. */
    static String renderJson(SelectionReport report, List<Probes.ProviderProbe> probes) {
        Json.Array arr = Json.array();
        for (Probes.ProviderProbe p : probes) {
            Json.Array devices = Json.array();
            for (DeviceInfo d : p.availability().devices()) {
                Json.Obj details = Json.object();
                for (Map.Entry<String, String> e : new TreeMap<>(d.details()).entrySet()) {
                    details.put(e.getKey(), e.getValue());
                }
                devices.add(Json.object().put("index", d.index()).put("name", d.name()).put("vendor", d.vendor())
                        .put("memory_bytes", d.memoryBytes()).put("details", details));
            }
            arr.add(Json.object().put("name", p.name()).put("priority", p.provider().priority())
                    .put("available", p.availability().isAvailable())
                    .put("cause", p.availability().unavailabilityCause())
                    .put("devices", devices));
        }
        return Json.object().putRaw("selection", report.json()).put("probes", arr).toString();
    }
}
