package dev.attn4j.cli;

import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one {@code bench} run measures: the model's attention shape, the cache format, the decode
 * batch ({@code batch} sequences of {@code context} cached tokens), the prefill length, and how
 * many warm-up and timed runs. The defaults finish in a few seconds on the cpu backend on 2 cores;
 * GPUs are meant to be run with larger explicit sizes.
 */
record BenchConfig(BenchShape model, KvDType kv, ScaleGranularity granularity, int blockSize, int batch, int context,
                   int prefillLen, int warmup, int iters) {

    static final int DEFAULT_BATCH = 4;
    static final int DEFAULT_CONTEXT = 1024;
    static final int DEFAULT_PREFILL = 512;
    static final int DEFAULT_BLOCK = 16;
    static final int DEFAULT_WARMUP = 1;
    static final int DEFAULT_ITERS = 3;

    /** Data is drawn in [-1, 1); caller-set scales are calibrated to that range. */
    static final double DATA_BOUND = 1.0;
    /**
     * FP8's floating exponent keeps relative precision over its range, so its caller-set scale only
     * has to keep codes well inside the maximum: 0.05 maps |x| <= 1 to |code| <= 20 (448 and 57344
     * being the limits), the order of the k/v scales vLLM calibrates.
     */
    static final float FP8_SCALE = 0.05f;

    BenchConfig {
        positive("--batch", batch);
        positive("--context", context);
        positive("--prefill-len", prefillLen);
        positive("--block-size", blockSize);
        positive("--iters", iters);
        if (warmup < 0) {
            throw new InvalidRequestException("--warmup", warmup, "must be >= 0");
        }
    }

    private static void positive(String option, int value) {
        if (value < 1) {
            throw new InvalidRequestException(option, value, "must be >= 1");
        }
    }

    static BenchConfig defaults() {
        return new BenchConfig(BenchShape.of(ModelShape.LLAMA3_8B), KvDType.INT8, defaultGranularity(KvDType.INT8), DEFAULT_BLOCK,
                DEFAULT_BATCH, DEFAULT_CONTEXT, DEFAULT_PREFILL, DEFAULT_WARMUP, DEFAULT_ITERS);
    }

    /** TOKEN for int8 (the usual dynamic int8 cache), TENSOR for fp8 (FA3 / vLLM k_scale, v_scale), NONE for 16-bit. */
    static ScaleGranularity defaultGranularity(KvDType kv) {
        switch (kv) {
            case INT8: return ScaleGranularity.TOKEN;
            case FP8_E4M3:
            case FP8_E5M2: return ScaleGranularity.TENSOR;
            default: return ScaleGranularity.NONE;
        }
    }

    /** Exactly what the run uses, so selection validates this configuration before it is timed. */
    Requirements requirements() {
        Set<Feature> f = EnumSet.of(Feature.PREFILL, Feature.DECODE, Feature.CAUSAL);
        if (model.softCap > 0) {
            f.add(Feature.SOFT_CAP);
        }
        if (model.window > 0) {
            f.add(Feature.SLIDING_WINDOW);
        }
        return new Requirements(model.headDim, model.numQoHeads, model.numKvHeads, kv, granularity, model.layout,
                blockSize, DType.BF16, f);
    }

    /** A cache of {@code numBlocks} blocks in this run's format. */
    KvCacheSpec spec(int numBlocks) {
        return KvCacheSpec.builder().numBlocks(numBlocks).blockSize(blockSize).numKvHeads(model.numKvHeads)
                .headDim(model.headDim).kvDtype(kv).granularity(granularity).layout(model.layout).build();
    }

    /** Caller-set scales (TENSOR, HEAD, CHANNEL) calibrated to the data range; none otherwise. */
    KvScales scales(KvCacheSpec spec) {
        int n = spec.callerScaleCount();
        if (n == 0) {
            return KvScales.none();
        }
        float s = kv == KvDType.INT8 ? (float) (DATA_BOUND / kv.maxCode()) : FP8_SCALE;
        float[] k = new float[n];
        Arrays.fill(k, s);
        return KvScales.of(k, k);
    }

    /** The dtype appended K/V are given in: the cache's own for 16-bit caches (no silent rounding), else BF16. */
    DType appendDtype() {
        return kv.isQuantized() ? DType.BF16 : kv.storage();
    }

    /**
     * KV bytes one decode step reads, counting each cached K and V element once plus the dynamic
     * scales (4 bytes each; TOKEN: one per token and head, TOKEN_GROUP: headDim/g) of K and of V.
     * Caller-set scales are a few bytes per cache and not counted; queries and outputs neither.
     */
    long decodeBytes() {
        long tokens = (long) batch * context;
        long elements = tokens * model.numKvHeads * model.headDim * 2;
        long scales = tokens * model.numKvHeads * granularity.dynamicScalesPerHead(model.headDim) * 2L;
        return elements * kv.storage().byteSize() + scales * 4;
    }

    /** Decode's multiply-adds as FLOP: Q.K and P.V over every cached token, 4 * B * C * Hq * D. */
    long decodeFlops() {
        return 4L * batch * context * model.numQoHeads * model.headDim;
    }

    /** Causal prefill work actually done: QK^T and PV over the unmasked half, 4 * S*S/2 * Hq * D (an integer). */
    long prefillFlops() {
        long s = prefillLen;
        return 2 * s * s * model.numQoHeads * model.headDim;
    }
}
