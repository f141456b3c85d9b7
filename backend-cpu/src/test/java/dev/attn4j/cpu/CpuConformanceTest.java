package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The full conformance suite on the cpu backend, one JUnit test per case (the report counts
 * them), twice: with the default thread count, and with 5 threads and 16-token KV splits so the
 * split-KV merge path runs on nearly every case.
 */
class CpuConformanceTest {
    private static final Logger LOG = LoggerFactory.getLogger(CpuConformanceTest.class);
    private static final long SEED = ConformanceSuite.defaultSeed();
    private static AttentionBackend standard;
    private static AttentionBackend split;

    @BeforeAll
    static void open() {
        LOG.info("conformance seed {} (re-run with -Dattn4j.conformance.seed={})", SEED, SEED);
        standard = new CpuBackendProvider().open(BackendOptions.defaults());
        split = new CpuBackend(5, 16);
    }

    @AfterAll
    static void close() {
        standard.close();
        split.close();
    }

    @TestFactory
    Stream<DynamicTest> fullSuite() {
        return cases(ConformanceSuite.full(), () -> standard, 0);
    }

    @TestFactory
    Stream<DynamicTest> fullSuiteWithSplitKv() {
        return cases(ConformanceSuite.full(), () -> split, 1_000_000);
    }

    @TestFactory
    Stream<DynamicTest> quickSuite() {
        return cases(ConformanceSuite.quick(), () -> standard, 2_000_000);
    }

    private static Stream<DynamicTest> cases(List<ConformanceCase> cases, java.util.function.Supplier<AttentionBackend> b,
                                             long seedOffset) {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = cases.get(i);
            long seed = SEED + seedOffset + i;
            tests.add(DynamicTest.dynamicTest(c.id(), () -> {
                CaseResult r = ConformanceSuite.runOne(b.get(), c, seed);
                assertEquals(CaseResult.Status.PASSED, r.status(), () -> r + " (seed " + seed + ")");
            }));
        }
        return tests.stream();
    }
}
