package dev.attn4j.cli;

import java.util.Locale;

/**
 * The figures of one bench run, each next to the ceiling measured in the same run:
 * <ul>
 *   <li>decode: KV bytes read once ({@link BenchConfig#decodeBytes}) per second, against the
 *       backend's read ceiling (and its copy bandwidth, read + written, for comparison with older
 *       figures); device-timed where the backend has device timers, with the host-issued time
 *       beside it;
 *   <li>prefill: causal FLOP/s ({@link BenchConfig#prefillFlops}), against the host's float32
 *       multiply-add rate on cpu; n/a on other backends (no device compute ceiling is measured).
 * </ul>
 */
record BenchResult(String backend, String device, BenchConfig config, CopyCeiling copy, ReadCeiling read,
                   HostFlopsCeiling flops, Timing decode, Timing prefill) {

    double decodeGbPerSecond() {
        return config.decodeBytes() / decode.medianNanos();
    }

    /** Decode against the read ceiling, else (no read ceiling) against the copy figure. */
    double decodeRatio() {
        return decodeGbPerSecond() / decodeCeilingGbPerSecond();
    }

    double decodeCeilingGbPerSecond() {
        return read != null ? read.gbPerSecond() : copy.gbPerSecond();
    }

    double decodeCopyRatio() {
        return decodeGbPerSecond() / copy.gbPerSecond();
    }

    private String timing() {
        return decode.deviceTimed() ? "device-timed (the backend's timer: events on a GPU), host-issued beside" : "host-timed (no device timers)";
    }

    double prefillTflopsPerSecond() {
        return config.prefillFlops() / prefill.medianNanos() / 1e3;
    }

    /**
     * Decode's roofline where a compute ceiling is measured (cpu): min(read ceiling, FMA ceiling /
     * FLOP per KV byte), in GB/s; NaN elsewhere. At G = 4 decode does about 7.8 FLOP per int8 KV
     * byte, so on a few cores it is bound by the multiply-adds, not by memory.
     */
    double decodeRooflineGbPerSecond() {
        if (flops == null) {
            return Double.NaN;
        }
        double flopPerByte = (double) config.decodeFlops() / config.decodeBytes();
        return Math.min(decodeCeilingGbPerSecond(), flops.flopsPerSecond() / flopPerByte / 1e9);
    }

    /** NaN when there is no compute ceiling. */
    double prefillRatio() {
        return flops == null ? Double.NaN : prefillTflopsPerSecond() / flops.tflopsPerSecond();
    }

    String table() {
        BenchShape m = config.model();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "bench on %s (%s)%n", backend, device));
        b.append(String.format(Locale.ROOT, "model %s: %d query / %d KV heads, head dim %d%s%s; KV %s/%s, %s, block %d, "
                        + "BF16 queries; %d warm-up + %d timed runs, median, %s%n",
                m.id, m.numQoHeads, m.numKvHeads, m.headDim, m.softCap > 0 ? ", soft-cap " + fmt(m.softCap) : "",
                m.window > 0 ? ", window " + m.window : "", config.kv(), config.granularity(), m.layout, config.blockSize(), config.warmup(), config.iters(), timing()));
        b.append(read == null ? "read ceiling: n/a (not measured for " + backend + ")\n"
                : String.format(Locale.ROOT, "read ceiling: reading %d MiB once: %.2f GB/s%n", read.bytes() >> 20,
                        read.gbPerSecond()));
        b.append(String.format(Locale.ROOT, "memory ceiling: backend.copy of %d MiB: %.2f GB/s (read + written)%n",
                copy.tensorBytes() >> 20, copy.gbPerSecond()));
        b.append(flops == null
                ? "compute ceiling: n/a (not measured for " + backend + ")\n"
                : String.format(Locale.ROOT, "compute ceiling: host %.1f GFLOP/s (%s)%n",
                        flops.flopsPerSecond() / 1e9, flops.method()));
        TextTable t = new TextTable("op", "shape", "median ms", "host ms", "achieved", "ceiling", "ratio")
                .alignRight(2, 3, 4, 5, 6);
        t.row("decode", config.batch() + " seq x " + config.context() + " tokens",
                fmt(decode.medianNanos() / 1e6), fmt(decode.hostMedianNanos() / 1e6),
                String.format(Locale.ROOT, "%.2f GB/s", decodeGbPerSecond()),
                String.format(Locale.ROOT, "%.2f GB/s", decodeCeilingGbPerSecond()),
                String.format(Locale.ROOT, "%.3f", decodeRatio()));
        if (flops != null) {
            t.row("decode", "  against its roofline", "", "", "",
                    String.format(Locale.ROOT, "%.2f GB/s", decodeRooflineGbPerSecond()),
                    String.format(Locale.ROOT, "%.3f", decodeGbPerSecond() / decodeRooflineGbPerSecond()));
        }
        t.row("prefill", "1 seq x " + config.prefillLen() + " tokens, causal",
                fmt(prefill.medianNanos() / 1e6), fmt(prefill.hostMedianNanos() / 1e6),
                String.format(Locale.ROOT, "%.4f TFLOP/s", prefillTflopsPerSecond()),
                flops == null ? "n/a" : String.format(Locale.ROOT, "%.4f TFLOP/s", flops.tflopsPerSecond()),
                flops == null ? "n/a" : String.format(Locale.ROOT, "%.3f", prefillRatio()));
        b.append(t.render());
        b.append(String.format(Locale.ROOT, "decode counts %d KV bytes per step (K and V once, plus dynamic scales); "
                + "prefill counts 4*S*S/2*Hq*D = %d FLOP%n", config.decodeBytes(), config.prefillFlops()));
        if (flops != null) {
            b.append(String.format(Locale.ROOT, "decode's roofline: min(read ceiling, compute ceiling / %.2f FLOP per KV byte "
                    + "(4*B*C*Hq*D = %d FLOP))%n", (double) config.decodeFlops() / config.decodeBytes(), config.decodeFlops()));
        }
        return b.toString();
    }

    String json() {
        BenchShape m = config.model();
        Json.Obj shape = Json.object().put("model", m.id).put("num_qo_heads", m.numQoHeads)
                .put("num_kv_heads", m.numKvHeads).put("head_dim", m.headDim)
                .put("soft_cap", m.softCap > 0 ? m.softCap : null)
                .put("kv_dtype", config.kv().name()).put("granularity", config.granularity().toString())
                .put("window", m.window > 0 ? m.window : null).put("layout", m.layout.name()).put("block_size", config.blockSize()).put("query_dtype", "BF16");
        Json.Obj ceiling = Json.object()
                .put("copy_bytes", copy.bytesMoved()).put("copy_ms", copy.medianNanos() / 1e6)
                .put("copy_gbps", copy.gbPerSecond())
                .put("read_bytes", read == null ? null : read.bytes())
                .put("read_gbps", read == null ? null : read.gbPerSecond())
                .put("compute_tflops", flops == null ? null : flops.tflopsPerSecond())
                .put("compute_method", flops == null ? null : flops.method());
        Json.Obj dec = Json.object().put("batch", config.batch()).put("context", config.context())
                .put("median_ms", decode.medianNanos() / 1e6).put("host_median_ms", decode.hostMedianNanos() / 1e6)
                .put("min_ms", decode.minNanos() / 1e6)
                .put("kv_bytes", config.decodeBytes()).put("gbps", decodeGbPerSecond())
                .put("ceiling_gbps", decodeCeilingGbPerSecond()).put("ratio", decodeRatio())
                .put("copy_ratio", decodeCopyRatio())
                .put("roofline_gbps", flops == null ? null : decodeRooflineGbPerSecond())
                .put("roofline_ratio", flops == null ? null : decodeGbPerSecond() / decodeRooflineGbPerSecond());
        Json.Obj pre = Json.object().put("prefill_len", config.prefillLen()).put("causal", true)
                .put("median_ms", prefill.medianNanos() / 1e6).put("host_median_ms", prefill.hostMedianNanos() / 1e6)
                .put("min_ms", prefill.minNanos() / 1e6)
                .put("flops", config.prefillFlops()).put("tflops", prefillTflopsPerSecond())
                .put("ceiling_tflops", flops == null ? null : flops.tflopsPerSecond())
                .put("ratio", flops == null ? null : prefillRatio());
        return Json.object().put("backend", backend).put("device", device).put("shape", shape)
                .put("warmup", config.warmup()).put("iters", config.iters()).put("statistic", "median")
                .put("timing", decode.deviceTimed() ? "device" : "host")
                .put("ceiling", ceiling).put("decode", dec).put("prefill", pre).toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
