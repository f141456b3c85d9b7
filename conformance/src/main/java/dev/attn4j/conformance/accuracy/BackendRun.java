package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.HalfFormat;

/**
 * A backend's own decode over the data in one format: K and V appended in their 16-bit input type
 * ({@link StoredValues#input}) into a fresh paged
 * cache (blocks of 16), every query row a sequence over the whole context (the rows share the
 * blocks, as prefix-sharing sequences do), output in bf16 and LSE in float32.
 */
final class BackendRun {
    static final int BLOCK = AccuracyReport.BLOCK_SIZE;

    /** Output {@code [numQueries][numQoHeads][headDim]} and LSE {@code [numQueries][numQoHeads]}. */
    record Result(double[] out, double[] lse) {
    }

    private BackendRun() {
    }

    static Result run(AttentionBackend backend, KvFormat f, KvScales scales, AccuracyData data) {
        int tokens = data.tokens();
        int h = data.numKvHeads();
        int d = data.headDim();
        int blocks = (tokens + BLOCK - 1) / BLOCK;
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(blocks).blockSize(BLOCK).numKvHeads(h).headDim(d)
                .kvDtype(f.dtype()).granularity(f.granularity()).layout(KvLayout.NHD).build();
        int n = data.numQueries();
        int[] row = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            row[b] = b;
        }
        int[] kvLens = new int[n];
        int[][] blockRows = new int[n][];
        for (int i = 0; i < n; i++) {
            kvLens[i] = tokens;
            blockRows[i] = row;
        }
        int[] slots = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            slots[t] = t;
        }
        int[] kvShape = {tokens, h, d};
        int[] qShape = {n, data.numQoHeads(), d};
        PlanRequest request = new PlanRequest(OpKind.DECODE,
                AttentionShape.of(spec, data.numQoHeads(), DType.BF16, AttentionOptions.NON_CAUSAL),
                BatchLayout.decode(kvLens, blockRows));
        try (KvCache cache = backend.createKvCache(spec, scales);
             Tensor k = backend.allocate(StoredValues.input(f), kvShape);
             Tensor v = backend.allocate(StoredValues.input(f), kvShape);
             Plan plan = backend.plan(request);
             Tensor q = backend.allocate(DType.BF16, qShape);
             Tensor out = backend.allocate(DType.BF16, qShape);
             Tensor lse = backend.allocate(DType.FP32, n, data.numQoHeads())) {
            k.copyFrom(halves(data.keys(), StoredValues.input(f)));
            v.copyFrom(halves(data.values(), StoredValues.input(f)));
            backend.append(cache, k, v, slots);
            q.copyFrom(halves(data.queries(), DType.BF16));
            backend.run(plan, q, cache, out, lse);
            short[] o = out.toShortArray();
            float[] l = lse.toFloatArray();
            double[] od = new double[o.length];
            for (int i = 0; i < o.length; i++) {
                od[i] = HalfFormat.toFloat(DType.BF16, o[i]);
            }
            double[] ld = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                ld[i] = l[i];
            }
            return new Result(od, ld);
        }
    }

    private static short[] halves(double[] x, DType dtype) {
        short[] s = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            s[i] = HalfFormat.fromFloat(dtype, (float) x[i]);
        }
        return s;
    }
}
