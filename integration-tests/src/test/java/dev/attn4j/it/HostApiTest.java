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
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.TensorScope;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.cpu.CpuBackend;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a host meets beyond the per-step loop: unwrap through the selection, probe options, step scopes. */
class HostApiTest {
    private static final KvCacheSpec SPEC = new KvCacheSpec(16, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN,
            KvLayout.NHD);
    private static final AttentionShape SHAPE = AttentionShape.of(SPEC, 4, DType.BF16, AttentionOptions.CAUSAL);

    @BeforeEach
    void freshProbes() {
        ProbeCache.clear();
    }

    @Test
    void theSelectedBackendUnwrapsToItsOwnClassThroughTheSelectionsWrapper() {
        try (Selection s = BackendSelector.builder().order("cpu").build().select(Requirements.of(SHAPE, Feature.DECODE))) {
            AttentionBackend wrapped = s.backend();
            assertTrue(!(wrapped instanceof CpuBackend), "the selection wraps the backend (its fault latch)");
            assertTrue(wrapped.unwrap(CpuBackend.class).isPresent());
            assertTrue(wrapped.unwrap(AttentionBackend.class).isPresent());
            assertTrue(wrapped.unwrap(String.class).isEmpty());
        }
    }

    /** Available only when its options say so: what the probe accepts is what open opens. */
    static final class OptionGated extends TestProviders.Base {
        static final String KEY = "attn4j.gated.enabled";
        static final AtomicInteger PROBES = new AtomicInteger();

        OptionGated() {
            super("gated");
        }

        @Override
        public Availability probe(BackendOptions options) {
            PROBES.incrementAndGet();
            return options.flag(KEY) ? Availability.available(List.of(new DeviceInfo(0, "gate", "test", 0, Map.of())))
                    : Availability.unavailable(KEY + " is not set in the options");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            return new CpuBackendProvider().open(options);
        }
    }

    @Test
    void selectionProbesWithTheOptionsItOpensWith() {
        Requirements req = Requirements.of(SHAPE, Feature.DECODE);
        BackendOptions on = BackendOptions.builder().property(OptionGated.KEY, "true").build();
        try (Selection s = BackendSelector.builder().register(new OptionGated()).order("gated", "cpu").build().select(req)) {
            assertEquals("cpu", s.backend().name(), s.report().table());
            assertTrue(s.report().table().contains(OptionGated.KEY + " is not set"), s.report().table());
        }
        int before = OptionGated.PROBES.get();
        try (Selection s = BackendSelector.builder().register(new OptionGated()).order("gated", "cpu").options(on).build()
                .select(req)) {
            assertTrue(s.report().candidate("gated").orElseThrow().outcome().toString().equals("CHOSEN"),
                    s.report().table());
        }
        assertTrue(OptionGated.PROBES.get() > before, "other options probe again");
    }

    @Test
    void aScopeClosesWhatWasMadeThroughItLastFirst() {
        try (AttentionBackend cpu = new CpuBackendProvider().open(BackendOptions.defaults());
             KvCache cache = cpu.createKvCache(SPEC)) {
            Tensor kept;
            Plan plan;
            try (TensorScope step = cpu.newScope()) {
                plan = step.plan(PlanRequest.decode(SHAPE, BatchLayout.decode(new int[] {3}, new int[][] {{2}})));
                Tensor q = step.allocate(DType.BF16, 1, 4, 64);
                kept = step.allocate(DType.BF16, 1, 4, 64);
                q.copyFrom(new short[4 * 64]);
                cpu.run(plan, q, cache, kept);
                assertEquals(3, step.size());
            }
            assertTrue(plan.isClosed());
            assertThrows(RuntimeException.class, kept::toShortArray, "a tensor of a closed scope is closed");
            assertTrue(!cache.isClosed(), "a cache made outside the scope outlives it");
        }
    }

    @Test
    void aScopeClosesEverythingEvenWhenOneCloseThrowsAndThenRefusesMore() {
        try (AttentionBackend cpu = new CpuBackendProvider().open(BackendOptions.defaults())) {
            TensorScope step = cpu.newScope();
            Tensor t = step.allocate(DType.FP32, 4);
            AtomicInteger closed = new AtomicInteger();
            step.track(() -> {
                throw new IllegalStateException("broken close");
            });
            step.track(closed::incrementAndGet);
            IllegalStateException e = assertThrows(IllegalStateException.class, step::close);
            assertEquals("broken close", e.getMessage());
            assertEquals(1, closed.get());
            assertThrows(RuntimeException.class, t::toFloatArray);
            step.close();   // again: nothing
            assertThrows(IllegalStateException.class, () -> step.allocate(DType.FP32, 4));
        }
    }
}
