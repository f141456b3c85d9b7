package dev.attn4j.cpu;

import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.tck.BackendTck;

import java.util.Set;

/**
 * The TCK on cpu with the scalar loops ({@code attn4j.cpu.vector=false}): what runs wherever the
 * JVM lacks {@code --add-modules jdk.incubator.vector}. {@link CpuConformanceTest} covers the
 * Vector API loops, which the build's test JVMs enable.
 */
class CpuScalarConformanceTest extends BackendTck {
    CpuScalarConformanceTest() {
        super(new CpuBackendProvider(), BackendOptions.builder().property(CpuBackendProvider.VECTOR_PROPERTY, "false").build(),
                Set.of("scalar"));
    }
}
