package dev.attn4j.ilu;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.tck.BackendTck;

import java.util.Set;

/** The TCK on ilu, in compat mode on an NVIDIA GPU or on an Iluvatar GPU; skips without one. */
class IluConformanceTest extends BackendTck {
    @Override
    protected AttentionBackendProvider provider() {
        return new IluBackendProvider();
    }

    @Override
    protected BackendOptions options() {
        return CompatMode.OPTIONS;
    }

    @Override
    protected Set<String> kernelFamilies() {
        return Set.of("ilu DECODE ", "ilu FLASH ", "ilu STAGED_FLASH ", "ilu GENERIC ");   // the ilu paths
    }
}
