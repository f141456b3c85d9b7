package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import dev.attn4j.selector.SelectionReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Selection's validation catches backends that are wrong on one kernel path only: split-KV, past
 * 200 tokens, with a sliding window off by one, for one layout, ignoring the soft-cap. Each is cpu
 * with that one bug; each is declined (VALIDATION_FAILED) and cpu chosen. With the validation of
 * before (two short cases from a random seed) the split-KV and length bugs were chosen every time
 * and the window bug 24 times in 100. Beyond the fixed seed selection uses, the same cases catch
 * each bug from 20 other seeds too: the cases, not a lucky draw, find it.
 */
class ValidationCatchesBugsTest {
    private static final KvCacheSpec NHD = new KvCacheSpec(512, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN,
            KvLayout.NHD);
    private static final KvCacheSpec HND = new KvCacheSpec(512, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN,
            KvLayout.HND);
    private static final Pattern SPLIT = Pattern.compile("split up to (\\d+) ways");

    @BeforeEach
    void clean() {
        ProbeCache.clear();
    }

    private record Bug(String name, KvCacheSpec spec, Function<AttentionBackend, AttentionBackend> inject) {
    }

    @TestFactory
    Stream<DynamicTest> eachBugIsDeclined() {
        return Stream.of(
                new Bug("t-wrong-when-split", NHD, cpu -> new DelegatingBackend("t-wrong-when-split", cpu) {
                    @Override
                    public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                        super.run(plan, q, cache, out, lse);
                        Matcher m = SPLIT.matcher(plan.describe());
                        if (plan.kind() == OpKind.DECODE && m.find() && Integer.parseInt(m.group(1)) > 1) {
                            skew(out, 0, out.shape()[0]);
                        }
                    }
                }),
                new Bug("t-wrong-past-200", NHD, cpu -> new DelegatingBackend("t-wrong-past-200", cpu) {
                    @Override
                    public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                        super.run(plan, q, cache, out, lse);
                        skewLong(plan, out);
                    }
                }),
                new Bug("t-window-off-by-one", NHD, cpu -> new DelegatingBackend("t-window-off-by-one", cpu) {
                    @Override
                    public Plan plan(PlanRequest r) {
                        return super.plan(r.options().slidingWindow().isPresent() ? withOptions(r, AttentionOptions.builder()
                                .causal(r.options().causal()).slidingWindow(r.options().slidingWindow().getAsInt() + 1)
                                .build()) : r);
                    }
                }),
                new Bug("t-wrong-for-hnd", HND, cpu -> new DelegatingBackend("t-wrong-for-hnd", cpu) {
                    @Override
                    public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                        super.run(plan, q, cache, out, lse);
                        if (plan.kind() == OpKind.DECODE && cache.spec().layout() == KvLayout.HND) {
                            skew(out, 0, out.shape()[0]);
                        }
                    }
                }),
                new Bug("t-ignores-soft-cap", NHD, cpu -> new DelegatingBackend("t-ignores-soft-cap", cpu) {
                    @Override
                    public Plan plan(PlanRequest r) {
                        return super.plan(r.options().softCap().isPresent() ? withOptions(r, AttentionOptions.builder()
                                .causal(r.options().causal()).build()) : r);
                    }
                })
        ).map(bug -> DynamicTest.dynamicTest(bug.name(), () -> check(bug)));
    }

    private static void check(Bug bug) {
        Requirements req = Requirements.of(AttentionShape.of(bug.spec(), 8, DType.BF16, AttentionOptions.CAUSAL), Feature.PREFILL, Feature.DECODE, Feature.CHUNKED_PREFILL, Feature.CAUSAL, Feature.SLIDING_WINDOW, Feature.SOFT_CAP, Feature.LSE);
        TestProviders.Base provider = new TestProviders.Base(bug.name()) {
            @Override
            public AttentionBackend open(BackendOptions options) {
                return bug.inject().apply(new CpuBackendProvider().open(options));
            }
        };
        try (Selection s = dev.attn4j.selector.BackendSelector.builder().discover(false)
                .register(new CpuBackendProvider()).register(provider)
                .environment(Map.of()).backendProperty(null).build().select(req)) {
            SelectionReport r = s.report();
            CandidateReport line = r.candidate(bug.name()).orElseThrow();
            assertEquals(Outcome.VALIDATION_FAILED, line.outcome(), r.table());
            assertEquals("cpu", s.backend().name());
        }
        // From other seeds too: some validation case fails every time.
        List<ConformanceCase> cases = ConformanceSuite.forRequirements(req);
        try (AttentionBackend broken = bug.inject().apply(new CpuBackendProvider().open(BackendOptions.defaults()))) {
            for (long seed = 1; seed <= 20; seed++) {
                long s = seed;
                boolean caught = cases.stream().anyMatch(c -> ConformanceSuite.runOne(broken, c, s * 1000).status()
                        != CaseResult.Status.PASSED);
                assertTrue(caught, bug.name() + " passed every validation case with seed " + s * 1000);
            }
        }
    }

    private static PlanRequest withOptions(PlanRequest r, AttentionOptions o) {
        return new PlanRequest(r.kind(), AttentionShape.of(r.cacheSpec(), r.numQoHeads(), r.queryDtype(), o), r.batch());
    }

    /** Output rows of sequences longer than 200 tokens, 5 % too large. */
    private static void skewLong(Plan plan, Tensor out) {
        BatchLayout b = plan.request().batch();
        for (int i = 0; i < b.numSequences(); i++) {
            if (b.kvLen(i) > 200) {
                skew(out, (int) b.qStart(i), (int) b.qStart(i) + b.qLen(i));
            }
        }
    }

    /** Rows [from, to) of an output 5 % too large. */
    private static void skew(Tensor out, int from, int to) {
        short[] bits = out.toShortArray();
        int rowElems = bits.length / out.shape()[0];
        for (int i = from * rowElems; i < to * rowElems; i++) {
            bits[i] = Bf16.fromFloat(Bf16.toFloat(bits[i]) * 1.05f);
        }
        out.copyFrom(bits);
    }
}
