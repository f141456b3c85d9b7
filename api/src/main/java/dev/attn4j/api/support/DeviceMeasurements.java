package dev.attn4j.api.support;

/**
 * What a backend measures on its own device for benchmarks, reached with
 * {@code backend.unwrap(DeviceMeasurements.class)}: the device time of the work an operation
 * issues (not the host's round trip around it), and a read ceiling, the rate of a kernel that reads
 * memory once and writes almost nothing (what decode does). Backends without device timers do not
 * implement it; a bench then falls back to host timing and says so.
 */
public interface DeviceMeasurements {

    /**
     * Runs {@code op} and returns the device time, in nanoseconds, of everything issued on this
     * backend's stream while it ran (between two events the backend records around it); waits for
     * the work to finish. Work other threads issue meanwhile is counted too. The time the host takes
     * to issue op's first work is not: a GPU backend keeps the device busy meanwhile (a lead of its
     * own before the first event), so a host round trip around this call takes longer than op.
     */
    double deviceNanos(Runnable op);

    /**
     * The median over {@code runs} of the device-timed rate, in bytes per second, at which a kernel
     * reads {@code bytes} of this backend's memory once (a buffer far larger than any cache),
     * after one untimed run.
     */
    double readBytesPerSecond(long bytes, int runs);

    /**
     * The float32 multiply-add rate, in flop/s (2 per FMA), of the arithmetic the backend's own
     * kernels use, on as many threads or units as they use, with operands in registers: a compute
     * ceiling for prefill. Empty where the backend does not measure one (the GPU backends: their
     * tensor-core ceiling is another measurement).
     */
    default java.util.OptionalDouble fmaFlopsPerSecond() {
        return java.util.OptionalDouble.empty();
    }

    /**
     * The median over {@code runs} of {@code bytes} per device second of {@code read}, after one
     * untimed run: how an implementation of {@link #readBytesPerSecond} times its read.
     */
    default double medianRate(long bytes, int runs, Runnable read) {
        deviceNanos(read);
        double[] rates = new double[Math.max(1, runs)];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = bytes / (deviceNanos(read) * 1e-9);
        }
        java.util.Arrays.sort(rates);
        return rates[rates.length / 2];
    }
}
