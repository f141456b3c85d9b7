package dev.attn4j.cli;

import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.conformance.accuracy.AccuracyData;
import dev.attn4j.conformance.accuracy.AccuracyReport;
import dev.attn4j.conformance.accuracy.GeneratedKv;
import dev.attn4j.conformance.accuracy.KvFormat;
import dev.attn4j.selector.Selection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code attn4j accuracy}: what each KV format costs attention, on generated model-like K/V or on
 * the user's own ({@code .npy} files), against float64 and against bf16 K/V, and what the selected
 * backend's own decode adds on top. The numbers to choose a cache format by.
 */
@Command(name = "accuracy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attention error of every KV format (dtype x scale granularity x calibration) against float64",
                "and bf16 K/V: output rel-L2, max error, LSE error, attention-weight KL; and the backend's own decode.",
                "Data: a generated case (--data) or your model's K, V and queries (--keys, --values, --queries-file)."})
final class AccuracyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend whose decode runs every format too (default: the selected one); 'none': the formats alone.")
    String backend;

    @Option(names = "--data", paramLabel = "CASE", defaultValue = "outlier-keys",
            description = "Generated case: gaussian, outlier-keys, large-keys (default: ${DEFAULT-VALUE}); see the user guide.")
    String data;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "llama3-8b", converter = ModelShape.Converter.class,
            completionCandidates = ModelShape.Names.class,
            description = "Heads and head dim of generated data: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ModelShape model;

    @Option(names = "--context", paramLabel = "N", defaultValue = "1024",
            description = "Tokens of generated K/V (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "4",
            description = "Generated query rows, each attending to the whole context (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the generated data (default: ${DEFAULT-VALUE}, the user guide's table).")
    long seed;

    @Option(names = "--keys", paramLabel = "FILE.npy",
            description = "Your keys, float16/32/64 of shape [tokens, kv_heads, head_dim] (with --values and --queries-file).")
    Path keys;

    @Option(names = "--values", paramLabel = "FILE.npy", description = "Your values, shaped as --keys.")
    Path values;

    @Option(names = "--queries-file", paramLabel = "FILE.npy",
            description = "Your queries, [rows, qo_heads, head_dim]; qo_heads a multiple of kv_heads.")
    Path queriesFile;

    @Option(names = "--calibration-keys", paramLabel = "FILE.npy",
            description = "Keys to calibrate TENSOR/HEAD/CHANNEL scales on (default: --keys itself, which flatters them).")
    Path calibrationKeys;

    @Option(names = "--calibration-values", paramLabel = "FILE.npy", description = "Values to calibrate on (default: --values).")
    Path calibrationValues;

    @Option(names = "--formats", paramLabel = "F,...", split = ",",
            description = "Formats to report, dtype[/granularity[/scales]] (e.g. int8/token,fp8-e4m3/tensor/absmax); default: all.")
    List<String> formats;

    @Option(names = "--markdown", description = "Print the user guide's accuracy section (all generated cases) instead.")
    boolean markdown;

    @Mixin
    JsonOption json = new JsonOption();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (markdown) {
            out.print(AccuracyMarkdown.section());
            out.flush();
            return CommandLine.ExitCode.OK;
        }
        AccuracyData d = data();
        List<KvFormat> list = formats == null ? KvFormat.all(d.headDim())
                : formats.stream().map(KvFormat::parse).collect(Collectors.toList());
        AccuracyReport report;
        if ("none".equalsIgnoreCase(backend)) {
            report = AccuracyReport.run(d, list, null);
        } else {
            // Selected and validated for the data's own shape (decode over an int8/TOKEN cache), so a
            // backend that cannot take these heads is passed over here, not reported per format.
            Requirements req = new Requirements(d.headDim(), d.numQoHeads(), d.numKvHeads(), KvDType.INT8,
                    ScaleGranularity.TOKEN, KvLayout.NHD, AccuracyReport.BLOCK_SIZE, DType.BF16,
                    EnumSet.of(Feature.DECODE, Feature.LSE));
            try (Selection selection = Selections.select(backend, req)) {
                report = AccuracyReport.run(d, list, selection.backend());
            }
        }
        out.print(json.json ? json(report) + "\n" : table(report));
        out.flush();
        return CommandLine.ExitCode.OK;
    }

    private AccuracyData data() {
        if (keys == null && values == null && queriesFile == null) {
            if (calibrationKeys != null || calibrationValues != null) {
                throw new InvalidRequestException("--calibration-keys", calibrationKeys, "goes with --keys");
            }
            return GeneratedKv.parse(data).generate(model.numQoHeads, model.numKvHeads, model.headDim, context, queries, seed);
        }
        if (keys == null || values == null || queriesFile == null) {
            throw new InvalidRequestException(keys == null ? "--keys" : values == null ? "--values" : "--queries-file",
                    null, "--keys, --values and --queries-file go together");
        }
        NpyFile.Array k = NpyFile.read("--keys", keys);
        NpyFile.Array v = NpyFile.read("--values", values);
        NpyFile.Array q = NpyFile.read("--queries-file", queriesFile);
        int[] ks = rank3("--keys", k);
        if (!Arrays.equals(ks, rank3("--values", v))) {
            throw new InvalidRequestException("--values", values, "shape " + Arrays.toString(v.shape())
                    + " differs from --keys " + Arrays.toString(ks));
        }
        int[] qs = rank3("--queries-file", q);
        if (qs[2] != ks[2]) {
            throw new InvalidRequestException("--queries-file", queriesFile, "head_dim " + qs[2] + " differs from the keys' "
                    + ks[2]);
        }
        double[] ck = calibrationKeys == null ? k.data() : NpyFile.read("--calibration-keys", calibrationKeys).data();
        double[] cv = calibrationValues == null ? v.data() : NpyFile.read("--calibration-values", calibrationValues).data();
        return new AccuracyData(keys.getFileName() + "+" + values.getFileName(), qs[1], ks[1], ks[2], k.data(), v.data(),
                q.data(), ck, cv);
    }

    private static int[] rank3(String option, NpyFile.Array a) {
        if (a.shape().length != 3) {
            throw new InvalidRequestException(option, Arrays.toString(a.shape()), "expected a 3-d array [tokens, heads, head_dim]");
        }
        return a.shape();
    }

    /** The report as a text table, with what the data was and which backend ran. */
    static String table(AccuracyReport r) {
        AccuracyData d = r.data();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "data %s: %d tokens, %d query rows, %d/%d heads, head dim %d%n", d.name(),
                d.tokens(), d.numQueries(), d.numQoHeads(), d.numKvHeads(), d.headDim()));
        b.append("error against float64 attention over the unquantized K/V (KV appended as bf16; fp16 as fp16)\n");
        boolean ran = r.backend().isPresent();
        TextTable t = ran
                ? new TextTable("format", "B/token", "rel-L2", "max err", "LSE err", "KL", "vs bf16", r.backend().get() + " rel-L2",
                        r.backend().get() + " LSE err").alignRight(1, 2, 3, 4, 5, 6, 7, 8)
                : new TextTable("format", "B/token", "rel-L2", "max err", "LSE err", "KL", "vs bf16").alignRight(1, 2, 3, 4, 5, 6);
        StringBuilder problems = new StringBuilder();
        for (AccuracyReport.Row row : r.rows()) {
            Object[] cells = {row.kvFormat().id(), row.bytesPerToken(), g3(row.format().relL2()), g3(row.format().maxErr()),
                g3(row.format().lseErr()), g3(row.format().kl()), g3(row.formatVsBf16().relL2())};
            if (ran) {
                String rel = row.backend().map(m -> g3(m.relL2())).orElse("-");
                String lse = row.backend().map(m -> g3(m.lseErr())).orElse("-");
                row.backendProblem().ifPresent(p -> problems.append(row.kvFormat().id()).append(": ").append(p).append('\n'));
                cells = Arrays.copyOf(cells, 9);
                cells[7] = rel;
                cells[8] = lse;
            }
            t.row(cells);
        }
        b.append(t.render());
        b.append("B/token: K and V bytes of one token in one layer, scales included. KL: mean attention-weight "
                + "KL(exact || format), nats.\n");
        if (problems.length() > 0) {
            b.append("not run on ").append(r.backend().get()).append(":\n").append(problems);
        }
        return b.toString();
    }

    static String json(AccuracyReport r) {
        AccuracyData d = r.data();
        Json.Array rows = Json.array();
        for (AccuracyReport.Row row : r.rows()) {
            Json.Obj o = Json.object().put("format", row.kvFormat().id()).put("kv_dtype", row.kvFormat().dtype().name())
                    .put("granularity", row.kvFormat().granularity().toString()).put("scales", row.kvFormat().scales())
                    .put("bytes_per_token", row.bytesPerToken()).put("rel_l2", row.format().relL2())
                    .put("max_err", row.format().maxErr()).put("lse_err", row.format().lseErr()).put("kl", row.format().kl())
                    .put("vs_bf16", Json.object().put("rel_l2", row.formatVsBf16().relL2())
                            .put("max_err", row.formatVsBf16().maxErr()).put("lse_err", row.formatVsBf16().lseErr())
                            .put("kl", row.formatVsBf16().kl()));
            o.put("backend", row.backend().map(m -> (Object) Json.object().put("rel_l2", m.relL2()).put("max_err", m.maxErr())
                    .put("lse_err", m.lseErr())).orElse(null));
            o.put("backend_problem", row.backendProblem().orElse(null));
            rows.add(o);
        }
        return Json.object().put("data", Json.object().put("name", d.name()).put("tokens", d.tokens())
                        .put("queries", d.numQueries()).put("num_qo_heads", d.numQoHeads()).put("num_kv_heads", d.numKvHeads())
                        .put("head_dim", d.headDim()))
                .put("backend", r.backend().orElse(null)).put("rows", rows).toString();
    }

    static String g3(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
