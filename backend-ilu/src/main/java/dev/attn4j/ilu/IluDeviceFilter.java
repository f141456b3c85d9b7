package dev.attn4j.ilu;

import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.cudadriver.DeviceDescription;

import java.util.Optional;

/**
 * Which devices the ilu backend runs on: Iluvatar CoreX GPUs. NVIDIA GPUs answer to the same
 * driver API, and the ilu kernels are plain CUDA C that nvcc also builds, which is how they are
 * tested without Iluvatar hardware: with {@value #COMPAT_PROPERTY}=true (a BackendOptions property or a
 * system property) the backend runs on NVIDIA
 * GPUs of compute capability 8.0 or newer too. Without it NVIDIA devices are declined and left to
 * the cuda backend, so ilu never silently takes an NVIDIA machine.
 */
final class IluDeviceFilter {
    /** Lets the ilu backend run on NVIDIA GPUs (compat mode, for testing its kernels). */
    static final String COMPAT_PROPERTY = "attn4j.ilu.allowAnyCudaDevice";

    private IluDeviceFilter() {
    }

    /** Compat mode as the options (then the system properties) say: probe and open read the same. */
    static boolean compatMode(BackendOptions options) {
        return options.flag(COMPAT_PROPERTY);
    }

    /** Why this backend declines the device, or empty if it accepts it. */
    static Optional<String> declineReason(DeviceDescription d, boolean allowAnyCudaDevice) {
        if (d.isIluvatar()) {
            return Optional.empty();
        }
        String device = "device " + d.index() + " (" + d.name() + ")";
        if (!allowAnyCudaDevice) {
            return Optional.of(device + " is not an Iluvatar CoreX GPU; the ilu backend runs on other CUDA devices only "
                    + "with -D" + COMPAT_PROPERTY + "=true (how its kernels are tested on NVIDIA GPUs)");
        }
        if (d.ccMajor() < 8) {
            return Optional.of(device + " has compute capability " + d.ccMajor() + "." + d.ccMinor()
                    + "; the ilu kernels built for NVIDIA need 8.0 or newer");
        }
        return Optional.empty();
    }
}
