package dev.attn4j.ilu;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.spi.Availability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The staging cache's memory on a device (compat mode on NVIDIA): a staged plan reports the
 * staging of exactly its referenced blocks, nothing is allocated before it runs, the staging is
 * reused by the next layer and grown for a larger plan, and decode and fallback plans allocate
 * none (the review of the Iluvatar int8 prefill found full-size buffers allocated on its fallback).
 * The numbers themselves are checked by the conformance suite (IluConformanceTest).
 */
class IluStagingTest {
    private static final int QO_HEADS = 8;
    private static Availability availability;
    private IluBackend backend;
    private final Random rnd = new Random(7);

    @BeforeAll
    static void probe() {
        availability = new IluBackendProvider().probe(CompatMode.OPTIONS);
    }

    @BeforeEach
    void open() {
        Assumptions.assumeTrue(availability.isAvailable(), () -> "ilu unavailable: " + availability.unavailabilityCause());
        backend = (IluBackend) new IluBackendProvider().open(CompatMode.OPTIONS);
    }

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
        System.clearProperty(PathChoice.MAX_STAGING_PROPERTY);
    }

    private static KvCacheSpec spec(int headDim) {
        return KvCacheSpec.builder().numBlocks(512).blockSize(16).numKvHeads(2).headDim(headDim)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
    }

    /** K and V of one cache block in the staging: fp16 codes plus TOKEN scales. */
    private static long blockBytes(KvCacheSpec s) {
        return 2L * (2L * s.blockSize() * s.numKvHeads() * s.headDim() + 4L * s.blockSize() * s.numKvHeads());
    }

    /** A cache whose blocks 0..63 hold random K/V. */
    private KvCache filledCache(KvCacheSpec s) {
        KvCache c = backend.createKvCache(s);
        int n = 64 * s.blockSize();
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            slots[i] = i;
        }
        try (Tensor k = random(n, s.numKvHeads(), s.headDim()); Tensor v = random(n, s.numKvHeads(), s.headDim())) {
            backend.append(c, k, v, slots);
        }
        return c;
    }

    private Tensor random(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        short[] bits = new short[n];
        for (int i = 0; i < n; i++) {
            bits[i] = Bf16.fromFloat((float) rnd.nextGaussian());
        }
        Tensor t = backend.allocate(DType.BF16, shape);
        t.copyFrom(bits);
        return t;
    }

    /** Two sequences of qLen new tokens over kvLen, sharing their first two blocks (blocks 0, 1). */
    private IluPlan prefillPlan(KvCacheSpec s, int qLen, int kvLen) {
        int blocks = (kvLen + s.blockSize() - 1) / s.blockSize();
        int[][] rows = new int[2][blocks];
        for (int j = 0; j < blocks; j++) {
            rows[0][j] = j;
            rows[1][j] = j < 2 ? j : blocks + j;
        }
        return (IluPlan) backend.plan(PlanRequest.prefill(AttentionShape.of(s, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.of(new int[] {qLen, qLen},
                new int[] {kvLen, kvLen}, rows)));
    }

    /** Runs the plan into a NaN-poisoned output and checks every value was written, finite. */
    private void run(Plan plan, KvCache cache, int tokens, int headDim) {
        try (Tensor q = random(tokens, QO_HEADS, headDim); Tensor out = backend.allocate(DType.BF16, tokens, QO_HEADS, headDim)) {
            short[] poison = new short[tokens * QO_HEADS * headDim];
            java.util.Arrays.fill(poison, (short) 0x7fc0);
            out.copyFrom(poison);
            if (plan.request().kind() == dev.attn4j.api.OpKind.DECODE) {
                backend.run(plan, q, cache, out);
            } else {
                backend.run(plan, q, cache, out);
            }
            for (short b : out.toShortArray()) {
                assertTrue(Float.isFinite(Bf16.toFloat(b)), "output not fully written");
            }
        }
    }

    @Test
    void stagingIsSizedToTheReferencedBlocksAllocatedOnFirstRunReusedAndGrown() {
        KvCacheSpec s = spec(128);
        try (KvCache layer0 = filledCache(s); KvCache layer1 = filledCache(s); IluPlan plan = prefillPlan(s, 32, 64)) {
            assertEquals(PathChoice.Path.STAGED_FLASH, plan.choice.path(), plan.describe());
            long referenced = 6;   // 4 blocks each, 2 shared
            assertEquals(referenced * blockBytes(s), plan.workspaceBytes() - plan.split.workspaceBytes(), plan.describe());
            assertEquals(0, backend.stagingBytes(), "nothing is allocated at plan time");
            run(plan, layer0, 64, 128);
            assertEquals(referenced * blockBytes(s), backend.stagingBytes());
            run(plan, layer1, 64, 128);
            assertEquals(referenced * blockBytes(s), backend.stagingBytes(), "the next layer reuses the staging");
            try (IluPlan bigger = prefillPlan(s, 64, 256)) {
                run(bigger, layer0, 128, 128);
                assertEquals((16 + 14) * blockBytes(s), backend.stagingBytes(), "grown for a larger plan");
            }
            run(plan, layer1, 64, 128);
            assertEquals(30 * blockBytes(s), backend.stagingBytes(), "kept, not shrunk");
        }
    }

    @Test
    void fallbackPlansAllocateNoStaging() {
        KvCacheSpec d80 = spec(80);
        try (KvCache cache = filledCache(d80); IluPlan plan = prefillPlan(d80, 32, 64)) {
            assertEquals(PathChoice.Path.GENERIC, plan.choice.path(), plan.describe());
            assertEquals(plan.split.workspaceBytes(), plan.workspaceBytes());
            run(plan, cache, 64, 80);
            assertEquals(0, backend.stagingBytes());
        }
        System.setProperty(PathChoice.MAX_STAGING_PROPERTY, "1000");
        KvCacheSpec d128 = spec(128);
        try (KvCache cache = filledCache(d128); IluPlan plan = prefillPlan(d128, 32, 64)) {
            assertEquals(PathChoice.Path.GENERIC, plan.choice.path(), plan.describe());
            assertTrue(plan.describe().contains("exceed attn4j.ilu.maxStagingBytes=1000"), plan.describe());
            assertEquals(plan.split.workspaceBytes(), plan.workspaceBytes());
            run(plan, cache, 64, 128);
            assertEquals(0, backend.stagingBytes());
        }
    }

    @Test
    void decodeNeverStages() {
        KvCacheSpec s = spec(128);
        try (KvCache cache = filledCache(s);
             IluPlan plan = (IluPlan) backend.plan(PlanRequest.decode(AttentionShape.of(s, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {64, 40},
                     new int[][] {{0, 1, 2, 3}, {0, 1, 4}})))) {
            assertEquals(PathChoice.Path.DECODE, plan.choice.path(), plan.describe());
            assertEquals(plan.split.workspaceBytes(), plan.workspaceBytes());
            run(plan, cache, 2, 128);
            assertEquals(0, backend.stagingBytes());
        }
    }
}
