package dev.attn4j.xpu;

import java.util.Optional;

/**
 * Which devices the xpu backend runs on: Intel GPUs (PCI vendor 0x8086 and GPU type: PoCL reports
 * vendor 0x8086 for CPUs too, so the type matters). On the OpenCL path any device is accepted when
 * {@code attn4j.xpu.allowAnyOpenClDevice=true}: that is how the kernels' numerics are checked on
 * PoCL here; without it PoCL is declined with a cause that names the property. Level Zero devices
 * that are not Intel GPUs are always declined (the Level Zero path's kernels are built for them).
 */
final class XpuDeviceFilter {
    static final String ALLOW_ANY = "attn4j.xpu.allowAnyOpenClDevice";

    private XpuDeviceFilter() {
    }

    static boolean isIntelGpu(XpuDevice d) {
        return d.vendorId() == XpuDevice.INTEL && d.isGpu();
    }

    /** Why a Level Zero device is declined, or empty if accepted. */
    static Optional<String> declineLevelZero(XpuDevice d) {
        return isIntelGpu(d) ? Optional.empty() : Optional.of(d.describe() + " is not an Intel GPU");
    }

    /** Why an OpenCL device is declined, or empty if accepted. */
    static Optional<String> declineOpenCl(XpuDevice d, boolean allowAny) {
        if (isIntelGpu(d) || allowAny) {
            return Optional.empty();
        }
        return Optional.of(d.describe() + " is not an Intel GPU (set -D" + ALLOW_ANY
                + "=true to run the xpu kernels on any OpenCL device, e.g. PoCL on the CPU)");
    }
}
