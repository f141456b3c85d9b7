package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programmatic dependent launch: the shim travels in the jar wherever the kernels do, says in one line
 * why it is off, and is on for the GPU suite on compute capability 9.0 and later, so the conformance
 * suite, the step loop's bit-equality check and the sanitizers run the kernels launched that way.
 */
class DependentLaunchTest {

    @Test
    void theShimIsBuiltWithTheKernelsAndSaysWhyItIsOff() {
        // The shim builds with gcc and nvcc's cuda.h: a build that made the kernels made the shim.
        Assumptions.assumeTrue(CudaKernels.fatbin().isPresent(), "the CUDA kernels were not built (no nvcc)");
        Optional<String> hopper = DependentLaunch.unavailabilityCause(9);
        // Loaded; off at most because this machine has no CUDA driver (CI), never because it is missing.
        assertTrue(hopper.isEmpty() || hopper.get().contains("libcuda.so.1"), hopper.toString());
        assertEquals(Optional.of("off (compute capability 8.x; it needs 9.0)"), DependentLaunch.unavailabilityCause(8));
        String before = System.getProperty(DependentLaunch.PROPERTY);
        System.setProperty(DependentLaunch.PROPERTY, "false");
        try {
            assertEquals(Optional.of("off (-Dattn4j.cuda.dependentLaunch=false)"), DependentLaunch.unavailabilityCause(9));
        } finally {
            if (before == null) {
                System.clearProperty(DependentLaunch.PROPERTY);
            } else {
                System.setProperty(DependentLaunch.PROPERTY, before);
            }
        }
    }

    @Test
    void aHopperDeviceLaunchesDependentlyAndTheReportSaysSo() {
        Availability a = new CudaBackendProvider().probe();
        Assumptions.assumeTrue(a.isAvailable(), () -> "cuda unavailable: " + a.unavailabilityCause());
        DeviceInfo device = a.devices().get(0);
        String cc = device.details().get("computeCapability");
        boolean hopper = Integer.parseInt(cc.substring(0, cc.indexOf('.'))) >= 9;
        boolean asked = Boolean.parseBoolean(System.getProperty(DependentLaunch.PROPERTY, "true"));
        try (AttentionBackend backend = new CudaBackendProvider().open(BackendOptions.defaults())) {
            CudaBackend cuda = backend.unwrap(CudaBackend.class).orElseThrow();
            assertEquals(hopper && asked, cuda.dependentLaunch(), "compute capability " + cc);
            assertEquals(hopper && asked, "on".equals(device.details().get("dependentLaunch")),
                    device.details().toString());
        }
    }
}
