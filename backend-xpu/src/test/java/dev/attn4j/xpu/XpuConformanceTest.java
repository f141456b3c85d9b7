package dev.attn4j.xpu;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.tck.BackendTck;

/** The TCK on xpu through OpenCL (PoCL here: {@link OpenClDevices}), with 32-token KV splits so the merge runs often. */
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
    protected int stressJobsPerThread() {
        return 30;   // PoCL on 2 cores is slow
    }
}
