package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.CapabilityCheck;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --sweep}: decode over a grid of models × (batch, context) × KV formats on one
 * backend, each figure device-timed and a ratio to the read ceiling measured once at the start
 * (the copy figure beside it), written as a table, {@code sweep.csv} and {@code sweep.svg}.
 * Configurations the backend does not implement are listed with the reason, not run. The first
 * point runs again at the end (its row marked {@code (repeat)}, left out of the chart): the gap
 * between the two is the sweep's own measure of its run-to-run spread.
 */
final class Sweep {
    /** The grid the issue asks for, by default. */
    static final String DEFAULT_MODELS = "llama3-8b,llama3-70b,mistral-7b,qwen2-7b,gemma2-9b";
    static final String DEFAULT_SIZES = "1x131072,8x32768,64x4096,256x1024";
    static final String DEFAULT_FORMATS = "int8/token,int8/channel,int8/token_group(32),fp8-e4m3/tensor,bf16";
    static final String REPEAT = " (repeat)";

    /** One KV format of the grid. */
    record Format(KvDType kv, ScaleGranularity granularity) {
        static Format parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            KvDType kv = KvDType.parse(slash < 0 ? t : t.substring(0, slash));
            ScaleGranularity g = slash < 0 ? BenchConfig.defaultGranularity(kv) : ScaleGranularity.parse(t.substring(slash + 1));
            return new Format(kv, g);
        }

