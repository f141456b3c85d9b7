package dev.attn4j.cuda;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.support.KernelNames;
import dev.attn4j.api.support.WorkSplit;
import dev.attn4j.cudadriver.KernelImage;

import java.util.Optional;

/**
 * The kernels nvcc built into {@code dev/attn4j/cuda/attn4j.fatbin} (see {@code build-kernels.sh}):
 * where the fatbin is, their extern "C" names as {@code src/main/cuda/attn4j.cu} declares them, and
 * which one a plan launches.
 */
final class CudaKernels {
    static final String RESOURCE = "/dev/attn4j/cuda/attn4j.fatbin";

    /**
     * For kernel development: a fatbin file to load instead of the one in the jar (built by
     * {@code build-kernels.sh} or by nvcc by hand, e.g. a variant to compare on the GPU host
     * without rebuilding the jars). Unset in normal use.
     */
    static final String FATBIN_PROPERTY = "attn4j.cuda.fatbin";

    private CudaKernels() {
    }

    /** The fatbin's bytes, or empty if the module was built without nvcc. */
    static Optional<byte[]> fatbin() {
        return KernelImage.load(name -> CudaKernels.class.getResourceAsStream(name), RESOURCE, FATBIN_PROPERTY);
    }

    /** Channels per lane for a head dim: 2, 4 or 8 (head dims up to 64, 128, 256). */
    static int channelsPerLane(int headDim) {
        return headDim <= 64 ? 2 : headDim <= 128 ? 4 : 8;
    }

    static String attention(KvDType kv, DType q, int headDim) {
        return "attn4j_attention_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_c" + channelsPerLane(headDim);
    }

    /**
     * Whether the tensor-core kernels (decode.cuh, flash.cuh) serve a configuration: head dims 64, 128 and 256
     * (their lanes hold D/4 and D/8 contiguous dims); 8-bit caches with TENSOR, HEAD or TOKEN scales
     * (scales they apply to scores and probabilities in fp32, keeping codes exact in the MMA);
     * 16-bit caches of the queries' own type; blocks under 4 GiB ({@link #blocksAddressable}). CHANNEL and
     * TOKEN_GROUP scales run on the decode kernel only ({@link #decodeOnlyScales}). The rest goes through
     * the generic kernel.
     */
    static boolean hasTensorCoreKernel(dev.attn4j.api.KvCacheSpec spec, DType query) {
        int d = spec.headDim();
        if ((d != 64 && d != 128 && d != 256) || !blocksAddressable(spec)) {
            return false;
        }
        KvDType kv = spec.kvDtype();
        if (kv == KvDType.BF16 || kv == KvDType.FP16) {
            return kv.name().equals(query.name());
        }
        dev.attn4j.api.ScaleGranularity.Kind g = spec.granularity().kind();
        return g == dev.attn4j.api.ScaleGranularity.Kind.TENSOR || g == dev.attn4j.api.ScaleGranularity.Kind.HEAD
                || g == dev.attn4j.api.ScaleGranularity.Kind.TOKEN;
    }

    static String flash(KvDType kv, DType q, int headDim) {
        return "attn4j_flash_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_d" + headDim;
    }

    /**
     * Query rows x G per work item: 128 for the flash kernel at head dims up to 128 (4 warps of two
     * 16-row MMA tiles, {@code Flash::ROWS}), 64 otherwise (one tile per warp; the generic kernel).
     */
    static int itemRowCapacity(dev.attn4j.api.KvCacheSpec spec, DType query) {
        return hasTensorCoreKernel(spec, query) && spec.headDim() <= 128 ? 128 : 64;
    }

    /** The most packed rows (query tokens x G) of a work item the decode kernel (decode.cuh) takes. */
    static final int DECODE_MAX_ROWS = 8;

    static String decode(KvDType kv, DType q, int headDim) {
        return "attn4j_decode_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_d" + headDim;
    }

    /**
     * The decode kernel whose ring has room for TOKEN_GROUP scales (decode.cuh's GROUP_SCALES): the
     * plain kernels leave it out, which gives them a third ring stage at head dims up to 128 and
     * keeps d256 at 3 blocks per SM instead of 2.
     */
    static String decodeTokenGroups(KvDType kv, DType q, int headDim) {
        return "attn4j_decode_tg_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_d" + headDim;
    }

