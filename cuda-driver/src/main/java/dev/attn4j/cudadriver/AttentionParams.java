package dev.attn4j.cudadriver;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.PlanRequest;

/**
 * The parameter blocks of the kernels' {@code AttnParams} and {@code MergeParams} structs, built in
 * one place for both backends whose kernels take them. The structs are defined once, beside this
 * class, in {@code cuda-driver/src/main/cuda/kernel_params.cuh}: their field order is the contract.
 */
public final class AttentionParams {
    private AttentionParams() {
    }

    /**
     * The paged K/V the attention kernel reads: a cache's own tensors ({@link #of}), or a copy laid
     * out differently, such as a dequantized staging cache with its own block table.
     *
     * @param keyScale    0 when the cache has no scales (16-bit)
     * @param valueScale  0 when the cache has no scales (16-bit)
     * @param blockIds    the device array of block ids the plan's block indptr indexes
     * @param layout      {@link dev.attn4j.api.KvLayout} ordinal
     * @param granularity {@link dev.attn4j.api.ScaleGranularity.Kind} ordinal
     * @param groupSize   the TOKEN_GROUP group size
     */
    public record KvSource(long keys, long values, long keyScale, long valueScale, long blockIds, int layout,
                           int blockSize, int granularity, int groupSize) {

        /** The cache's own tensors, with the block ids the plan uploaded. */
        public static KvSource of(DriverKvCache c, SplitPlan p) {
            KvCacheSpec spec = c.spec();
            return new KvSource(c.keys.ptr().address(), c.values.ptr().address(), address(c.keyScale),
                    address(c.valueScale), p.at(p.layout.blockIds), spec.layout().ordinal(), spec.blockSize(),
                    spec.granularity().kind().ordinal(), spec.granularity().groupSize());
        }
    }

    /** {@code AttnParams} for running plan {@code p} over {@code kv}; {@code lse} may be null. */
    public static byte[] attention(SplitPlan p, DriverTensor query, DriverTensor out, DriverTensor lse, KvSource kv) {
        PlanRequest r = p.request();
        KvCacheSpec spec = r.cacheSpec();
        return new ParamBlock()
                .ptr(query.ptr()).ptr(out.ptr()).ptr(address(lse))
                .ptr(kv.keys()).ptr(kv.values()).ptr(kv.keyScale()).ptr(kv.valueScale())
                .ptr(p.at(p.layout.qIndptr)).ptr(p.at(p.layout.kvLens)).ptr(p.at(p.layout.blockIndptr)).ptr(kv.blockIds())
                .ptr(p.at(p.layout.itemSeq)).ptr(p.at(p.layout.itemHead)).ptr(p.at(p.layout.itemRow0)).ptr(p.at(p.layout.itemRows))
                .ptr(p.at(p.layout.itemLo)).ptr(p.at(p.layout.itemHi)).ptr(p.at(p.layout.itemPartial))
                .ptr(address(p.workspace)).i32(p.split.partialFloats)
                .i32(r.numQoHeads()).i32(spec.numKvHeads()).i32(spec.headDim()).i32(kv.blockSize()).i32(group(r))
                .i32(kv.layout()).i32(kv.granularity()).i32(kv.groupSize())
                .f32((float) r.options().softmaxScale(spec.headDim()))
                .f32((float) r.options().softCap().orElse(0))
                .i32(r.options().causal() ? 1 : 0).i32(r.options().slidingWindow().orElse(0))
                .bytes();
    }

    /** {@code MergeParams} combining plan {@code p}'s split partials into {@code out}; {@code lse} may be null. */
    public static byte[] merge(SplitPlan p, DriverTensor out, DriverTensor lse) {
        PlanRequest r = p.request();
        return new ParamBlock()
                .ptr(out.ptr()).ptr(address(lse)).ptr(address(p.workspace))
                .ptr(p.at(p.layout.mergeFirst)).ptr(p.at(p.layout.mergeCount)).ptr(p.at(p.layout.itemHead)).ptr(p.at(p.layout.itemRow0))
                .ptr(p.at(p.layout.itemRows)).ptr(p.at(p.layout.itemPartial))
                .i32(p.split.partialFloats).i32(r.numQoHeads()).i32(r.cacheSpec().headDim()).i32(group(r))
                .bytes();
    }

    private static int group(PlanRequest r) {
        return r.numQoHeads() / r.cacheSpec().numKvHeads();
    }

    private static long address(DriverTensor t) {
        return t == null ? 0 : t.ptr().address();
    }
}
