package dev.attn4j.cpu;

import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.tck.BackendTck;
import dev.attn4j.tck.TckTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCK on cpu with the Vector API loops (the build's test JVMs enable the module), and the full
 * suite once more on a backend of 5 threads and 16-token KV splits, so the split-KV merge runs on
 * nearly every case. {@link CpuScalarConformanceTest} runs the scalar loops.
 */
class CpuConformanceTest extends BackendTck {
    private final CpuBackend split = new CpuBackend(5, 16);

    CpuConformanceTest() {
        super(new CpuBackendProvider(), BackendOptions.defaults(), Set.of("vector"));   // the Vector API loops
    }

    @TestFactory
    Stream<DynamicTest> fullSuiteWithSplitKv() {
        return TckTests.conformance(() -> split, ConformanceSuite.full(), seed() + 1_000_000, () -> { }).stream();
    }

    @AfterAll
    void closeSplit() {
        split.close();
    }
}
