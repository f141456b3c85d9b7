package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
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
 * The full conformance and bad-input suites on the cuda backend. Skips (a JUnit assumption, with
 * the probe's cause) where no usable NVIDIA GPU is present, as on CI; run on the GPU host through
 * {@code ../shared/gpu/pack}.
 */
class CudaConformanceTest {
    private static final Logger LOG = LoggerFactory.getLogger(CudaConformanceTest.class);
    private static final long SEED = ConformanceSuite.defaultSeed();
    private static Availability availability;
    private static AttentionBackend backend;
    private static AttentionBackend other;

    @BeforeAll
    static void open() {
        availability = new CudaBackendProvider().probe();
        LOG.info("cuda probe: {}; conformance seed {}", availability, SEED);
        if (availability.isAvailable()) {
            backend = new CudaBackendProvider().open(BackendOptions.defaults());
            other = new CudaBackendProvider().open(BackendOptions.defaults());
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
        return cases(ConformanceSuite.full());
    }

    /** The quick subset alone: what the compute-sanitizer runs go through. */
    @TestFactory
    Stream<DynamicTest> quickSuite() {
        return cases(ConformanceSuite.quick());
    }

    private static Stream<DynamicTest> cases(List<ConformanceCase> cases) {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = cases.get(i);
            long seed = SEED + i;
            if (!ConformanceSuite.isSelected(c)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.id(), () -> {
                Assumptions.assumeTrue(availability.isAvailable(), () -> "cuda unavailable: " + availability.unavailabilityCause());
                CaseResult r = ConformanceSuite.runOne(backend, c, seed);
                assertEquals(CaseResult.Status.PASSED, r.status(), r::toString);
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> badInput() {
        return BadInputSuite.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Assumptions.assumeTrue(availability.isAvailable(), () -> "cuda unavailable: " + availability.unavailabilityCause());
            assertEquals("", BadInputSuite.check(backend, other, c));
        }));
    }

    /** 200 random invalid calls (the cpu module runs the same generator as a jqwik property). */
    @TestFactory
    Stream<DynamicTest> hostileCalls() {
        return HostileCalls.cases(SEED, 200).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Assumptions.assumeTrue(availability.isAvailable(), () -> "cuda unavailable: " + availability.unavailabilityCause());
            assertEquals("", BadInputSuite.check(backend, other, c));
        }));
    }

    /** 8 threads sharing the backend (appends, plans, decodes, prefills, closes) get one thread's results. */
    @Test
    void threadsSharingTheBackendMatchOneThread() {
        Assumptions.assumeTrue(availability.isAvailable(), () -> "cuda unavailable: " + availability.unavailabilityCause());
        LOG.info("stress: {}", ConcurrencyStress.check(backend, 8, 60, SEED));
    }
}
