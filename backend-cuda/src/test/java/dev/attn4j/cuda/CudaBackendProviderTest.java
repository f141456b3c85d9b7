package dev.attn4j.cuda;

import dev.attn4j.api.spi.Availability;
import dev.attn4j.cudadriver.DeviceDescription;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe over a listed set of devices (a stub {@link dev.attn4j.cudadriver.DeviceSource}; no GPU needed). */
class CudaBackendProviderTest {

    @Test
    void anIluvatarOnlyMachineIsLeftToIlu() {
        // The probe checks the kernels before it lists devices.
        Assumptions.assumeTrue(CudaKernels.fatbin().isPresent(), "the CUDA kernels were not built (no nvcc)");
        Availability a = new CudaBackendProvider(
                () -> List.of(new DeviceDescription(0, "Iluvatar BI-V150", 8, 0, 64L << 30))).probe();
        assertFalse(a.isAvailable());
        assertTrue(a.unavailabilityCause().contains("ilu backend"), a.unavailabilityCause());
    }
}
