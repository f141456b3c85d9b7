package dev.attn4j.xpu;

import dev.attn4j.api.spi.DeviceInfo;

import java.util.Map;

/**
 * A device one of the two paths found, described enough for {@link XpuDeviceFilter} to decide and for
 * the probe to report it, and able to open a {@link DeviceRuntime} on itself.
 */
interface XpuDevice {
    /** PCI vendor id of Intel. */
    int INTEL = 0x8086;

    /** {@code Level Zero} or {@code OpenCL}. */
    String api();

    String name();

    /** The PCI vendor id the driver reports (PoCL reports 0x8086 for CPUs too). */
    int vendorId();

    /** The vendor as the driver names it, e.g. {@code Intel}, {@code AuthenticAMD} (PoCL names the CPU's). */
    String vendorName();

    boolean isGpu();

    /** e.g. {@code GPU}, {@code CPU}. */
    String typeName();

    long memoryBytes();

    /** Facts for the probe's report (driver, version, compute units ...). */
    Map<String, String> details();

    /** Opens the runtime the backend launches through. */
    DeviceRuntime open();

    /** As the probe reports it, at position {@code index} of the accepted devices. */
    default DeviceInfo info(int index) {
        return new DeviceInfo(index, name(), vendorName(), memoryBytes(), details());
    }

    /** e.g. {@code OpenCL device "pthread-..." (vendor 0x8086, CPU)}. */
    default String describe() {
        return api() + " device \"" + name() + "\" (vendor " + String.format("0x%04x", vendorId()) + ", " + typeName() + ")";
    }
}
