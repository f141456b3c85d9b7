package dev.attn4j.xpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.conformance.BadInputSuite;
import dev.attn4j.conformance.HostileCalls;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConcurrencyStress;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The full conformance suite and the bad-input suite on xpu through the OpenCL path (PoCL on the
 * CPU here, which runs the kernels' generic sub-group code; an Intel GPU with intel-opencl-icd runs
 * the cl_intel_subgroups code). The full suite runs with 32-token KV splits, so the split-KV merge
 * path runs on most cases; the integration tests' matrix runs it again with the default split.
 * Cases outside xpu's capabilities (none today) are skipped with the reason.
 */
class XpuConformanceTest {
    private static final Logger LOG = LoggerFactory.getLogger(XpuConformanceTest.class);
    private static final long SEED = ConformanceSuite.defaultSeed();
    private static Availability availability;
    private static AttentionBackend backend;
    private static AttentionBackend other;

    @BeforeAll
    static void open() {
        availability = OpenClDevices.probe();
        LOG.info("xpu (OpenCL, any device) probe: {}; conformance seed {}", availability, SEED);
        backend = OpenClDevices.open(availability, OpenClDevices.anyDevice()
                .property(XpuBackend.MIN_SPLIT_PROPERTY, "32").build());
        other = OpenClDevices.open(availability, OpenClDevices.anyDevice().build());
        if (backend != null) {
            LOG.info("xpu conformance on {}", backend);
        }
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
            other.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> fullSuite() {
        return cases(ConformanceSuite.full(), 0);
    }

    private static Stream<DynamicTest> cases(List<ConformanceCase> cases, long seedOffset) {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = cases.get(i);
            long seed = SEED + seedOffset + i;
            tests.add(DynamicTest.dynamicTest(c.id(), () -> {
                OpenClDevices.assume(availability);
                CaseResult r = ConformanceSuite.runOne(backend, c, seed);
                Assumptions.assumeFalse(r.status() == CaseResult.Status.SKIPPED, r::detail);
                assertEquals(CaseResult.Status.PASSED, r.status(), () -> r + " (seed " + seed + ")");
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> badInput() {
        return BadInputSuite.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpenClDevices.assume(availability);
            assertEquals("", BadInputSuite.check(backend, other, c));
        }));
    }

    /** 200 random invalid calls (the cpu module runs the same generator as a jqwik property). */
    @TestFactory
    Stream<DynamicTest> hostileCalls() {
        return HostileCalls.cases(SEED, 200).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpenClDevices.assume(availability);
            assertEquals("", BadInputSuite.check(backend, other, c));
        }));
    }

    /** 8 threads sharing the backend (appends, plans, decodes, prefills, closes) get one thread's results. */
    @Test
    void threadsSharingTheBackendMatchOneThread() {
        OpenClDevices.assume(availability);
        LOG.info("stress: {}", ConcurrencyStress.check(backend, 8, 30, SEED));
    }
}
