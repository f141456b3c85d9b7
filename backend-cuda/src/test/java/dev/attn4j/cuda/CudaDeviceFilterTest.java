package dev.attn4j.cuda;

import dev.attn4j.cudadriver.DeviceDescription;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which devices cuda takes, decided from the driver's description alone (no GPU needed). */
class CudaDeviceFilterTest {

    @Test
    void acceptsNvidiaAmpereAndNewer() {
        assertTrue(CudaDeviceFilter.declineReason(new DeviceDescription(0, "NVIDIA H100 80GB HBM3", 9, 0, 80L << 30)).isEmpty());
        assertTrue(CudaDeviceFilter.declineReason(new DeviceDescription(1, "NVIDIA A100-SXM4-40GB", 8, 0, 40L << 30)).isEmpty());
    }

    @Test
    void declinesIluvatarSoIluTakesIt() {
        String why = CudaDeviceFilter.declineReason(new DeviceDescription(0, "Iluvatar BI-V150", 8, 0, 64L << 30)).orElseThrow();
        assertTrue(why.contains("Iluvatar CoreX") && why.contains("ilu backend"), why);
    }

    @Test
    void declinesOldNvidiaWithTheCapability() {
        assertEquals("device 2 (Tesla V100-SXM2-16GB) has compute capability 7.0; the cuda backend needs 8.0 or newer",
                CudaDeviceFilter.declineReason(new DeviceDescription(2, "Tesla V100-SXM2-16GB", 7, 0, 16L << 30)).orElseThrow());
    }
}
