package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.support.DeviceMeasurements;

/**
 * The ceiling decode is held to: the rate at which the backend reads memory once and writes almost
 * nothing, which is what decode does ({@link DeviceMeasurements#readBytesPerSecond}: a read kernel
 * on the GPU backends, the backend's threads summing an array on cpu). The buffer is far larger than
 * any cache (1 GiB on a GPU, 64 MiB on cpu). Null where the backend cannot measure it (xpu).
 */
record ReadCeiling(long bytes, double bytesPerSecond) {
    static final int RUNS = 10;

    static ReadCeiling measure(AttentionBackend backend) {
        long bytes = backend.name().equals("cpu") ? 64L << 20 : 1L << 30;
        return backend.unwrap(DeviceMeasurements.class)
                .map(m -> new ReadCeiling(bytes, m.readBytesPerSecond(bytes, RUNS)))
                .orElse(null);
    }

    /** Progress steps {@link #measure} and {@link #again} take on {@code backend}: 2 on cpu, else 1. */
    static int progressSteps(AttentionBackend backend) {
        return backend.name().equals("cpu") ? 2 : 1;
    }

    /**
     * After the timed runs, on cpu, the read ceiling measured again and the higher kept: measured
     * first, it shares 2 cores with the JIT still compiling what selection ran (one run read 3.1
     * GB/s where the machine reads 27-38). Elsewhere, and where there is none, {@code first}.
     */
    static ReadCeiling again(AttentionBackend backend, ReadCeiling first, Progress p) {
        if (first == null || !backend.name().equals("cpu")) {
            return first;
        }
        p.message("read ceiling, again");
        ReadCeiling r = higher(first, measure(backend));
        p.step("read ceiling");
        return r;
    }

    /** The faster of two measurements of the same buffer. */
    static ReadCeiling higher(ReadCeiling a, ReadCeiling b) {
        return b == null || a.bytesPerSecond >= b.bytesPerSecond ? a : b;
    }

    double gbPerSecond() {
        return bytesPerSecond / 1e9;
    }
}
