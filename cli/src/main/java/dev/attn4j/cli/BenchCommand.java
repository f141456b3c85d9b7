package dev.attn4j.cli;

import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.AttentionBackend;
import dev.attn4j.selector.MultiDeviceSelection;
import dev.attn4j.selector.Selection;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Callable;

/**
 * {@code attn4j bench}: decode bandwidth and prefill throughput of one configuration on the selected
 * (and validated) backend, each next to a ceiling measured in the same run, so a figure can be read
 * without knowing the hardware.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures decode (GB/s of KV read) and causal prefill (TFLOP/s) on a backend, each with its "
                + "ratio to a ceiling measured in the same run (backend.copy bandwidth; on cpu, the host's float32 rate).",
                "The defaults finish in seconds on the cpu backend; give GPUs larger sizes."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend (or comma-separated order); default: -Dattn4j.backend, ATTN4J_BACKEND, else priority.")
    String backend;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "llama3-8b", converter = ModelShape.Converter.class,
            completionCandidates = ModelShape.Names.class,
            description = "Attention shape: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ModelShape model;

    @Option(names = "--heads", paramLabel = "Q/KV", description = "Query / KV heads instead of the model's, e.g. 28/4.")
    String heads;

    @Option(names = "--head-dim", paramLabel = "D", description = "Head dim instead of the model's.")
    Integer headDim;

    @Option(names = "--soft-cap", paramLabel = "C", description = "Logit soft-cap instead of the model's (0: none).")
    Double softCap;

    @Option(names = "--window", paramLabel = "W", description = "Sliding window of W tokens (default: none).")
    Integer window;

    @Option(names = "--layout", paramLabel = "L", description = "Cache layout: NHD (default) or HND.")
    KvLayout layout;

    @Option(names = "--kv", paramLabel = "DTYPE", defaultValue = "int8", converter = KvConverter.class,
            description = "KV cache dtype: int8, fp8-e4m3, fp8-e5m2, bf16, fp16 (default: ${DEFAULT-VALUE}).")
    KvDType kv;

    @Option(names = "--granularity", paramLabel = "G", converter = GranularityConverter.class,
            description = "Scales: token, tensor, head, channel, token_group(32); default: token for int8, "
                    + "tensor for fp8, none for 16-bit. Caller-set scales are 0.05 for fp8 and 1/127 for int8 "
                    + "(data is uniform in [-1, 1)).")
    ScaleGranularity granularity;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_BATCH,
            description = "Decode batch: sequences (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--context", paramLabel = "N",
            description = "Cached tokens per decode sequence (default: " + BenchConfig.DEFAULT_CONTEXT + ").")
    Integer context;

    @Option(names = "--prefill-len", paramLabel = "N",
            description = "Prefill prompt length; default: the --context value when one is given, else "
                    + BenchConfig.DEFAULT_PREFILL + ".")
    Integer prefillLen;

    @Option(names = "--block-size", paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_BLOCK,
            description = "Tokens per cache block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_WARMUP,
            description = "Untimed runs before timing (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", paramLabel = "N", defaultValue = "" + BenchConfig.DEFAULT_ITERS,
            description = "Timed runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int iters;

    @Mixin
    JsonOption output;

    @Option(names = "--all-devices", description = "The same bench on every device of the selected backend at once "
            + "(one thread each, as a tensor-parallel engine drives them): each device's figures beside the others'.")
    boolean allDevices;

    @Option(names = "--step", description = "One decode step of a --layers model instead: plan once, then per layer "
            + "append the new token and decode; device and host-issued time of the whole step.")
    boolean step;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "32", description = "Layers of --step (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--sweep", description = "Decode over a grid of models x (batch, context) x KV formats; writes a "
            + "table, sweep.csv and sweep.svg (see --sweep-models, --sweep-sizes, --sweep-kv, --out).")
    boolean sweep;

    @Option(names = "--sweep-models", paramLabel = "M,...", defaultValue = Sweep.DEFAULT_MODELS,
            description = "Models of the sweep (default: ${DEFAULT-VALUE}).")
    String sweepModels;

    @Option(names = "--sweep-sizes", paramLabel = "BxC,...", defaultValue = Sweep.DEFAULT_SIZES,
            description = "Batch x context pairs of the sweep (default: ${DEFAULT-VALUE}).")
    String sweepSizes;

    @Option(names = "--sweep-kv", paramLabel = "KV[/G],...", defaultValue = Sweep.DEFAULT_FORMATS,
            description = "KV formats of the sweep (default: ${DEFAULT-VALUE}).")
    String sweepKv;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "attn4j-sweep",
            description = "Where the sweep writes sweep.csv and sweep.svg (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path outDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (sweep) {
            return sweep(out, err);
        }
        if (step) {
            return step(out, err);
        }
        if (allDevices) {
            return allDevices(out);
        }
        BenchConfig config = config();
        try (Selection selection = Selections.select(backend, config.requirements())) {
            String name = selection.backend().name();
            BenchResult r = new Benchmark(selection.backend(), config, Probes.deviceName(name), err).run();
            out.print(output.json ? r.json() + "\n" : r.table());
            out.flush();
        }
        return CommandLine.ExitCode.OK;
    }

    /**
     * {@code --all-devices}: one validated backend per device ({@code selectAll}), each benchmarked
     * on its own thread, all at the same time, so shared limits (host memory, PCIe, the CPU threads
     * that issue work) show as each device falling below its figure alone. No progress bars: several
     * at once would interleave.
     */
    private Integer allDevices(PrintWriter out) {
        BenchConfig config = config();
        try (MultiDeviceSelection all = Selections.selectAll(backend, config.requirements())) {
            List<AttentionBackend> backends = all.backends();
            ExecutorService pool = Executors.newFixedThreadPool(backends.size());
            List<BenchResult> results = new ArrayList<>();
            try {
                List<Future<BenchResult>> running = new ArrayList<>();
                for (AttentionBackend b : backends) {
                    running.add(pool.submit(() -> new Benchmark(b, config, Probes.deviceName(b.name()),
                            new PrintWriter(Writer.nullWriter())).run()));
                }
                for (Future<BenchResult> f : running) {
                    results.add(f.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the devices ran", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
            if (output.json) {
                Json.Array devices = Json.array();
                results.forEach(r -> devices.addRaw(r.json()));
                out.println(Json.object().put("devices_at_once", results.size()).put("devices", devices));
            } else {
                for (int i = 0; i < results.size(); i++) {
                    out.println("device " + i + " of " + results.size() + " (all running at once):");
                    out.print(results.get(i).table());
                }
            }
            out.flush();
        }
        return CommandLine.ExitCode.OK;
    }

    /** {@code --step}: the read ceiling, then the step (on cpu, the read ceiling again after it). */
    private Integer step(PrintWriter out, PrintWriter err) {
        if (layers < 1) {
            throw new dev.attn4j.api.InvalidRequestException("--layers", layers, "must be >= 1");
        }
        BenchConfig config = config();
        try (Selection selection = Selections.select(backend, config.requirements())) {
            String name = selection.backend().name();
            StepResult r;
            long steps = ReadCeiling.progressSteps(selection.backend()) + config.warmup() + config.iters();
            try (Progress p = Progress.start(err, "step " + name, steps)) {
                p.message("read ceiling");
                ReadCeiling read = ReadCeiling.measure(selection.backend());
                p.step("read ceiling");
                Timing t = new Benchmark(selection.backend(), config, Probes.deviceName(name), err).step(p, layers);
                read = ReadCeiling.again(selection.backend(), read, p);
                r = new StepResult(name, Probes.deviceName(name), config, layers, read, t);
            }
            out.print(output.json ? r.json() + "\n" : r.table());
            out.flush();
        }
        return CommandLine.ExitCode.OK;
    }

    /**
     * The sweep: the backend is selected (and validated) for the grid's first configuration; every
     * other one is checked against its capabilities and skipped, with the reason, if unsupported.
     */
    private Integer sweep(PrintWriter out, PrintWriter err) {
        java.util.List<BenchConfig> grid = Sweep.grid(sweepModels, sweepSizes, sweepKv, blockSize, warmup, iters);
        try (Selection selection = Selections.select(backend, grid.get(0).requirements())) {
            String name = selection.backend().name();
            String device = Probes.deviceName(name);
            ReadCeiling[] read = new ReadCeiling[1];
            CopyCeiling[] copy = new CopyCeiling[1];
            java.util.List<Sweep.Row> rows = Sweep.run(selection.backend(), grid, device, err, read, copy);
            out.print(Sweep.table(rows, name, device, read[0], copy[0]));
            for (java.nio.file.Path f : Sweep.write(outDir, Sweep.csv(rows), Sweep.svg(rows, name, device, read[0]))) {
                out.println("wrote " + f);
            }
            out.flush();
        }
        return CommandLine.ExitCode.OK;
    }

    /**
     * The run's configuration. A prefill as long as a given context is what a GPU run wants; with
     * neither given, prefill stays at 512 so the default run is short on cpu (prefill work grows
     * with the square of its length).
     */
    BenchConfig config() {
        int ctx = context != null ? context : BenchConfig.DEFAULT_CONTEXT;
        int pre = prefillLen != null ? prefillLen : context != null ? context : BenchConfig.DEFAULT_PREFILL;
        ScaleGranularity g = granularity != null ? granularity : BenchConfig.defaultGranularity(kv);
        BenchShape shape = BenchShape.of(model).with(heads == null ? null : BenchShape.parseHeads(heads), headDim, softCap,
                window, layout);
        return new BenchConfig(shape, kv, g, blockSize, batch, ctx, pre, warmup, iters);
    }

    /** picocli: {@code --kv fp8-e4m3}. */
    static final class KvConverter implements ITypeConverter<KvDType> {
        @Override
        public KvDType convert(String value) {
            return KvDType.parse(value);
        }
    }

    /** picocli: {@code --granularity token_group(32)}. */
    static final class GranularityConverter implements ITypeConverter<ScaleGranularity> {
        @Override
        public ScaleGranularity convert(String value) {
            return ScaleGranularity.parse(value);
        }
    }
}
