package dev.attn4j.tck;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.TensorScope;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.support.DriverCalls;
import org.junit.jupiter.api.Assertions;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The decode step loop an engine runs, checked for host waits: {@value #LAYERS} layers, each with
 * its own int8 cache of {@value #SEQUENCES} sequences, and {@value #STEPS} steps of one plan, then
 * per layer the new token appended and attention run. After the first step no step may
 * synchronize or allocate ({@link DriverCalls}), although contexts grow across a block boundary
 * (the plans' sizes change) and every plan is closed. Then each layer's last output is compared
 * with the same attention redone with the device drained before and after: equal bits, so what
 * ran without waiting read the uploads it was meant to.
 */
final class StepLoopCheck {
    static final int LAYERS = 4;
    static final int SEQUENCES = 8;
    static final int STEPS = 6;
    private static final int QO_HEADS = 8;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 128;
    private static final int BLOCK = 16;
    /** Tokens cached before the first step: the third step crosses into a new block. */
    private static final int PROMPT = 110;

    private StepLoopCheck() {
    }

    /** Runs the loop; a summary line for the log. */
    static String run(AttentionBackend backend, DriverCalls calls, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int blocksPerSeq = (PROMPT + STEPS + BLOCK - 1) / BLOCK;
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(SEQUENCES * blocksPerSeq).blockSize(BLOCK)
                .numKvHeads(KV_HEADS).headDim(HEAD_DIM).kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN)
                .layout(KvLayout.NHD).build();
        AttentionShape shape = AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL);
        int[][] blocks = new int[SEQUENCES][blocksPerSeq];
        for (int s = 0; s < SEQUENCES; s++) {
            for (int b = 0; b < blocksPerSeq; b++) {
                blocks[s][b] = b * SEQUENCES + s;   // interleaved, as a block pool hands them out
            }
        }
        try (TensorScope scope = backend.newScope()) {
            KvCache[] caches = new KvCache[LAYERS];
            Tensor[] outs = new Tensor[LAYERS];
            for (int l = 0; l < LAYERS; l++) {
                caches[l] = scope.track(backend.createKvCache(spec));
                outs[l] = scope.allocate(DType.BF16, SEQUENCES, QO_HEADS, HEAD_DIM);
                int n = SEQUENCES * PROMPT;
                int[] slots = new int[n];
                for (int s = 0; s < SEQUENCES; s++) {
                    for (int p = 0; p < PROMPT; p++) {
                        slots[s * PROMPT + p] = slot(blocks, s, p);
                    }
                }
                try (Tensor k = random(backend, rnd, n, KV_HEADS); Tensor v = random(backend, rnd, n, KV_HEADS)) {
                    backend.append(caches[l], k, v, slots);
                }
            }
            Tensor q = scope.track(random(backend, rnd, SEQUENCES, QO_HEADS));
            Tensor k1 = scope.track(random(backend, rnd, SEQUENCES, KV_HEADS));
            Tensor v1 = scope.track(random(backend, rnd, SEQUENCES, KV_HEADS));
            backend.synchronize();

            DriverCalls.Counts afterFirst = null;
            PlanRequest last = null;
            for (int step = 0; step < STEPS; step++) {
                int[] kvLens = new int[SEQUENCES];
                int[] slots = new int[SEQUENCES];
                int[][] used = new int[SEQUENCES][];
                for (int s = 0; s < SEQUENCES; s++) {
                    kvLens[s] = PROMPT + step + 1;
                    slots[s] = slot(blocks, s, PROMPT + step);
                    used[s] = Arrays.copyOf(blocks[s], (kvLens[s] + BLOCK - 1) / BLOCK);   // the blocks in use
                }
                last = PlanRequest.decode(shape, BatchLayout.decode(kvLens, used));
                try (Plan plan = backend.plan(last)) {
                    for (int l = 0; l < LAYERS; l++) {
                        backend.append(caches[l], k1, v1, slots);
                        backend.run(plan, q, caches[l], outs[l]);
                    }
                }
                if (step == 0) {
                    afterFirst = calls.driverCalls();
                }
            }
            DriverCalls.Counts loop = calls.driverCalls().since(afterFirst);
            Assertions.assertEquals(new DriverCalls.Counts(0, 0), loop, "steps 2 to " + STEPS + " of " + LAYERS
                    + " layers (append + decode each) must not synchronize or allocate");

            try (Plan plan = backend.plan(last); Tensor again = backend.allocate(DType.BF16, SEQUENCES, QO_HEADS, HEAD_DIM)) {
                for (int l = 0; l < LAYERS; l++) {
                    backend.synchronize();
                    backend.run(plan, q, caches[l], again);
                    backend.synchronize();
                    int layer = l;
                    Assertions.assertArrayEquals(again.toShortArray(), outs[l].toShortArray(),
                            () -> "layer " + layer + ": the step loop's output differs from the same attention run alone");
                }
            }
            return STEPS + " steps x " + LAYERS + " layers; after the first step " + loop;
        }
    }

    private static int slot(int[][] blocks, int seq, int pos) {
        return blocks[seq][pos / BLOCK] * BLOCK + pos % BLOCK;
    }

    /** A BF16 [n][heads][HEAD_DIM] tensor of standard normal values. */
    private static Tensor random(AttentionBackend backend, SplittableRandom rnd, int n, int heads) {
        short[] bits = new short[n * heads * HEAD_DIM];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Bf16.fromFloat((float) gaussian(rnd));
        }
        Tensor t = backend.allocate(DType.BF16, n, heads, HEAD_DIM);
        t.copyFrom(bits);
        return t;
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
