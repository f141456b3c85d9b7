package dev.attn4j.xpu;

import dev.attn4j.tck.BackendTck;

import java.util.Set;

/** The TCK on xpu through OpenCL (PoCL here: {@link OpenClDevices}), with 32-token KV splits so the merge runs often. */
class XpuConformanceTest extends BackendTck {
    XpuConformanceTest() {
        super(new XpuBackendProvider(), OpenClDevices.anyDevice().property(XpuBackend.MIN_SPLIT_PROPERTY, "32").build(),
                Set.of());
    }

    @Override
    protected int stressJobsPerThread() {
        return 30;   // PoCL on 2 cores is slow
    }
}