        /** As {@code --sweep-kv} spells it: {@code int8/token}, {@code fp8-e4m3/tensor}, {@code bf16}. */
        String label() {
            String name = kv.name().toLowerCase(Locale.ROOT).replace('_', '-');
            return granularity.kind() == ScaleGranularity.Kind.NONE ? name
                    : name + "/" + granularity.toString().toLowerCase(Locale.ROOT);
        }
    }

    /** One measured (or skipped) grid point. */
    record Row(String model, int batch, int context, String format, double deviceMicros, double hostMicros, double gbps,
               double ratio, String skipped) {
        String shape() {
            return model + " " + batch + "x" + context;
        }

        boolean repeat() {
            return model.endsWith(REPEAT);
        }
    }

    private Sweep() {
    }

    static List<Integer[]> parseSizes(String text) {
        List<Integer[]> out = new ArrayList<>();
        for (String s : text.split(",")) {
            String[] bc = s.trim().toLowerCase(Locale.ROOT).split("x");
            try {
                if (bc.length == 2) {
                    out.add(new Integer[] {Integer.parseInt(bc[0]), Integer.parseInt(bc[1])});
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new InvalidRequestException("--sweep-sizes", s, "must be BATCHxCONTEXT, e.g. 64x4096");
        }
        return out;
    }

    /** The grid's configurations, in row order: model, then size, then format. */
    static List<BenchConfig> grid(String models, String sizes, String formats, int blockSize, int warmup, int iters) {
        List<BenchConfig> out = new ArrayList<>();
        for (String m : models.split(",")) {
            BenchShape shape = BenchShape.of(ModelShape.parse(m));
            for (Integer[] bc : parseSizes(sizes)) {
                for (String f : formats.split(",")) {
                    Format fmt = Format.parse(f);
                    out.add(new BenchConfig(shape, fmt.kv(), fmt.granularity(), blockSize, bc[0], bc[1], 1, warmup, iters));
                }
            }
        }
        return out;
    }

    /** Runs the grid on {@code backend}; ceilings first, then each point. */
    static List<Row> run(AttentionBackend backend, List<BenchConfig> grid, String device, PrintWriter err,
                         ReadCeiling[] readOut, CopyCeiling[] copyOut) {
        long steps = CopyCeiling.steps() + 1;
        for (BenchConfig c : grid) {
            steps += CacheFiller.chunks((long) c.batch() * c.context(), c.model().numKvHeads, c.model().headDim)
                    + c.warmup() + c.iters();
        }
        BenchConfig first = grid.get(0);
        steps += CacheFiller.chunks((long) first.batch() * first.context(), first.model().numKvHeads, first.model().headDim)
                + first.warmup() + first.iters();
        List<Row> rows = new ArrayList<>();
        try (Progress p = Progress.start(err, "sweep " + backend.name(), steps)) {
            p.message("copy ceiling");
            copyOut[0] = CopyCeiling.measure(backend, new RandomData(), () -> p.step("copy ceiling"));
            p.message("read ceiling");
            readOut[0] = ReadCeiling.measure(backend);
            p.step("read ceiling");
            double ceiling = readOut[0] != null ? readOut[0].gbPerSecond() : copyOut[0].gbPerSecond();
            List<BenchConfig> points = new ArrayList<>(grid);
            points.add(grid.get(0));   // the first point again, last: the spread check
            for (int i = 0; i < points.size(); i++) {
                BenchConfig c = points.get(i);
                String model = i == grid.size() ? c.model().id + REPEAT : c.model().id;
                String fmt = new Format(c.kv(), c.granularity()).label();
                CapabilityCheck check = backend.check(c.requirements());
                if (!check.supported()) {
                    rows.add(new Row(model, c.batch(), c.context(), fmt, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, String.join("; ", check.reasons())));
                    continue;
                }
                p.message(model + " " + c.batch() + "x" + c.context() + " " + fmt);
                Timing t = new Benchmark(backend, c, device, err).decode(p);
                double gbps = c.decodeBytes() / t.medianNanos();
                rows.add(new Row(model, c.batch(), c.context(), fmt, t.medianNanos() / 1e3,
                        t.hostMedianNanos() / 1e3, gbps, gbps / ceiling, null));
            }
        }
        return rows;
    }

    static String table(List<Row> rows, String backend, String device, ReadCeiling read, CopyCeiling copy) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "decode sweep on %s (%s)%n", backend, device));
        b.append(read == null ? "read ceiling: n/a; ratios are to the copy figure\n"
                : String.format(Locale.ROOT, "read ceiling: %.2f GB/s (ratios are to it)%n", read.gbPerSecond()));
        b.append(String.format(Locale.ROOT, "copy: %.2f GB/s (read + written)%n", copy.gbPerSecond()));
        TextTable t = new TextTable("model", "batch x context", "kv", "device us", "host us", "GB/s", "ratio")
                .alignRight(1, 3, 4, 5, 6);
        for (Row r : rows) {
            if (r.skipped() != null) {
                t.row(r.model(), r.batch() + " x " + r.context(), r.format(), "-", "-", "-", "not run: " + r.skipped());
            } else {
                t.row(r.model(), r.batch() + " x " + r.context(), r.format(), f(r.deviceMicros(), 1), f(r.hostMicros(), 1),
                        f(r.gbps(), 1), f(r.ratio(), 3));
            }
        }
        return b.append(t.render()).toString();
    }

    static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder("model,batch,context,kv,device_us,host_us,gbps,ratio,skipped\n");
        for (Row r : rows) {
            b.append(String.join(",", r.model(), Integer.toString(r.batch()), Integer.toString(r.context()), r.format(),
                    f(r.deviceMicros(), 3), f(r.hostMicros(), 3), g(r.gbps()), g(r.ratio()),
                    r.skipped() == null ? "" : '"' + r.skipped().replace("\"", "'") + '"')).append('\n');
        }
        return b.toString();
    }

    static String svg(List<Row> rows, String backend, String device, ReadCeiling read) {
        SvgChart chart = new SvgChart("attn4j decode on " + backend + " (" + device + "): ratio to the "
                + (read != null ? "read ceiling" : "copy figure"));
        for (Row r : rows) {
            if (!r.repeat()) {
                chart.point(r.format(), r.shape(), r.ratio());
            }
        }
        return chart.render();
    }

    /** Writes sweep.csv and sweep.svg into {@code dir}; returns their paths. */
    static List<Path> write(Path dir, String csv, String svg) {
        try {
            Files.createDirectories(dir);
            Path c = Files.writeString(dir.resolve("sweep.csv"), csv);
            Path s = Files.writeString(dir.resolve("sweep.svg"), svg);
            return List.of(c, s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sweep into " + dir, e);
        }
    }

    /** Five significant digits: a ratio of 2e-5 (a cpu point before the JIT has compiled it) stays one. */
    private static String g(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.5g", v) : "";
    }

    private static String f(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "";
    }
}
