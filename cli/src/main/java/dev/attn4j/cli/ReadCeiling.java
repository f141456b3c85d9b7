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

    /** The faster of two measurements of the same buffer. */
    static ReadCeiling higher(ReadCeiling a, ReadCeiling b) {
        return b == null || a.bytesPerSecond >= b.bytesPerSecond ? a : b;
    }

    double gbPerSecond() {
        return bytesPerSecond / 1e9;
    }
}
