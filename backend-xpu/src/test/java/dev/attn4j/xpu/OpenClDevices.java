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
 * {@code attn4j.xpu.strictTests=true}, which the pom's {@code xpu-setup-ran} profile sets wherever
 * scripts/setup.sh installed PoCL: then they fail, so neither the README's test command nor CI can
 * pass on a set-up machine without running the kernels.
 */
final class OpenClDevices {
    static final String STRICT = "attn4j.xpu.strictTests";

    private OpenClDevices() {
    }

    /** Options that open xpu on the first OpenCL device whatever it is. */
    static BackendOptions.Builder anyDevice() {
        return BackendOptions.builder()
                .property(XpuDeviceFilter.ALLOW_ANY, "true")
                .property(ZeLoader.LIBRARY_PROPERTY, "libze_loader_left_out_by_the_tests.so.1");
    }

    static Availability probe() {
        return new XpuBackendProvider().probe(anyDevice().build());
    }

    /** Skips (or, with the CI guard, fails) when no OpenCL device is there. */
    static void assume(Availability a) {
        require(a.isAvailable(), "xpu has no OpenCL device: " + a.unavailabilityCause());
    }

    /**
     * Skips the test when what it needs is missing, or fails it under {@code attn4j.xpu.strictTests=true}:
     * there everything scripts/setup.sh installs must be present.
     */
    static void require(boolean present, String whatIsMissing) {
        if (!present && Boolean.getBoolean(STRICT)) {
            Assertions.fail(STRICT + "=true but " + whatIsMissing);
        }
        Assumptions.assumeTrue(present, whatIsMissing);
    }

    /** An opened backend, or null when no device is there. */
    static AttentionBackend open(Availability a, BackendOptions options) {
        return a.isAvailable() ? new XpuBackendProvider().open(options) : null;
    }
}
