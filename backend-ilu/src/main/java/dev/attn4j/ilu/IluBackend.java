package dev.attn4j.ilu;

import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.support.KernelCodes;
import dev.attn4j.api.support.ParamLayout;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import dev.attn4j.cudadriver.AttentionParams.KvSource;
import dev.attn4j.cudadriver.AttentionParams;
import dev.attn4j.cudadriver.DriverBackend;
import dev.attn4j.cudadriver.DriverKvCache;
import dev.attn4j.cudadriver.DriverTensor;
import dev.attn4j.cudadriver.ParamBlock;
import dev.attn4j.cudadriver.WaveSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ilu backend on one device (an Iluvatar CoreX GPU, or an NVIDIA GPU in compat mode): the
 * shared driver layer ({@link DriverBackend}: context, stream, memory, caches, append) plus its
 * own plans and launches. A plan picks its path once ({@link PathChoice}); a staged prefill runs
 * the staging pass (stage.cuh) into the backend's {@link Staging} and then the flash kernel over it.
 */
public final class IluBackend extends DriverBackend<IluPlan> {
    private static final Logger LOG = LoggerFactory.getLogger(IluBackend.class);
    private final Staging staging;

    IluBackend(int deviceIndex, String deviceName, byte[] image, String imageName) {
        super(IluBackendProvider.NAME, IluBackendProvider.CAPABILITIES, deviceIndex, deviceName, image, imageName,
                n -> n.startsWith("attn4j_flash_"));   // the kernels attn4j_ilu.cu gives an _smem size
        this.staging = new Staging(bytes -> Staging.allocateBytes(this, bytes), this::drainStream);
    }

    /**
     * Device bytes the staging cache holds now (K plus V): 0 until a staged plan first runs, then
     * the largest staging any staged plan has needed so far.
     */
    public long stagingBytes() {
        return guarded(staging::allocatedBytes);
    }

    @Override
    protected IluPlan planValidated(PlanRequest request, ValidatedBatch batch) {
        KvCacheSpec spec = request.cacheSpec();
        int group = request.numQoHeads() / spec.numKvHeads();
        PathChoice choice = PathChoice.forShape(spec, request.queryDtype(), batch.maxQLen(), group);
        WorkSplit split = split(request, batch, choice);
        StagingLayout layout = null;
        if (choice.path().stages()) {
            layout = StagingLayout.of(batch, split, spec);
            long budget = PathChoice.maxStagingBytes();
            if (layout.bytes() > budget) {
                choice = choice.overBudget(spec, request.queryDtype(), layout.bytes(), budget);
                layout = null;
            }
        }
        IluPlan plan = new IluPlan(this, request, batch, split, choice, layout);
        LOG.debug("{}", plan.describe());
        return plan;
    }

    private WorkSplit split(PlanRequest request, ValidatedBatch batch, PathChoice choice) {
        int slots = multiprocessors() * guarded(() -> kernels().residentBlocks(choice.kernel(), IluKernels.THREADS));
        return WaveSplit.forWaves(request, batch, slots, choice.rows());
    }

    /** Launched under the backend's lock, after validation (see {@link DriverBackend#guarded}). */
    @Override
    protected void attentionValidated(IluPlan p, DriverTensor query, DriverKvCache c, DriverTensor o, DriverTensor l) {
        KvSource kv = p.choice.path().stages() ? stage(p, c) : KvSource.of(c, p);
        launch(p.choice.kernel(), p.split.items(), IluKernels.THREADS, AttentionParams.attention(p, query, o, l, kv, false, false));
        launchMerge(IluKernels.merge(p.request().queryDtype()), p, o, l);
    }

    /**
     * Converts the plan's referenced blocks of this layer's 8-bit cache into the fp16 staging
     * (stage.cuh) and returns the staging as the flash kernel's K/V: HND pages, the remapped block
     * table, and the scales the flash kernel applies (the cache's own TENSOR, HEAD or CHANNEL scales,
     * or the staged TOKEN scales).
     */
    /** {@code StageParams} of {@code stage.cuh}. */
    static final ParamLayout STAGE = ParamLayout.of("StageParams",
            "k_cache:ptr", "v_cache:ptr", "k_scale:ptr", "v_scale:ptr", "k_stage:ptr", "v_stage:ptr",
            "stage_blocks:ptr", "num_kv_heads:i32", "head_dim:i32", "block_size:i32", "layout:i32", "gran:i32",
            "group_size:i32", "slots:i32");

    private KvSource stage(IluPlan p, DriverKvCache c) {
        StagingLayout layout = p.staging;
        KvCacheSpec spec = c.spec();
        staging.ensure(layout.bytes() / 2);
        long k = staging.keys().ptr().address();
        long v = staging.values().ptr().address();
        byte[] params = new ParamBlock(STAGE)
                .ptr("k_cache", c.keys.ptr()).ptr("v_cache", c.values.ptr())
                .ptr("k_scale", c.keyScale.ptr()).ptr("v_scale", c.valueScale.ptr())
                .ptr("k_stage", k).ptr("v_stage", v).ptr("stage_blocks", p.slotBlocks())
                .i32("num_kv_heads", spec.numKvHeads()).i32("head_dim", spec.headDim())
                .i32("block_size", spec.blockSize()).i32("layout", KernelCodes.layout(spec.layout()))
                .i32("gran", KernelCodes.granularity(spec.granularity().kind()))
                .i32("group_size", spec.granularity().groupSize()).i32("slots", layout.slots())
                .bytes();
        launch(IluKernels.stage(spec.kvDtype()), 2 * layout.slots(), IluKernels.THREADS, params);
        ScaleGranularity.Kind g = spec.granularity().kind();
        return switch (g) {
            case TOKEN -> new KvSource(k, v, k + layout.valueBytes, v + layout.valueBytes, p.remappedTable(),
                    KernelCodes.layout(KvLayout.HND), spec.blockSize(), KernelCodes.granularity(g), 0);
            default -> new KvSource(k, v, c.keyScale.ptr().address(), c.valueScale.ptr().address(), p.remappedTable(),
                    KernelCodes.layout(KvLayout.HND), spec.blockSize(), KernelCodes.granularity(g), 0);
        };
    }

    @Override
    protected void releaseResources() {
        staging.release();
    }
}
