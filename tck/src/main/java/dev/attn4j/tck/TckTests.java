package dev.attn4j.tck;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.conformance.BadInputSuite;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.conformance.HostileCalls;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The TCK's tests as JUnit dynamic tests, for a backend given as a supplier (so a test class can
 * build them before it knows whether the device is there). {@code assume} runs first in each test:
 * it aborts (or fails, where the device must be there) when the backend is unavailable.
 */
public final class TckTests {
    private TckTests() {
    }

    /**
     * One test per case, named by the case's id. Case {@code i} draws its data from
     * {@code seed + i}; a case the backend does not support is aborted with the reasons, visibly.
     * {@link ConformanceSuite#isSelected} narrows the cases (for compute-sanitizer runs).
     */
    public static List<DynamicTest> conformance(Supplier<AttentionBackend> backend, List<ConformanceCase> cases,
                                                long seed, Runnable assume) {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = cases.get(i);
            long caseSeed = seed + i;
            if (!ConformanceSuite.isSelected(c)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.id(), () -> {
                assume.run();
                CaseResult r = ConformanceSuite.runOne(backend.get(), c, caseSeed);
                Assumptions.assumeFalse(r.status() == CaseResult.Status.SKIPPED, r::detail);
                Assertions.assertEquals(CaseResult.Status.PASSED, r.status(), () -> r + " (seed " + caseSeed + ")");
            }));
        }
        return tests;
    }

    /** Every case of {@link BadInputSuite}: rejected with the field named, nothing changed. */
    public static List<DynamicTest> badInput(Supplier<AttentionBackend> backend, Supplier<AttentionBackend> other,
                                             Runnable assume) {
        return checks(BadInputSuite.cases(), backend, other, assume);
    }

    /** {@code count} random invalid calls ({@link HostileCalls}) drawn from {@code seed}. */
    public static List<DynamicTest> hostileCalls(Supplier<AttentionBackend> backend, Supplier<AttentionBackend> other,
                                                 long seed, int count, Runnable assume) {
        return checks(HostileCalls.cases(seed, count), backend, other, assume);
    }

    private static List<DynamicTest> checks(List<BadInputSuite.BadInputCase> cases, Supplier<AttentionBackend> backend,
                                            Supplier<AttentionBackend> other, Runnable assume) {
        List<DynamicTest> tests = new ArrayList<>();
        for (BadInputSuite.BadInputCase c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                assume.run();
                Assertions.assertEquals("", BadInputSuite.check(backend.get(), other.get(), c));
            }));
        }
        return tests;
    }
}
