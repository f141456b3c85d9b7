package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import dev.attn4j.selector.SelectionException;
import dev.attn4j.selector.SelectionReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each selection scenario with test-only providers: the choice and the recorded reason. */
class SelectionScenariosTest {
    static final KvCacheSpec SPEC = new KvCacheSpec(64, 16, 2, 128, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
    static final Requirements REQ = Requirements.of(AttentionShape.of(SPEC, 8, DType.BF16, AttentionOptions.CAUSAL), Feature.PREFILL, Feature.DECODE, Feature.CHUNKED_PREFILL, Feature.CAUSAL, Feature.LSE);

    @BeforeEach
    @AfterEach
    void clean() {
        ProbeCache.clear();
        System.clearProperty("attn4j.cpu.disabled");
        TestProviders.Faulty.FAULT.set(false);
        TestProviders.OutOfMemory.FAULT.set(false);
    }

    /**
     * A selector over cpu plus the given test providers, ignoring the environment and whatever
     * else is on the class path (so the scenarios hold on a GPU host too).
     */
    private static BackendSelector.Builder selector(AttentionBackendProvider... extra) {
        return BackendSelector.builder().discover(false).register(new CpuBackendProvider()).register(extra)
                .environment(Map.of()).backendProperty(null);
    }

    private static CandidateReport line(SelectionReport r, String name) {
        return r.candidate(name).orElseThrow(() -> new AssertionError(name + " missing from " + r.table()));
    }

    @Test
    void byPriorityCpuIsTheFallbackAndTheReportSaysWhy() {
        try (Selection s = selector().build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            SelectionReport r = s.report();
            assertEquals(Outcome.CHOSEN, line(r, "cpu").outcome());
            assertTrue(line(r, "cpu").reason().startsWith("validated 5 cases (seed " + ConformanceSuite.VALIDATION_SEED + ")"),
                    r.table());
            assertTrue(r.logLine().startsWith("attn4j selected cpu in "), r.logLine());
            assertTrue(r.json().contains("\"chosen\":\"cpu\""), r.json());
            assertTrue(r.table().contains("chosen: cpu"), r.table());
        }
    }

    @Test
    void unavailableIsSkippedWithItsCause() {
        try (Selection s = selector(new TestProviders.Unavailable()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            CandidateReport c = line(s.report(), "t-unavailable");
            assertEquals(Outcome.UNAVAILABLE, c.outcome());
            assertEquals("no t-device found (test)", c.reason());
        }
    }

    @Test
    void probeThatThrowsBecomesTheCause() {
        try (Selection s = selector(new TestProviders.ProbeThrows()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            CandidateReport c = line(s.report(), "t-probe-throws");
            assertEquals(Outcome.UNAVAILABLE, c.outcome());
            assertTrue(c.reason().contains("probe threw") && c.reason().contains("libtdevice.so"), c.reason());
        }
    }

    @Test
    void openThatThrowsIsRecorded() {
        try (Selection s = selector(new TestProviders.OpenThrows()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            CandidateReport c = line(s.report(), "t-open-throws");
            assertEquals(Outcome.OPEN_FAILED, c.outcome());
            assertTrue(c.reason().contains("context creation failed (test)"), c.reason());
        }
    }

    @Test
    void wrongNumbersFailValidation() {
        try (Selection s = selector(new TestProviders.WrongNumbers()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            CandidateReport c = line(s.report(), "t-wrong-numbers");
            assertEquals(Outcome.VALIDATION_FAILED, c.outcome());
            assertTrue(c.reason().contains("FAILED") && c.reason().contains("relL2"), c.reason());
        }
    }

    @Test
    void capabilityMismatchListsEveryReason() {
        try (Selection s = selector(new TestProviders.Narrow()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            CandidateReport c = line(s.report(), "t-narrow");
            assertEquals(Outcome.UNSUPPORTED, c.outcome());
            for (String f : new String[] {"kvDtype=INT8", "granularity=TOKEN", "layout=NHD", "headDim=128"}) {
                assertTrue(c.reason().contains(f), f + " missing from " + c.reason());
            }
        }
    }

    @Test
    void duplicateNamesNameBothProviders() {
        Attn4jException e = assertThrows(Attn4jException.class,
                () -> selector(new TestProviders.DuplicateCpu()).build());
        assertTrue(e.getMessage().contains("two backend providers are named 'cpu'"), e.getMessage());
        assertTrue(e.getMessage().contains(TestProviders.DuplicateCpu.class.getName()), e.getMessage());
        assertTrue(e.getMessage().matches(".*dev\\.attn4j\\.cpu\\.CpuBackendProvider \\((attn4j-backend-cpu-[^)]*\\.jar|/.*backend-cpu/target/classes/)\\).*"),
                e.getMessage());
    }

    @Test
    void unknownExplicitNameListsTheValidOnes() {
        for (BackendSelector.Builder b : new BackendSelector.Builder[] {
                selector().order("nope"),
                selector().backendProperty("nope"),
                selector().environment(Map.of("ATTN4J_BACKEND", "cpu,nope"))}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> b.build().select(REQ));
            assertEquals("nope", e.value());
            assertTrue(e.getMessage().contains("valid: cpu"), e.getMessage());
        }
    }

    @Test
    void explicitOrderFromPropertyThenEnvironment() {
        try (Selection s = selector(new TestProviders.Unavailable()).backendProperty("cpu")
                .environment(Map.of("ATTN4J_BACKEND", "t-unavailable")).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            assertEquals(Outcome.NOT_TRIED, line(s.report(), "t-unavailable").outcome());
            assertTrue(s.report().orderSource().contains("attn4j.backend=cpu"), s.report().orderSource());
        }
    }

    @Test
    void explicitNameThatFailsIsAnErrorWithoutFallback() {
        SelectionException e = assertThrows(SelectionException.class,
                () -> selector(new TestProviders.OpenThrows()).order("t-open-throws").build().select(REQ));
        assertTrue(e.getMessage().contains("fallback was not asked for"), e.getMessage());
        assertTrue(e.getMessage().contains("context creation failed (test)"), e.getMessage());
        assertEquals(Outcome.OPEN_FAILED, line(e.report(), "t-open-throws").outcome());
        assertEquals(Outcome.NOT_TRIED, line(e.report(), "cpu").outcome());
    }

    @Test
    void explicitNameThatFailsFallsBackWhenAsked() {
        try (Selection s = selector(new TestProviders.OpenThrows()).order("t-open-throws").allowFallback(true)
                .build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            assertEquals(Outcome.OPEN_FAILED, line(s.report(), "t-open-throws").outcome());
            assertTrue(s.report().orderSource().contains("fallback"), s.report().orderSource());
        }
    }

    @Test
    void killSwitchIsReportedAsTheCause() {
        // The selector honours the switch even for a provider that does not check it itself.
        System.setProperty("attn4j.t-faulty.disabled", "true");
        try (Selection s = selector(new TestProviders.Faulty()).build().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            assertEquals(Outcome.UNAVAILABLE, line(s.report(), "t-faulty").outcome());
            assertEquals("disabled by attn4j.t-faulty.disabled=true", line(s.report(), "t-faulty").reason());
        } finally {
            System.clearProperty("attn4j.t-faulty.disabled");
        }
        System.setProperty("attn4j.cpu.disabled", "true");
        SelectionException e = assertThrows(SelectionException.class, () -> selector().build().select(REQ));
        assertEquals(Outcome.UNAVAILABLE, line(e.report(), "cpu").outcome());
        assertTrue(e.getMessage().contains("disabled by attn4j.cpu.disabled=true"), e.getMessage());
    }

    @Test
    void aDeviceFaultMarksTheBackendFailed() {
        try (Selection s = selector(new TestProviders.Faulty()).build().select(REQ)) {
            AttentionBackend b = s.backend();
            assertEquals("t-faulty", b.name());
            try (KvCache cache = b.createKvCache(SPEC);
                 Plan plan = b.plan(PlanRequest.decode(AttentionShape.of(SPEC, 8, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {3}, new int[][] {{5}})));
                 Tensor q = b.allocate(DType.BF16, 1, 8, 128);
                 Tensor out = b.allocate(DType.BF16, 1, 8, 128)) {
                b.run(plan, q, cache, out);
                TestProviders.Faulty.FAULT.set(true);
                DeviceException first = assertThrows(DeviceException.class, () -> b.run(plan, q, cache, out));
                TestProviders.Faulty.FAULT.set(false);
                BackendUnavailableException later = assertThrows(BackendUnavailableException.class,
                        () -> b.allocate(DType.FP32, 4));
                assertSame(first, later.getCause(), "later calls carry the first fault");
                assertTrue(b.isClosed());
                CandidateReport c = line(s.report(), "t-faulty");
                assertEquals(Outcome.FAILED_AT_RUN_TIME, c.outcome());
                assertTrue(c.reason().contains("T_ERROR_ILLEGAL_ADDRESS"), c.reason());
            }
        }
    }

    @Test
    void aFaultThatIsNotStickyFailsThatCallOnly() {
        try (Selection s = selector(new TestProviders.OutOfMemory()).build().select(REQ)) {
            AttentionBackend b = s.backend();
            assertEquals("t-out-of-memory", b.name());
            try (KvCache cache = b.createKvCache(SPEC);
                 Plan plan = b.plan(PlanRequest.decode(AttentionShape.of(SPEC, 8, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {3}, new int[][] {{5}})));
                 Tensor q = b.allocate(DType.BF16, 1, 8, 128);
                 Tensor out = b.allocate(DType.BF16, 1, 8, 128)) {
                TestProviders.OutOfMemory.FAULT.set(true);
                DeviceException e = assertThrows(DeviceException.class, () -> b.run(plan, q, cache, out));
                assertFalse(e.isSticky());
                TestProviders.OutOfMemory.FAULT.set(false);
                b.run(plan, q, cache, out);   // the backend is still usable
                assertFalse(b.isClosed());
                assertEquals(Outcome.CHOSEN, line(s.report(), "t-out-of-memory").outcome());
            }
        }
    }

    @Test
    void whateverAProviderThrowsIsItsOutcomeAndWhatItOpenedIsClosed() {
        TestProviders.CheckThrowsAfterOpen checkThrows = new TestProviders.CheckThrowsAfterOpen();
        TestProviders.ValidationOverflowsTheStack overflow = new TestProviders.ValidationOverflowsTheStack();
        for (Error error : List.of(new AssertionError("invariant broken (test)"), new StackOverflowError("(test)"))) {
            TestProviders.OpenThrowsError.error = error;
            try (Selection s = selector(new TestProviders.OpenReturnsNull(), new TestProviders.OpenThrowsError(),
                    checkThrows, overflow, new TestProviders.PriorityThrows()).build().select(REQ)) {
                assertEquals("cpu", s.backend().name());
                SelectionReport r = s.report();
                assertEquals(Outcome.OPEN_FAILED, line(r, "t-open-null").outcome());
                assertEquals("open returned null", line(r, "t-open-null").reason());
                assertEquals(Outcome.OPEN_FAILED, line(r, "t-open-error").outcome());
                assertEquals(error.toString(), line(r, "t-open-error").reason());
                assertEquals(Outcome.UNSUPPORTED, line(r, "t-check-throws").outcome());
                assertTrue(line(r, "t-check-throws").reason().contains("check is broken (test)"), r.table());
                assertEquals(Outcome.VALIDATION_FAILED, line(r, "t-validation-overflow").outcome());
                assertTrue(line(r, "t-validation-overflow").reason().contains("StackOverflowError"), r.table());
                CandidateReport noPriority = line(r, TestProviders.PriorityThrows.class.getName());
                assertEquals(Outcome.LOAD_FAILED, noPriority.outcome());
                assertTrue(noPriority.reason().contains("no priority (test)"), noPriority.reason());
            }
        }
        assertTrue(checkThrows.allClosed(), "a backend whose check threw was closed");
        assertTrue(overflow.allClosed(), "a backend that failed validation with an error was closed");
    }

    @Test
    void aProviderThatHangsIsWaitedForBoundedlyAndWhatItOpensLaterIsClosed() throws Exception {
        TestProviders.OpenHangs openHangs = new TestProviders.OpenHangs();
        long t0 = System.nanoTime();
        try (Selection s = selector(new TestProviders.ProbeHangs(), openHangs)
                .probeTimeout(Duration.ofMillis(300)).openTimeout(Duration.ofMillis(300)).build().select(REQ)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals("cpu", s.backend().name());
            SelectionReport r = s.report();
            assertEquals(Outcome.UNAVAILABLE, line(r, "t-probe-hangs").outcome());
            assertTrue(line(r, "t-probe-hangs").reason().startsWith("its probe did not return within 300 ms"), r.table());
            assertEquals(Outcome.OPEN_FAILED, line(r, "t-open-hangs").outcome());
            assertTrue(line(r, "t-open-hangs").reason().startsWith("open did not return within 300 ms"), r.table());
            assertTrue(seconds < 30, "selection took " + seconds + " s");
        } finally {
            TestProviders.ProbeHangs.RELEASE.countDown();
            openHangs.release.countDown();
        }
        for (int i = 0; i < 200 && !openHangs.allClosed(); i++) {
            Thread.sleep(10);
        }
        assertTrue(openHangs.allClosed(), "the backend the late open returned was closed");
    }
}
