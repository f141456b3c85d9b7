package dev.attn4j.cudadriver;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.KernelCodes;
import dev.attn4j.api.support.ParamLayout;
import dev.attn4j.api.support.PlanMetadata;

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
     * @param layout      {@link dev.attn4j.api.support.KernelCodes#layout} code
     * @param granularity {@link dev.attn4j.api.support.KernelCodes#granularity} code
     * @param groupSize   the TOKEN_GROUP group size
     */
    public record KvSource(long keys, long values, long keyScale, long valueScale, long blockIds, int layout,
                           int blockSize, int granularity, int groupSize) {

        /** The cache's own tensors, with the block ids the plan uploaded. */
        public static KvSource of(DriverKvCache c, DriverPlan p) {
            KvCacheSpec spec = c.spec();
            return new KvSource(c.keys.ptr().address(), c.values.ptr().address(), address(c.keyScale),
                    address(c.valueScale), p.at(p.offsets.blockIds()), KernelCodes.layout(spec.layout()), spec.blockSize(),
                    KernelCodes.granularity(spec.granularity().kind()), spec.granularity().groupSize());
        }
    }

    /** {@code AttnParams} of {@code kernel_params.cuh}. */
    public static final ParamLayout ATTN = ParamLayout.of("AttnParams",
            "q:ptr", "out:ptr", "lse:ptr", "k_cache:ptr", "v_cache:ptr", "k_scale:ptr", "v_scale:ptr",
            "q_indptr:ptr", "kv_lens:ptr", "block_indptr:ptr", "block_ids:ptr",
            "item_seq:ptr", "item_head:ptr", "item_row0:ptr", "item_rows:ptr", "item_lo:ptr", "item_hi:ptr",
            "item_partial:ptr", "item_merge:ptr", "merge_first:ptr", "merge_count:ptr", "tickets:ptr",
            "claims:ptr", "workspace:ptr", "partial_floats:i32", "num_qo_heads:i32", "num_kv_heads:i32", "head_dim:i32", "block_size:i32", "group:i32",
            "layout:i32", "gran:i32", "group_size:i32", "sm_scale:f32", "soft_cap:f32", "causal:i32", "window:i32");

    /** {@code MergeParams} of {@code kernel_params.cuh}. */
    public static final ParamLayout MERGE = ParamLayout.of("MergeParams",
            "out:ptr", "lse:ptr", "workspace:ptr", "merge_first:ptr", "merge_count:ptr", "item_head:ptr",
            "item_row0:ptr", "item_rows:ptr", "item_partial:ptr",
            "partial_floats:i32", "num_qo_heads:i32", "head_dim:i32", "group:i32", "slice:i32", "claims:ptr");

    /** {@code AppendParams} of {@code kernel_params.cuh}. */
    public static final ParamLayout APPEND = ParamLayout.of("AppendParams",
            "keys:ptr", "values:ptr", "slots:ptr", "k_cache:ptr", "v_cache:ptr", "k_scale:ptr", "v_scale:ptr",
            "num_kv_heads:i32", "head_dim:i32", "block_size:i32", "layout:i32", "gran:i32", "group_size:i32",
            "inline_slots:i32[" + DriverBackend.INLINE_SLOTS + "]");

    /** {@code ReadParams} of {@code kernel_params.cuh} (the bench's read ceiling). */
    public static final ParamLayout READ = ParamLayout.of("ReadParams", "src:ptr", "sink:ptr", "words:i32", "magic:i32");

    /**
     * {@code AttnParams} for running plan {@code p} over {@code kv}; {@code lse} may be null.
     *
     * @param mergeInPlace whether the kernel merges split units itself (the last item of a unit to
     *                     finish, {@code split_merge.cuh}'s merge_in_place): it then gets the plan's
     *                     tickets, and no merge launch may follow; else tickets are null
     * @param claimStages  whether the kernel's items of a split unit claim the unit's last stages as
     *                     they free up (cuda's decode kernel, {@code claimed_stages.cuh}): it then gets
     *                     the plan's claim counters, else null
     */
    public static byte[] attention(DriverPlan p, DriverTensor query, DriverTensor out, DriverTensor lse, KvSource kv,
                                   boolean mergeInPlace, boolean claimStages) {
        PlanRequest r = p.request();
        KvCacheSpec spec = r.cacheSpec();
        PlanMetadata m = p.offsets;
        return new ParamBlock(ATTN)
                .ptr("q", query.ptr()).ptr("out", out.ptr()).ptr("lse", address(lse))
                .ptr("k_cache", kv.keys()).ptr("v_cache", kv.values())
                .ptr("k_scale", kv.keyScale()).ptr("v_scale", kv.valueScale())
                .ptr("q_indptr", p.at(m.qIndptr())).ptr("kv_lens", p.at(m.kvLens()))
                .ptr("block_indptr", p.at(m.blockIndptr())).ptr("block_ids", kv.blockIds())
                .ptr("item_seq", p.at(m.itemSeq())).ptr("item_head", p.at(m.itemHead()))
                .ptr("item_row0", p.at(m.itemRow0())).ptr("item_rows", p.at(m.itemRows()))
                .ptr("item_lo", p.at(m.itemLo())).ptr("item_hi", p.at(m.itemHi())).ptr("item_partial", p.at(m.itemPartial()))
                .ptr("item_merge", p.at(m.itemMerge())).ptr("merge_first", p.at(m.mergeFirst()))
                .ptr("merge_count", p.at(m.mergeCount()))
                .ptr("tickets", mergeInPlace && p.split.mergeCount.length > 0 ? p.at(m.mergeTicket()) : 0)
                .ptr("claims", claimStages && p.split.mergeCount.length > 0 ? p.at(m.mergeClaim()) : 0)
                .ptr("workspace", address(p.workspace)).i32("partial_floats", p.split.partialFloats)
                .i32("num_qo_heads", r.numQoHeads()).i32("num_kv_heads", spec.numKvHeads())
                .i32("head_dim", spec.headDim()).i32("block_size", kv.blockSize()).i32("group", group(r))
                .i32("layout", kv.layout()).i32("gran", kv.granularity()).i32("group_size", kv.groupSize())
                .f32("sm_scale", (float) r.options().softmaxScale(spec.headDim()))
                .f32("soft_cap", (float) r.options().softCap().orElse(0))
                .i32("causal", r.options().causal() ? 1 : 0).i32("window", r.options().slidingWindow().orElse(0))
                .bytes();
    }

    /**
     * {@code MergeParams} combining plan {@code p}'s split partials into {@code out}, {@code slice}
     * channels of a row per block; {@code lse} may be null.
     */
    public static byte[] merge(DriverPlan p, DriverTensor out, DriverTensor lse, int slice) {
        PlanRequest r = p.request();
        PlanMetadata m = p.offsets;
        return new ParamBlock(MERGE)
                .ptr("out", out.ptr()).ptr("lse", address(lse)).ptr("workspace", address(p.workspace))
                .ptr("merge_first", p.at(m.mergeFirst())).ptr("merge_count", p.at(m.mergeCount()))
                .ptr("item_head", p.at(m.itemHead())).ptr("item_row0", p.at(m.itemRow0()))
                .ptr("item_rows", p.at(m.itemRows())).ptr("item_partial", p.at(m.itemPartial()))
                .i32("partial_floats", p.split.partialFloats).i32("num_qo_heads", r.numQoHeads())
                .i32("head_dim", r.cacheSpec().headDim()).i32("group", group(r)).i32("slice", slice)
                .ptr("claims", p.at(m.mergeClaim()))
                .bytes();
    }

    private static int group(PlanRequest r) {
        return r.numQoHeads() / r.cacheSpec().numKvHeads();
    }

    private static long address(DriverTensor t) {
        return t == null ? 0 : t.ptr().address();
    }
}
