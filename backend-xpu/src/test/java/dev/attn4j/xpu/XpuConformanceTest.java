package dev.attn4j.xpu;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.tck.BackendTck;

/**
 * The TCK on xpu through the OpenCL path ({@link OpenClDevices}: PoCL on the CPU here, the kernels'
 * generic sub-group code; an Intel GPU runs the cl_intel_subgroups code), with 32-token KV splits so
 * the split-KV merge runs on most cases. Fails instead of skipping where scripts/setup.sh ran.
 */
class XpuConformanceTest extends BackendTck {
    @Override
    protected AttentionBackendProvider provider() {
        return new XpuBackendProvider();
    }

    @Override
    protected BackendOptions options() {
        return OpenClDevices.anyDevice().property(XpuBackend.MIN_SPLIT_PROPERTY, "32").build();
    }

    @Override
    protected Availability probe() {
        return OpenClDevices.probe();
    }

    @Override
    protected void assumeAvailable(Availability a) {
        OpenClDevices.assume(a);
    }

    /** PoCL on 2 cores is slow: fewer jobs per thread. */
    @Override
    protected int stressJobsPerThread() {
        return 30;
    }
}
