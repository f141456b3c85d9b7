package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;

import java.util.Arrays;

/**
 * Wall-clock timing of one backend operation: {@code warmup} untimed runs (JIT, caches, lazy
 * allocations), then {@code iters} timed runs, each bracketed by {@link AttentionBackend#synchronize}
 * so an asynchronous device's queue is empty when the clock starts and drained when it stops. The
 * median is reported: robust to the odd slow run (GC, another process) without hiding a bimodal
 * kernel the way the minimum would.
 */
final class Timing {
    private final long[] samples;

    private Timing(long[] samples) {
        this.samples = samples;
    }

    static Timing measure(AttentionBackend backend, int warmup, int iters, Runnable op, Runnable afterEach) {
        for (int i = 0; i < warmup; i++) {
            op.run();
            backend.synchronize();
            afterEach.run();
        }
        long[] t = new long[iters];
        for (int i = 0; i < iters; i++) {
            backend.synchronize();
            long t0 = System.nanoTime();
            op.run();
            backend.synchronize();
            t[i] = System.nanoTime() - t0;
            afterEach.run();
        }
        return new Timing(t);
    }

    /** Median in nanoseconds (mean of the middle two for an even count). */
    double medianNanos() {
        long[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    double minNanos() {
        return Arrays.stream(samples).min().orElse(0);
    }

    int count() {
        return samples.length;
    }
}
