package dev.attn4j.cli;

import java.util.Locale;

/**
 * {@code bench --step}: one decode step of a {@code layers}-layer model (plan once, then append and
 * decode per layer; {@link Benchmark#step}), its device time and the host-issued time a caller
 * waits for, per step and per layer, with the KV bytes the step reads against the read ceiling.
 */
record StepResult(String backend, String device, BenchConfig config, int layers, ReadCeiling read, Timing step) {

    /** KV bytes all layers' decodes read: each layer's cached context (the new token's row aside). */
    long stepBytes() {
        return config.decodeBytes() * layers;
    }

    double ratio() {
        return read == null ? Double.NaN : stepBytes() / step.medianNanos() / read.gbPerSecond();
    }

    String table() {
        BenchShape m = config.model();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "decode step on %s (%s): %s, %d layers, %d seq x %d tokens, KV %s/%s%n",
                backend, device, m.id, layers, config.batch(), config.context(), config.kv(), config.granularity()));
        b.append(String.format(Locale.ROOT, "per step: %.3f ms on the device, %.3f ms host-issued (%s); per layer "
                        + "(append + decode): %.1f us device, %.1f us host%n",
                step.medianNanos() / 1e6, step.hostMedianNanos() / 1e6,
                step.deviceTimed() ? "median of " + step.count() : "host-timed only",
                step.medianNanos() / 1e3 / layers, step.hostMedianNanos() / 1e3 / layers));
        b.append(read == null ? "read ceiling: n/a\n" : String.format(Locale.ROOT,
                "KV read per step: %d bytes, %.1f GB/s on the device, %.3f of the read ceiling (%.1f GB/s)%n",
                stepBytes(), stepBytes() / step.medianNanos(), ratio(), read.gbPerSecond()));
        return b.toString();
    }

    String json() {
        return Json.object().put("backend", backend).put("device", device).put("model", config.model().id)
                .put("layers", layers).put("batch", config.batch()).put("context", config.context())
                .put("kv_dtype", config.kv().name()).put("granularity", config.granularity().toString())
                .put("step_device_ms", step.medianNanos() / 1e6).put("step_host_ms", step.hostMedianNanos() / 1e6)
                .put("kv_bytes", stepBytes()).put("read_gbps", read == null ? null : read.gbPerSecond())
                .put("ratio", read == null ? null : ratio()).toString();
    }
}
