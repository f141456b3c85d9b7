package dev.attn4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The compute ceiling the cpu backend's prefill is compared with: the float32 multiply-add rate
 * plain Java code reaches on this host, on as many threads as the cpu backend uses, with data in
 * L1 so memory is not the limit. Two loops are timed and the better one kept:
 * <ul>
 *   <li>a dot product with 8 independent accumulators (scalar: the JIT does not vectorize float
 *       reductions, but 8 chains hide the add latency);
 *   <li>an axpy {@code y[i] += a * x[i]}, which the JIT does vectorize.
 * </ul>
 * Each counts 2 flops per element: what this JVM does with plain loops. Beside them, the backend's
 * own FMA rate where it measures one ({@code DeviceMeasurements.fmaFlopsPerSecond}: the cpu
 * backend's loops in 8 independent chains, on the Vector API where it is enabled, the silicon's
 * FP32 peak near enough); the ceiling is the best of the three. GPU backends get no compute ceiling
 * from the host: their ratio is reported as n/a.
 */
record HostFlopsCeiling(double dotFlopsPerSecond, double axpyFlopsPerSecond, double backendFmaFlopsPerSecond,
                        int threads) {
    private static final int N = 2048;           // 2 arrays x 8 KiB: L1-resident on any x86 or ARM core
    private static final long TARGET_NANOS = 60_000_000L;

    /** Threads the cpu backend uses: {@code -Dattn4j.cpu.threads}, else one per processor (its own rule). */
    static int cpuBackendThreads() {
        Integer t = Integer.getInteger("attn4j.cpu.threads");
        return t != null && t > 0 ? t : Runtime.getRuntime().availableProcessors();
    }

    /** @param backendFma the backend's own FMA rate, where it measures one */
    static HostFlopsCeiling measure(int threads, java.util.OptionalDouble backendFma) {
        return new HostFlopsCeiling(best(threads, HostFlopsCeiling::dot8), best(threads, HostFlopsCeiling::axpy),
                backendFma.orElse(Double.NaN), threads);
    }

    /** The ceiling: the best of the loops. */
    double flopsPerSecond() {
        double loops = Math.max(dotFlopsPerSecond, axpyFlopsPerSecond);
        return Double.isNaN(backendFmaFlopsPerSecond) ? loops : Math.max(loops, backendFmaFlopsPerSecond);
    }

    /** Which loop set the ceiling, with every rate. */
    String method() {
        String fma = Double.isNaN(backendFmaFlopsPerSecond) ? ""
                : String.format(java.util.Locale.ROOT, ", the backend's FMA chains (%.1f GFLOP/s)", backendFmaFlopsPerSecond / 1e9);
        return String.format(java.util.Locale.ROOT, "best of float32 8-accumulator dot (%.1f GFLOP/s), vectorized axpy "
                + "(%.1f GFLOP/s)%s, %d thread(s)", dotFlopsPerSecond / 1e9, axpyFlopsPerSecond / 1e9, fma, threads);
    }

    /** A loop over {@code reps} repetitions of N elements; returns a value so the JIT cannot drop it. */
    private interface Kernel {
        float run(float[] x, float[] y, long reps);
    }

    private static float dot8(float[] x, float[] y, long reps) {
        float total = 0;
        for (long r = 0; r < reps; r++) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
            for (int i = 0; i < N; i += 8) {
                s0 += x[i] * y[i];
                s1 += x[i + 1] * y[i + 1];
                s2 += x[i + 2] * y[i + 2];
                s3 += x[i + 3] * y[i + 3];
                s4 += x[i + 4] * y[i + 4];
                s5 += x[i + 5] * y[i + 5];
                s6 += x[i + 6] * y[i + 6];
                s7 += x[i + 7] * y[i + 7];
            }
            total += ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        }
        return total;
    }

    private static float axpy(float[] x, float[] y, long reps) {
        // The sign alternates so y stays bounded (no overflow, no denormals) however long it runs.
        for (long r = 0; r < reps; r++) {
            float a = (r & 1) == 0 ? 1e-3f : -1e-3f;
            for (int i = 0; i < N; i++) {
                y[i] += a * x[i];
            }
        }
        return y[N / 2];
    }

    /** Best rate (flop/s) over three timed runs, after growing the run until it lasts ~60 ms. */
    private static double best(int threads, Kernel k) {
        long reps = 64;
        double nanos;
        while ((nanos = timeAll(threads, k, reps)) < TARGET_NANOS && reps < (1L << 40)) {
            reps *= 2;
        }
        double best = nanos;
        for (int i = 0; i < 3; i++) {
            best = Math.min(best, timeAll(threads, k, reps));
        }
        return 2.0 * N * reps * threads / (best * 1e-9);
    }

    /** Wall time for {@code threads} threads to each run the kernel {@code reps} times, started together. */
    private static double timeAll(int threads, Kernel k, long reps) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        float[] sink = new float[threads];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                float[] x = new float[N];
                float[] y = new float[N];
                for (int i = 0; i < N; i++) {
                    x[i] = 0.5f + (i % 7) * 0.0625f;
                    y[i] = 0.75f - (i % 5) * 0.0625f;
                }
                await(start);
                sink[id] = k.run(x, y, reps);
            }, "attn4j-flops-" + t);
            th.setDaemon(true);
            th.start();
            ts.add(th);
        }
        await(start);
        long t0 = System.nanoTime();
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the host ceiling", e);
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (Float.isNaN(sink[0])) { // keeps the results observable
            throw new IllegalStateException("NaN in ceiling kernel");
        }
        return elapsed;
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    double tflopsPerSecond() {
        return flopsPerSecond() / 1e12;
    }
}
