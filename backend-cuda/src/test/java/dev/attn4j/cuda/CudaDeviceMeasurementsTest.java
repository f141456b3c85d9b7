package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.support.DeviceMeasurements;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's yardsticks on cuda: device time of issued work (events) and the read ceiling (the
 * read kernel). Skips without an NVIDIA GPU; runs on the GPU host.
 */
class CudaDeviceMeasurementsTest {

    @Test
    void deviceTimesAreWithinHostTimesExcludeHostIssueAndTheReadKernelReadsItsWholeBuffer() {
        Availability a = new CudaBackendProvider().probe();
        Assumptions.assumeTrue(a.isAvailable(), () -> "cuda unavailable: " + a.unavailabilityCause());
        try (AttentionBackend backend = new CudaBackendProvider().open(BackendOptions.defaults());
             Tensor src = backend.allocate(DType.INT8, 256 << 20);
             Tensor dst = backend.allocate(DType.INT8, 256 << 20)) {
            DeviceMeasurements m = backend.unwrap(DeviceMeasurements.class).orElseThrow();
            backend.copy(src, dst);
            backend.synchronize();
            long t0 = System.nanoTime();
            double device = m.deviceNanos(() -> backend.copy(src, dst));
            long host = System.nanoTime() - t0;
            assertTrue(device > 0 && device <= host, "device " + device + " ns within host " + host + " ns");
            // The host's issue latency is not device time: op spends 30 us on the host before it
            // issues a 4 KiB copy (a few microseconds of device work), while the lead keeps the
            // device busy; an idle device would have counted the 30 us. The fastest of 20 runs, so
            // that the copy's own host path is compiled and a descheduled thread does not count.
            try (Tensor small1 = backend.allocate(DType.INT8, 4096); Tensor small2 = backend.allocate(DType.INT8, 4096)) {
                double late = Double.MAX_VALUE;
                for (int i = 0; i < 20; i++) {
                    late = Math.min(late, m.deviceNanos(() -> {
                        long until = System.nanoTime() + 30_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        backend.copy(small1, small2);
                    }));
                }
                assertTrue(late > 0 && late < 15_000, "a 4 KiB copy issued 30 us late took " + late + " ns of device time");
            }
            // The read kernel reads the whole buffer: 16 times the bytes take several times as long
            // (launch overhead aside), whatever the device's speed.
            double small = m.readBytesPerSecond(64L << 20, 3);
            double large = m.readBytesPerSecond(1L << 30, 3);
            double tSmall = (64L << 20) / small;
            double tLarge = (1L << 30) / large;
            assertTrue(Double.isFinite(large) && large > 0 && tLarge > 4 * tSmall,
                    "64 MiB in " + tSmall * 1e6 + " us, 1 GiB in " + tLarge * 1e6 + " us");
        }
    }
}
