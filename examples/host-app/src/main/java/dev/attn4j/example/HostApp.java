package dev.attn4j.example;

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
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.Selection;

/**
 * One attention layer of a small GQA model (8 query heads over 2 KV heads, head dim 64, an int8
 * cache with per-token scales) through attn4j: choose a backend, prefill two prompts, decode one
 * token each. A real engine does the same for each of its layers, with K, V and Q from its own
 * projections instead of {@link #activation}.
 */
public final class HostApp {
    static final int QO_HEADS = 8, KV_HEADS = 2, HEAD_DIM = 64, BLOCK_SIZE = 16;
    /** Two sequences: prompts of 20 and 5 tokens, stored in the cache blocks their rows name. */
    static final int[] PROMPT = {20, 5};
    static final int[][] BLOCK_IDS = {{3, 7}, {0}};

    public static void main(String[] args) {
        KvCacheSpec spec = KvCacheSpec.builder()
                .numBlocks(64).blockSize(BLOCK_SIZE).numKvHeads(KV_HEADS).headDim(HEAD_DIM)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).layout(KvLayout.NHD)
                .build();
        // The layer's shape, said once: cache format, query heads and dtype, options.
        AttentionShape shape = AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL);
        Requirements req = Requirements.of(shape, Feature.PREFILL, Feature.DECODE);   // CAUSAL comes from the options

        // The selection owns the backend: closing it closes the backend, once.
        try (Selection selection = BackendSelector.builder().build().select(req)) {
            AttentionBackend backend = selection.backend();
            System.out.println("backend: " + backend.name());
            try (KvCache cache = backend.createKvCache(spec)) {   // TOKEN scales: computed by append
                // Prefill: append each prompt's K and V, then attend. kvLen counts every token in the
                // cache, the ones just appended included; qLen is the new tokens (the whole prompt).
                append(backend, cache, new int[] {0, 0}, PROMPT);
                float[] prefill = attend(backend, cache, PlanRequest.prefill(shape, BatchLayout.of(PROMPT, PROMPT, BLOCK_IDS)));
                System.out.println("prefill: " + prefill.length / (QO_HEADS * HEAD_DIM) + " rows");

                // Decode: one new token per sequence at position PROMPT[s]; kvLen grows by one.
                int[] kvLens = {PROMPT[0] + 1, PROMPT[1] + 1};
                append(backend, cache, PROMPT, new int[] {1, 1});
                float[] decode = attend(backend, cache, PlanRequest.decode(shape, BatchLayout.decode(kvLens, BLOCK_IDS)));
                System.out.println("decode: " + decode.length / (QO_HEADS * HEAD_DIM) + " rows, out[0] = " + decode[0]);
            }
        }
    }

    /**
     * Writes {@code count[s]} tokens of K and V for each sequence {@code s}, from position
     * {@code from[s]}. Position {@code p} of sequence {@code s} lives in slot
     * {@code BLOCK_IDS[s][p / BLOCK_SIZE] * BLOCK_SIZE + p % BLOCK_SIZE}.
     */
    static void append(AttentionBackend backend, KvCache cache, int[] from, int[] count) {
        int n = count[0] + count[1];
        int[] slots = new int[n];
        float[] k = new float[n * KV_HEADS * HEAD_DIM];
        float[] v = new float[k.length];
        int t = 0;
        for (int s = 0; s < 2; s++) {
            for (int p = from[s]; p < from[s] + count[s]; p++, t++) {
                slots[t] = BLOCK_IDS[s][p / BLOCK_SIZE] * BLOCK_SIZE + p % BLOCK_SIZE;
                for (int h = 0; h < KV_HEADS; h++) {
                    for (int c = 0; c < HEAD_DIM; c++) {
                        k[(t * KV_HEADS + h) * HEAD_DIM + c] = activation('k', s, p, h, c);
                        v[(t * KV_HEADS + h) * HEAD_DIM + c] = activation('v', s, p, h, c);
                    }
                }
            }
        }
        try (Tensor keys = bf16(backend, k, n, KV_HEADS, HEAD_DIM);
             Tensor values = bf16(backend, v, n, KV_HEADS, HEAD_DIM)) {
            backend.append(cache, keys, values, slots);
        }
    }

    /**
     * Runs one step's plan (a real engine runs it for every layer) on queries for the last
     * {@code qLen} positions of each sequence's {@code kvLen}; the output as floats. The step's
     * tensors and plan live in a scope that frees them together.
     */
    static float[] attend(AttentionBackend backend, KvCache cache, PlanRequest request) {
        BatchLayout batch = request.batch();
        int n = Math.toIntExact(batch.numTokens());
        float[] q = new float[n * QO_HEADS * HEAD_DIM];
        int t = 0;
        for (int s = 0; s < batch.numSequences(); s++) {
            for (int p = batch.kvLen(s) - batch.qLen(s); p < batch.kvLen(s); p++, t++) {
                for (int h = 0; h < QO_HEADS; h++) {
                    for (int c = 0; c < HEAD_DIM; c++) {
                        q[(t * QO_HEADS + h) * HEAD_DIM + c] = activation('q', s, p, h, c);
                    }
                }
            }
        }
        try (TensorScope step = backend.newScope()) {
            Plan plan = step.plan(request);   // once per step, whatever the number of layers
            Tensor query = step.track(bf16(backend, q, n, QO_HEADS, HEAD_DIM));
            Tensor out = step.allocate(DType.BF16, n, QO_HEADS, HEAD_DIM);
            backend.run(plan, query, cache, out);   // prefill or decode, as the plan was made
            short[] bits = out.toShortArray();
            float[] result = new float[bits.length];
            for (int i = 0; i < bits.length; i++) {
                result[i] = Bf16.toFloat(bits[i]);
            }
            return result;
        }
    }

    /** A BF16 tensor of {@code shape} holding {@code values}, rounded to bf16. */
    static Tensor bf16(AttentionBackend backend, float[] values, int... shape) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Bf16.fromFloat(values[i]);
        }
        Tensor t = backend.allocate(DType.BF16, shape);
        t.copyFrom(bits);
        return t;
    }

    /** Made-up activations (an engine has these from its projections); a formula, so tests can recompute them. */
    static float activation(char kind, int seq, int pos, int head, int channel) {
        return (float) Math.sin(0.37 * (channel + 1) * (head + 1) + 0.29 * pos + 1.3 * seq + kind);
    }
}
