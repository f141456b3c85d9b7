package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One plan serves every layer of a step: running it over three layers' caches gives each layer
 * the same answer as a plan made just for it, and the workspace is bounded by the batch, not by
 * the cache.
 */
class CpuPlanReuseTest {

    @Test
    void onePlanServesEveryLayer() {
        KvCacheSpec spec = new KvCacheSpec(64, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.HND);
        Random rnd = new Random(5);
        try (CpuBackend b = new CpuBackend(4, 32)) {
            BatchLayout batch = BatchLayout.decode(new int[] {100, 37}, new int[][] {{0, 1, 2, 3, 4, 5, 6}, {9, 10, 11}});
            PlanRequest req = PlanRequest.decode(AttentionShape.of(spec, 8, DType.BF16, AttentionOptions.CAUSAL), batch);
            short[][] outs = new short[3][];
            try (Plan plan = b.plan(req)) {
                assertTrue(plan.workspaceBytes() > 0, "the split-KV path is in use: " + plan.describe());
                assertTrue(plan.workspaceBytes() < 4L * 2 * 8 * 65 * 16, "workspace is bounded by the batch");
                for (int layer = 0; layer < 3; layer++) {
                    try (KvCache cache = filled(b, spec, rnd);
                         Tensor q = random(b, rnd, 2, 8, 64);
                         Tensor out = b.allocate(DType.BF16, 2, 8, 64);
                         Tensor fresh = b.allocate(DType.BF16, 2, 8, 64);
                         Plan own = b.plan(req)) {
                        b.run(plan, q, cache, out);
                        b.run(own, q, cache, fresh);
                        outs[layer] = out.toShortArray();
                        assertArrayEquals(fresh.toShortArray(), outs[layer], "layer " + layer);
                    }
                }
            }
            assertFalse(java.util.Arrays.equals(outs[0], outs[1]), "layers saw their own caches");
        }
    }

    /**
     * A step's layers reuse the split's partials: runs of a plan whose workspace is 130 KiB allocate
     * far less than that on the calling thread (the workspace is the calling thread's, grown once).
     */
    @Test
    void runsDoNotAllocateTheirWorkspace() {
        KvCacheSpec spec = new KvCacheSpec(256, 16, 8, 128, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "the JVM counts allocated bytes per thread");
        Random rnd = new Random(7);
        try (CpuBackend b = new CpuBackend(2, 256)) {
            int[][] tables = new int[4][64];
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 64; k++) {
                    tables[i][k] = 64 * i + k;
                }
            }
            BatchLayout batch = BatchLayout.decode(new int[] {1024, 1024, 1024, 1024}, tables);
            PlanRequest req = PlanRequest.decode(AttentionShape.of(spec, 32, DType.BF16, AttentionOptions.CAUSAL), batch);
            try (KvCache cache = filled(b, spec, rnd, 8, 128); Tensor q = random(b, rnd, 4, 32, 128);
                 Tensor out = b.allocate(DType.BF16, 4, 32, 128); Plan plan = b.plan(req)) {
                long workspace = plan.workspaceBytes();
                assertTrue(workspace >= 64 * 1024, "a plan with a large workspace: " + plan.describe());
                for (int i = 0; i < 50; i++) {
                    b.run(plan, q, cache, out);   // warm: the JIT, the threads' scratch, the workspace
                }
                // The calling thread computes too, and vector code not yet compiled by C2 boxes its
                // vectors: the least of several batches is the allocation that is not the JIT's.
                long perRun = Long.MAX_VALUE;
                for (int batchOfRuns = 0; batchOfRuns < 10; batchOfRuns++) {
                    long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                    for (int i = 0; i < 10; i++) {
                        b.run(plan, q, cache, out);
                    }
                    perRun = Math.min(perRun, (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / 10);
                }
                assertTrue(perRun < workspace / 4, perRun + " bytes allocated per run, workspace " + workspace);
            }
        }
    }

    private static KvCache filled(AttentionBackend b, KvCacheSpec spec, Random rnd) {
        return filled(b, spec, rnd, 2, 64);
    }

    private static KvCache filled(AttentionBackend b, KvCacheSpec spec, Random rnd, int heads, int dim) {
        KvCache cache = b.createKvCache(spec);
        int n = spec.numSlots();
        try (Tensor k = random(b, rnd, n, heads, dim); Tensor v = random(b, rnd, n, heads, dim)) {
            int[] slots = new int[n];
            for (int i = 0; i < n; i++) {
                slots[i] = i;
            }
            b.append(cache, k, v, slots);
        }
        return cache;
    }

    private static Tensor random(AttentionBackend b, Random rnd, int... shape) {
        Tensor t = b.allocate(DType.BF16, shape);
        short[] bits = new short[(int) t.numElements()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Bf16.fromFloat((float) rnd.nextGaussian());
        }
        t.copyFrom(bits);
        return t;
    }
}
