package dev.attn4j.xpu;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Intel GPUs accepted on both paths; PoCL's CPU (which reports Intel's vendor id) only when allowed. */
class XpuDeviceFilterTest {

    private static XpuDevice device(String api, int vendor, boolean gpu) {
        return new XpuDevice() {
            @Override public String api() { return api; }
            @Override public String name() { return "dev"; }
            @Override public int vendorId() { return vendor; }
            @Override public String vendorName() { return "v"; }
            @Override public boolean isGpu() { return gpu; }
            @Override public String typeName() { return gpu ? "GPU" : "CPU"; }
            @Override public long memoryBytes() { return 0; }
            @Override public Map<String, String> details() { return Map.of(); }
            @Override public DeviceRuntime open() { throw new UnsupportedOperationException(); }
        };
    }

    @Test
    void intelGpusAreTaken() {
        assertTrue(XpuDeviceFilter.declineLevelZero(device("Level Zero", 0x8086, true)).isEmpty());
        assertTrue(XpuDeviceFilter.declineOpenCl(device("OpenCL", 0x8086, true), false).isEmpty());
    }

    @Test
    void intelVendorIdAloneIsNotEnough() {
        assertEquals("OpenCL device \"dev\" (vendor 0x8086, CPU) is not an Intel GPU (set -Dattn4j.xpu.allowAnyOpenClDevice=true"
                + " to run the xpu kernels on any OpenCL device, e.g. PoCL on the CPU)",
                XpuDeviceFilter.declineOpenCl(device("OpenCL", 0x8086, false), false).orElseThrow());
        assertEquals("Level Zero device \"dev\" (vendor 0x10de, GPU) is not an Intel GPU",
                XpuDeviceFilter.declineLevelZero(device("Level Zero", 0x10de, true)).orElseThrow());
    }

    @Test
    void anyOpenClDeviceWhenAllowedButNeverOnLevelZero() {
        assertTrue(XpuDeviceFilter.declineOpenCl(device("OpenCL", 0x1002, true), true).isEmpty());
        assertTrue(XpuDeviceFilter.declineLevelZero(device("Level Zero", 0x8086, false)).isPresent());
    }
}
