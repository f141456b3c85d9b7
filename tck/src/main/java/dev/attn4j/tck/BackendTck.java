package dev.attn4j.tck;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.support.DriverCalls;
import dev.attn4j.conformance.ConcurrencyStress;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The backend TCK as a JUnit 5 base class. A backend's conformance test extends it and names its
 * provider:
 *
 * <pre>{@code
 * class MyConformanceTest extends BackendTck {
 *     MyConformanceTest() {
 *         super(new MyBackendProvider(), BackendOptions.defaults(), Set.of("my_decode_", "my_prefill_"));
 *     }
 * }
 * }</pre>
 *
 * It then runs, on two backends opened from the provider (the second for foreign-object checks):
 * the full conformance suite (≈600 cases against the float64 reference), ending with a check that
 * the suite's plans reached every kernel family the test declares and split-KV; the quick suite;
 * the bad-input suite; 200 random invalid calls; 8 threads sharing the backend; and, where the
 * backend counts its driver calls, a decode step loop that must not wait ({@link StepLoopCheck}). Where the probe
 * says the backend is unavailable every test aborts with the probe's cause (fails, under
 * {@code attn4j.<name>.strictTests=true}: see {@link #assumeAvailable}). The conformance seed is
 * fresh each run and logged; {@code -Dattn4j.conformance.seed=N} repeats a run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendTck {
    private static final Logger LOG = LoggerFactory.getLogger(BackendTck.class);
    private final long seed = ConformanceSuite.defaultSeed();
    private final AttentionBackendProvider configuredProvider;
    private final BackendOptions configuredOptions;
    private final Set<String> configuredFamilies;
    private Availability availability;
    private PlanRecorder backend;
    private AttentionBackend other;

    /** A TCK whose hooks the subclass overrides ({@link #provider()} at least). */
    protected BackendTck() {
        this(null, BackendOptions.defaults(), Set.of());
    }

    /**
     * A TCK of {@code provider}, opened (and probed) with {@code options}, whose full suite must
     * reach every one of {@code kernelFamilies} (substrings of the plans' {@code describe()}): a
     * backend's whole conformance test is its constructor.
     */
    protected BackendTck(AttentionBackendProvider provider, BackendOptions options, Set<String> kernelFamilies) {
        this.configuredProvider = provider;
        this.configuredOptions = options;
        this.configuredFamilies = Set.copyOf(kernelFamilies);
    }

    /** The provider under test: the constructor's, unless overridden. */
    protected AttentionBackendProvider provider() {
        if (configuredProvider == null) {
            throw new IllegalStateException(getClass().getName() + ": pass the provider to BackendTck's constructor "
                    + "or override provider()");
        }
        return configuredProvider;
    }

    /** The options both backends are opened with: the constructor's (defaults) unless overridden. */
    protected BackendOptions options() {
        return configuredOptions;
    }

    /** The probe's answer: the provider's probe with {@link #options()}, as open will see them. */
    protected Availability probe() {
        return provider().probe(options());
    }

    /**
     * Runs first in every test: aborts with the probe's cause when the backend is unavailable, or
     * fails with it under {@code attn4j.<name>.strictTests=true} (set where the machine was set up
     * to have the device, so a suite can never skip silently there).
     */
    protected void assumeAvailable(Availability a) {
        String strict = "attn4j." + provider().name() + ".strictTests";
        if (!a.isAvailable() && Boolean.getBoolean(strict)) {
            Assertions.fail(strict + "=true but " + provider().name() + " is unavailable: " + a.unavailabilityCause());
        }
        Assumptions.assumeTrue(a.isAvailable(), () -> provider().name() + " unavailable: " + a.unavailabilityCause());
    }

    /**
     * The kernel families the backend has, as substrings of its plans' {@code describe()}: the full
     * suite must reach each: the constructor's (none: no check) unless overridden.
     */
    protected Set<String> kernelFamilies() {
        return configuredFamilies;
    }

    /** Jobs per thread of the concurrency stress (8 threads); fewer on a slow device. */
    protected int stressJobsPerThread() {
        return 60;
    }

    /** The seed of this run's conformance cases (logged at the start). */
    protected final long seed() {
        return seed;
    }

    /** The backend under test (null where unavailable); its plans are recorded for the reach check. */
    protected final AttentionBackend backend() {
        return backend;
    }

    @BeforeAll
    final void openBackends() {
        availability = probe();
        LOG.info("{} probe: {}; conformance seed {} (re-run with -Dattn4j.conformance.seed={})",
                provider().name(), availability, seed, seed);
        if (availability.isAvailable()) {
            backend = new PlanRecorder(provider().open(options()));
            other = provider().open(options());
            LOG.info("{} TCK on {}", provider().name(), backend.recorded());
        }
    }

    @AfterAll
    final void closeBackends() {
        if (backend != null) {
            backend.close();
            other.close();
        }
    }

    @TestFactory
    final Stream<DynamicTest> fullSuite() {
        List<DynamicTest> tests = conformance(ConformanceSuite.full(), 0);
        boolean narrowed = tests.size() < ConformanceSuite.full().size();
        tests.add(DynamicTest.dynamicTest("the suite reached every kernel family and split-KV", () -> {
            assume();
            Assumptions.assumeFalse(narrowed, "the suite was narrowed by attn4j.conformance.only");
            Set<String> missed = new TreeSet<>();
            for (String f : kernelFamilies()) {
                if (!backend.reached(f)) {
                    missed.add(f);
                }
            }
            Assertions.assertTrue(missed.isEmpty(), () -> "no plan of the suite's " + backend.plans()
                    + " chose " + missed);
            Assertions.assertTrue(backend.reachedSplitKv(), "no plan of the suite split a sequence's KV");
        }));
        return tests.stream();
    }

    @TestFactory
    final Stream<DynamicTest> quickSuite() {
        return conformance(ConformanceSuite.quick(), 2_000_000).stream();
    }

    @TestFactory
    final Stream<DynamicTest> badInput() {
        return TckTests.badInput(() -> backend, () -> other, this::assume).stream();
    }

    @TestFactory
    final Stream<DynamicTest> hostileCalls() {
        return TckTests.hostileCalls(() -> backend, () -> other, seed, 200, this::assume).stream();
    }

    @Test
    final void threadsSharingTheBackendMatchOneThread() {
        assume();
        LOG.info("{} stress: {}", provider().name(), ConcurrencyStress.check(backend, 8, stressJobsPerThread(), seed));
    }

    /**
     * The decode step loop issues no synchronize and no allocation after its first step
     * ({@link StepLoopCheck}): for backends that count their driver calls ({@link DriverCalls});
     * one with no device to wait for (cpu) skips it, saying so.
     */
    @Test
    final void stepLoopWaitsForNothingAfterItsFirstStep() {
        assume();
        java.util.Optional<DriverCalls> calls = backend.unwrap(DriverCalls.class);
        Assumptions.assumeTrue(calls.isPresent(), () -> provider().name() + " does not count driver calls");
        LOG.info("{} step loop: {}", provider().name(), StepLoopCheck.run(backend, calls.get(), seed));
    }

    /** The conformance tests of {@code cases} on the backend under test, seeds from {@code seed() + offset}. */
    protected final List<DynamicTest> conformance(List<ConformanceCase> cases, long offset) {
        return TckTests.conformance(() -> backend, cases, seed + offset, this::assume);
    }

    private void assume() {
        assumeAvailable(availability);
    }
}
