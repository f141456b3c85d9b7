package dev.attn4j.ilu;

import dev.attn4j.tck.BackendTck;

import java.util.Set;

/** The TCK on ilu, reaching its four paths, in compat mode on an NVIDIA GPU or on an Iluvatar GPU; skips without one. */
class IluConformanceTest extends BackendTck {
    IluConformanceTest() {
        super(new IluBackendProvider(), CompatMode.OPTIONS,
                Set.of("ilu DECODE ", "ilu FLASH ", "ilu STAGED_FLASH ", "ilu GENERIC "));
    }
}