    /**
     * The kernel a plan uses: where the tensor-core kernels apply, the decode kernel when every work
     * item has at most {@link #DECODE_MAX_ROWS} rows (decode steps for group sizes up to 8, short
     * speculative steps), the flash kernel otherwise; else the generic kernel.
     *
     * @param itemRows the packed rows (query tokens x G) of the plan's largest work item
     */
    static String attentionFor(dev.attn4j.api.KvCacheSpec spec, DType query, int itemRows) {
        if (decodeOnlyScales(spec) && itemRows <= DECODE_MAX_ROWS) {
            return spec.granularity().kind() == dev.attn4j.api.ScaleGranularity.Kind.TOKEN_GROUP
                    ? decodeTokenGroups(spec.kvDtype(), query, spec.headDim())
                    : decode(spec.kvDtype(), query, spec.headDim());
        }
        if (hasTensorCoreKernel(spec, query)) {
            return itemRows <= DECODE_MAX_ROWS
                    ? decode(spec.kvDtype(), query, spec.headDim())
                    : flash(spec.kvDtype(), query, spec.headDim());
        }
        return genericFor(spec, query);
    }

    /**
     * Whether an 8-bit cache's scales vary along the head dim in a way the decode kernel (but not
     * the flash kernel) takes, at head dims 64, 128 and 256: CHANNEL scales (K's fold into the
     * queries, as two fp16 operands, the product and its remainder, so scores stay exact; V's into
     * the output), and TOKEN_GROUP scales of groups of a multiple of 16 dims and at least D / 8
     * (the K dot product summed group by group, each k-step of 16 dims inside one group; a lane's
     * D / 8 V dims inside one group, their codes multiplied by the group's scale).
     */
    static boolean decodeOnlyScales(dev.attn4j.api.KvCacheSpec spec) {
        int d = spec.headDim();
        if ((d != 64 && d != 128 && d != 256) || !spec.kvDtype().isQuantized() || !blocksAddressable(spec)) {
            return false;
        }
        dev.attn4j.api.ScaleGranularity g = spec.granularity();
        return g.kind() == dev.attn4j.api.ScaleGranularity.Kind.CHANNEL
                || g.kind() == dev.attn4j.api.ScaleGranularity.Kind.TOKEN_GROUP && g.groupSize() % 16 == 0
                        && g.groupSize() >= d / 8;
    }

    /**
     * Whether one cache block (every KV head's K or V rows of its slots) spans less than 4 GiB: the
     * tensor-core kernels' ring copy (ring.cuh's BlockBytes) addresses a row as a block id times the
     * block's 32-bit size plus a 32-bit offset inside the block. Larger blocks run the generic kernel.
     */
    static boolean blocksAddressable(dev.attn4j.api.KvCacheSpec spec) {
        return (long) spec.blockSize() * spec.numKvHeads() * spec.headDim() * spec.kvDtype().storage().byteSize()
                < (1L << 32);
    }

    static String genericFor(dev.attn4j.api.KvCacheSpec spec, DType query) {
        return attention(spec.kvDtype(), query, spec.headDim());
    }

    /**
     * Split units of at most this many items are merged in place by a decode kernel; beyond it the
     * merge kernel is faster. One block merging a unit walks its partials one after another: 2 per
     * unit (qwen2-7b 64 x 4096) took 94.5 -> 82.5 us in place, 8 (llama3-8b 8 x 32768) 149 -> 147 us,
     * but 16 (qwen2-7b 8 x 32768) 85 -> 89 us and 66-132 (one sequence of 131072 tokens) 89 -> 99
     * and 53 -> 111 us, where the merge kernel spreads every row over a block (H200, docs/PERF.md).
     * Merging those in two steps in place (groups of about sqrt(n) items, then the groups) was no
     * faster than the merge kernel either (docs/PERF.md, sixth session). {@code
     * -Dattn4j.cuda.inPlaceMaxSplits=N} moves the bound (a diagnostic switch: 33 splits in place, in a
     * plan sized for 2 blocks a SM, were 5-16 % slower than the merge kernel, docs/PERF.md 2026-12-04).
     */
    static final int IN_PLACE_MAX_SPLITS = 8;

