package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.Tensor;

/**
 * The memory ceiling decode is compared with: the backend's own device-to-device copy
 * ({@link AttentionBackend#copy}) of one large tensor into another, measured in the same run,
 * counted as bytes read plus bytes written per second (the STREAM "copy" convention). Tensors are
 * far larger than any cache level (128 MiB each on a GPU, 32 MiB each on cpu so the default run stays
 * short), so the figure is memory bandwidth, not cache bandwidth.
 */
record CopyCeiling(long tensorBytes, double medianNanos, int copies) {
    static final int WARMUP = 3;
    static final int COPIES = 10;

    static int steps() {
        return WARMUP + COPIES;
    }

    static CopyCeiling measure(AttentionBackend backend, RandomData random, Runnable afterEach) {
        int bytes = backend.name().equals("cpu") ? 32 << 20 : 128 << 20;
        try (Tensor src = backend.upload(DType.INT8, new int[] {bytes}, random.bytes(bytes));
             Tensor dst = backend.allocate(DType.INT8, bytes)) {
            Timing t = Timing.measure(backend, WARMUP, COPIES, () -> backend.copy(src, dst), afterEach);
            return new CopyCeiling(bytes, t.medianNanos(), t.count());
        }
    }

    /** Bytes read and written per copy. */
    long bytesMoved() {
        return 2 * tensorBytes;
    }

    double gbPerSecond() {
        return bytesMoved() / medianNanos;
    }
}
