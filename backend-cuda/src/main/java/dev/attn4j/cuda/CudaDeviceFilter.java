package dev.attn4j.cuda;

import dev.attn4j.cudadriver.DeviceDescription;

import java.util.Optional;

/**
 * Which devices the cuda backend runs on: NVIDIA GPUs of compute capability 8.0 or newer (its
 * fatbin holds sm_80 and sm_90a code and compute_90 PTX; mma.sync bf16 needs 8.0). Iluvatar CoreX
 * also answers to libcuda, but runs CUDA C through its own compiler, not NVIDIA's machine code:
 * those devices are declined so that the ilu backend takes them.
 */
final class CudaDeviceFilter {
    private CudaDeviceFilter() {
    }

    /** Why this backend declines the device, or empty if it accepts it. */
    static Optional<String> declineReason(DeviceDescription d) {
        if (d.isIluvatar()) {
            return Optional.of("device " + d.index() + " (" + d.name() + ") is an Iluvatar CoreX GPU: "
                    + "the ilu backend runs there, cuda needs NVIDIA machine code");
        }
        if (d.ccMajor() < 8) {
            return Optional.of("device " + d.index() + " (" + d.name() + ") has compute capability " + d.ccMajor()
                    + "." + d.ccMinor() + "; the cuda backend needs 8.0 or newer");
        }
        return Optional.empty();
    }
}
