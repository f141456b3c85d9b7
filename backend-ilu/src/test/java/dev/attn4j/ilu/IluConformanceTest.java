package dev.attn4j.ilu;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.tck.BackendTck;
import org.junit.jupiter.api.AfterAll;

import java.util.Set;

/** The TCK on ilu, in compat mode ({@link CompatMode}) on an NVIDIA GPU or on an Iluvatar GPU; skips without one. */
class IluConformanceTest extends BackendTck {
    @Override
    protected AttentionBackendProvider provider() {
        return new IluBackendProvider();
    }

    @Override
    protected Availability probe() {
        CompatMode.enable();
        return provider().probe();
    }

    @AfterAll
    void restoreCompatMode() {
        CompatMode.restore();
    }

    /** The paths of README's "which ilu path runs". */
    @Override
    protected Set<String> kernelFamilies() {
        return Set.of("ilu DECODE ", "ilu FLASH ", "ilu STAGED_FLASH ", "ilu GENERIC ");
    }
}
