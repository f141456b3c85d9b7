package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.support.DeviceMeasurements;

import java.util.Arrays;

/**
 * Timing of one backend operation: {@code warmup} untimed runs (JIT, caches, lazy allocations), and
 * more until they have taken {@link #WARMUP_MIN_NANOS} (a GPU idle during a cache fill needs that
 * long to reach its clocks: a 130 µs decode warmed up twice ran 20-40 % slow), then {@code iters} timed runs, each between two {@link AttentionBackend#synchronize} calls so the
 * queue is empty when the clock starts and drained when it stops. Each run gets two figures: the
 * host-issued time (the round trip a caller waits for, launch and synchronize included) and, where
 * the backend has device timers ({@link DeviceMeasurements}), the device time of the work it issued,
 * the figure kernels are judged by, from a second run of its own (the device timer keeps the device
 * busy while the host issues that run, which the host-issued figure must not include). Medians are
 * reported: robust to the odd slow run without hiding a bimodal kernel the way the minimum would.
 */
final class Timing {
    /** The least time warm-up runs take, whatever their count. */
    static final long WARMUP_MIN_NANOS = 100_000_000L;
    private final long[] host;
    private final double[] device;   // null: no device timer

    private Timing(long[] host, double[] device) {
        this.host = host;
        this.device = device;
    }

    static Timing measure(AttentionBackend backend, int warmup, int iters, Runnable op, Runnable afterEach) {
        return measure(backend, warmup, iters, op, afterEach, WARMUP_MIN_NANOS);
    }

    /**
     * As above, warm-up lasting at least {@code minWarmupNanos}: longer for host-heavy operations
     * (a whole step), whose host code the JIT compiles only after thousands of calls, as it has in
     * an engine that has run for a while.
     */
    static Timing measure(AttentionBackend backend, int warmup, int iters, Runnable op, Runnable afterEach,
                          long minWarmupNanos) {
        DeviceMeasurements timer = backend.unwrap(DeviceMeasurements.class).orElse(null);
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || (warmup > 0 && System.nanoTime() - warmStart < minWarmupNanos); i++) {
            op.run();
            backend.synchronize();
            if (i < warmup) {
                afterEach.run();   // the progress bar counts the runs asked for
            }
        }
        long[] host = new long[iters];
        double[] device = timer == null ? null : new double[iters];
        for (int i = 0; i < iters; i++) {
            backend.synchronize();
            long t0 = System.nanoTime();
            op.run();
            backend.synchronize();
            host[i] = System.nanoTime() - t0;
            if (timer != null) {   // a run of its own: the device timer queues a lead the host time must not see
                device[i] = timer.deviceNanos(op);
            }
            afterEach.run();
        }
        return new Timing(host, device);
    }

    /** Whether the figures below are device times (else host-issued ones). */
    boolean deviceTimed() {
        return device != null;
    }

    /** The median device time where there is one, else the median host-issued time, in nanoseconds. */
    double medianNanos() {
        return device != null ? median(device) : hostMedianNanos();
    }

    /** The median host-issued time: launch, device work and synchronize, in nanoseconds. */
    double hostMedianNanos() {
        return median(Arrays.stream(host).asDoubleStream().toArray());
    }

    double minNanos() {
        return device != null ? Arrays.stream(device).min().orElse(0) : Arrays.stream(host).min().orElse(0);
    }

    int count() {
        return host.length;
    }

    /** Median (mean of the middle two for an even count). */
    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }
}
