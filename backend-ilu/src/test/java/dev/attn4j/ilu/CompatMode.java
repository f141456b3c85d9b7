package dev.attn4j.ilu;

import dev.attn4j.api.spi.BackendOptions;

/**
 * GPU tests of this module run the ilu kernels on whatever CUDA device is present: on an NVIDIA
 * GPU host that is compat mode, which they ask for in the options they probe and open with (probe
 * and open read the same settings), so {@code bash .devpack/run test --select-package dev.attn4j.ilu}
 * needs no extra flag and no test changes a system property.
 */
final class CompatMode {
    /** Options that let ilu take an NVIDIA GPU. */
    static final BackendOptions OPTIONS = BackendOptions.builder()
            .property(IluDeviceFilter.COMPAT_PROPERTY, "true").build();

    private CompatMode() {
    }
}