    /**
     * The blocks per multiprocessor a plan sizes its split for: the kernel's residency, or fewer
     * where {@code -Dattn4j.cuda.planBlocksPerSm=N} says so (a diagnostic switch: fewer, longer items
     * and fewer partials to merge, for measuring one against the other in one run).
     */
    static int planBlocksPerSm(int resident) {
        return PLAN_BLOCKS_PER_SM > 0 ? Math.min(resident, PLAN_BLOCKS_PER_SM) : resident;
    }

    private static final int PLAN_BLOCKS_PER_SM = Integer.getInteger("attn4j.cuda.planBlocksPerSm", 0);

    /**
     * Whether {@code kernel} merges the split units of {@code split} itself ({@code split_merge.cuh}'s
     * merge_in_place, in the decode kernels), so no merge launch follows it: decode kernels whose
     * units split at most {@link #IN_PLACE_MAX_SPLITS} ways, counted in passes over the partials
     * ({@link #inPlacePasses}). {@code -Dattn4j.cuda.mergeInPlace=false} turns it off (the merge
     * kernel after every split launch): a diagnostic switch, for measuring one against the other in
     * one run.
     *
     * @param itemRows the packed rows of an item (query rows x G)
     * @param headDim  the head dimension
     */
    static boolean mergesInPlace(String kernel, WorkSplit split, int itemRows, int headDim) {
        return MERGE_IN_PLACE && kernel.startsWith("attn4j_decode_") && split.mergeCount.length > 0
                && (long) split.mostSplits() * inPlacePasses(itemRows, headDim) <= IN_PLACE_SPLITS;
    }

    /**
     * How many times merge_in_place's threads walk a unit's partials: once per THREADS of its
     * (row, 4-channel run) pairs. Counted for the 4-warp decode kernels (head dims up to 128, 128
     * threads): 7 or 8 rows at d128 take two passes, and there units split 8 ways merged 1-3 %
     * faster in the merge kernel (llama3-70b 8 x 32768, qwen2-7b 16 x 16384), 2-4 ways faster in
     * place (H200, docs/PERF.md 2026-12-04). The 2-warp d256 16-bit kernels were not measured so
     * and keep one pass.
     */
    static int inPlacePasses(int itemRows, int headDim) {
        if (headDim > 128) {
            return 1;
        }
        int runs = itemRows * (headDim / 4);
        return Math.max(1, (runs + 127) / 128);
    }

    private static final int IN_PLACE_SPLITS = Integer.getInteger("attn4j.cuda.inPlaceMaxSplits", IN_PLACE_MAX_SPLITS);

    private static final boolean MERGE_IN_PLACE =
            Boolean.parseBoolean(System.getProperty("attn4j.cuda.mergeInPlace", "true"));

    /**
     * Whether {@code kernel}'s items of a split unit claim the unit's last stages as they free up
     * ({@code claimed_stages.cuh}) instead of each streaming a fixed range: the decode kernels, on
     * plans whose units split at least {@link #CLAIM_MIN_SPLITS} ways (the kernel then claims in the
     * units long enough for it). Equal ranges end unequally: at one long sequence the last SM
     * finished 4 us after the mean one, and claiming took those decodes 1-5 % faster (H200, 49-132
     * items a unit); units split 2-16 ways gained nothing, and fp8 and TOKEN_GROUP ran 1-4 % slower
     * there (docs/PERF.md). {@code -Dattn4j.cuda.claimStages=false} turns it off: a diagnostic
     * switch, for measuring one against the other in one run.
     */
    static boolean claimsStages(String kernel, WorkSplit split) {
        return CLAIM_STAGES && kernel.startsWith("attn4j_decode_") && split.mergeCount.length > 0
                && split.mostSplits() >= CLAIM_MIN_SPLITS;
    }

    /** The fewest items a unit of a plan must split into before its decode items claim stages. */
    static final int CLAIM_MIN_SPLITS = 32;

    private static final boolean CLAIM_STAGES =
            Boolean.parseBoolean(System.getProperty("attn4j.cuda.claimStages", "true"));

    static String merge(DType q) {
        return "attn4j_merge_" + KernelNames.half(q);
    }
}
