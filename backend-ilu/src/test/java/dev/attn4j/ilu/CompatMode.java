package dev.attn4j.ilu;

/**
 * GPU tests of this module run the ilu kernels on whatever CUDA device is present: on an NVIDIA
 * GPU host that is compat mode, which they turn on for themselves (and restore afterwards), so
 * {@code bash .devpack/run test --select-package dev.attn4j.ilu} needs no extra flag.
 */
final class CompatMode {
    private static String before;

    private CompatMode() {
    }

    static synchronized void enable() {
        before = System.getProperty(IluDeviceFilter.COMPAT_PROPERTY);
        System.setProperty(IluDeviceFilter.COMPAT_PROPERTY, "true");
    }

    static synchronized void restore() {
        if (before == null) {
            System.clearProperty(IluDeviceFilter.COMPAT_PROPERTY);
        } else {
            System.setProperty(IluDeviceFilter.COMPAT_PROPERTY, before);
        }
    }
}
