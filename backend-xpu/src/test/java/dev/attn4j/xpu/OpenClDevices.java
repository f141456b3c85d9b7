package dev.attn4j.xpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * How the xpu tests reach an OpenCL device: with {@code attn4j.xpu.allowAnyOpenClDevice=true}
 * (PoCL on the CPU here) and the Level Zero path left out, so the kernels run through OpenCL even on
 * a machine whose Level Zero loader has a driver. Where there is none the tests skip, unless
 * {@code attn4j.xpu.requireOpenCl=true} (set by .ci/run, where PoCL is installed): then they fail,
 * so CI cannot pass without running the kernels.
 */
final class OpenClDevices {
    static final String REQUIRE = "attn4j.xpu.requireOpenCl";

    private OpenClDevices() {
    }

    /** Options that open xpu on the first OpenCL device whatever it is. */
    static BackendOptions.Builder anyDevice() {
        return BackendOptions.builder()
                .property(DeviceFilter.ALLOW_ANY, "true")
                .property(ZeLoader.LIBRARY_PROPERTY, "libze_loader_left_out_by_the_tests.so.1");
    }

    static Availability probe() {
        return XpuProbe.run(new XpuProbe.Settings("libze_loader_left_out_by_the_tests.so.1", true)).availability();
    }

    /** Skips (or, with the CI guard, fails) when no OpenCL device is there. */
    static void assume(Availability a) {
        if (!a.isAvailable() && Boolean.getBoolean(REQUIRE)) {
            Assertions.fail(REQUIRE + "=true but xpu has no OpenCL device: " + a.unavailabilityCause());
        }
        Assumptions.assumeTrue(a.isAvailable(), () -> "xpu has no OpenCL device: " + a.unavailabilityCause());
    }

    /** An opened backend, or null when no device is there. */
    static AttentionBackend open(Availability a, BackendOptions options) {
        return a.isAvailable() ? new XpuBackendProvider().open(options) : null;
    }
}
