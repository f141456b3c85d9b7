package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.support.KernelCodes;
import dev.attn4j.api.support.KernelNames;
import dev.attn4j.api.support.PlanMetadata;
import dev.attn4j.api.support.RequestValidator;
import dev.attn4j.api.support.SlotScratch;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.ValidatingBackend;
import dev.attn4j.api.support.WorkSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The xpu backend on one device, through either {@link DeviceRuntime}: the launchers below are the
 * same for Level Zero and OpenCL. Every call validates on the host first ({@link RequestValidator},
 * so xpu rejects bad input exactly as the other backends do), then enqueues in call order; calls
 * are serialized by a lock, which makes the backend safe to share between threads. A sticky device
 * fault marks it failed.
 */
final class XpuBackend extends ValidatingBackend<XpuTensor, XpuKvCache, XpuPlan> {
    private static final Logger LOG = LoggerFactory.getLogger(XpuBackend.class);
    /** Query rows x heads per work item (a few passes of the attention kernel's 4 x RB rows). */
    private static final int ROWS_TIMES_HEADS = 64;
    static final String MIN_SPLIT_PROPERTY = "attn4j.xpu.minSplitTokens";
    static final int DEFAULT_MIN_SPLIT_TOKENS = 256;

    private final DeviceRuntime runtime;
    private final int minSplitTokens;
    /** Bound to kernel pointer arguments that a call does not use (no LSE, no scales, no workspace). */
    private final DeviceBuffer dummy;
    private final SlotScratch<XpuTensor> slotScratch = new SlotScratch<>(n -> allocateDevice(DType.INT32, n),
            this::synchronizeDevice, (t, b) -> runtime().write(t.buffer(), b));

    XpuBackend(DeviceRuntime runtime, int minSplitTokens) {
        super(XpuBackendProvider.NAME, XpuBackendProvider.CAPABILITIES);
        this.runtime = runtime;
        this.minSplitTokens = minSplitTokens;
        this.dummy = runtime.allocate(64);
        runtime.zero(dummy);
        LOG.debug("xpu backend opened: {}", this);
    }

    /**
     * A device-facing step under this backend's lock (and {@link ValidatingBackend#guarded}'s checks):
     * validation, reading buffers and enqueueing happen under the lock {@link #free} takes.
     */
    @Override
    protected synchronized <T> T guarded(Supplier<T> body) {
        return super.guarded(body);
    }

    /** The runtime this backend launches through (tests check which path was taken). */
    DeviceRuntime runtime() {
        return runtime;
    }

    @Override
    protected XpuTensor allocateValidated(DType dtype, int[] shape, long bytes) {
        DeviceBuffer b = runtime.allocate(bytes);
        return new XpuTensor(this, dtype, shape, b, XpuTensor.release(this, b, dtype + Arrays.toString(shape), health()));
    }

    /** {@link #allocate}, typed. */
    XpuTensor allocateDevice(DType dtype, int... shape) {
        return (XpuTensor) allocate(dtype, shape);
    }

    @Override
    protected void checkWrappable(ExternalMemory memory) {
        throw new UnsupportedConfigurationException(name(), List.of("memory.kind=" + memory.kind()
                + " not supported: the xpu backend does not wrap foreign memory yet (a Level Zero USM pointer "
                + "belongs to its context, an OpenCL buffer is no pointer); allocate or upload instead"));
    }

    @Override
    protected XpuTensor wrapValidated(ExternalMemory memory, DType dtype, int[] shape, long bytes) {
        throw new IllegalStateException("checkWrappable accepts no memory");
    }

    XpuTensor allocateZeroed(DType dtype, int... shape) {
        XpuTensor t = allocateDevice(dtype, shape);
        guardedRun(() -> runtime.zero(t.buffer()));
        return t;
    }

    void upload(XpuTensor t, ByteBuffer src) {
        guardedRun(() -> {
            RequestValidator.checkTensor(this, t, "tensor");
            runtime.write(t.buffer(), src);
        });
    }

    void download(XpuTensor t, ByteBuffer dst) {
        guardedRun(() -> {
            RequestValidator.checkTensor(this, t, "tensor");
            runtime.read(t.buffer(), dst, t.byteSize());
        });
    }

    /**
     * Called by the tensors' release ({@link XpuTensor#release}). Under the backend's lock, as every
     * operation validates its arguments and reads their buffers: a tensor, cache or plan closed by
     * another thread is either rejected by that validation or freed after the operation was issued
     * (the runtime then keeps the memory until the queued work is done), never in between.
     */
    synchronized void free(DeviceBuffer b) {
        runtime.free(b);
    }

    @Override
    protected void copyValidated(XpuTensor src, XpuTensor dst) {
        runtime.copy(src.buffer(), dst.buffer(), src.byteSize());
    }

    @Override
    protected XpuKvCache createKvCacheValidated(KvCacheSpec spec, KvScales scales) {
        return XpuKvCache.create(this, spec, scales);
    }

    private DeviceBuffer orDummy(XpuTensor t) {
        return t == null ? dummy : t.buffer();
    }

    @Override
    protected void appendValidated(XpuKvCache c, XpuTensor keys, XpuTensor values, int[] slots) {
        KvCacheSpec spec = c.spec();
        XpuTensor slotBuf = slotScratch.upload(slots);
        runtime.launch(KernelNames.append(keys.dtype(), spec.kvDtype()), slots.length, XpuKernels.GROUP_SIZE,
                new XpuLaunchArgs(XpuLaunchArgs.APPEND)
                        .buf("keys", keys.buffer()).buf("values", values.buffer())
                        .buf("slots", slotBuf.buffer()).buf("k_cache", c.keys.buffer()).buf("v_cache", c.values.buffer())
                        .buf("k_scale", orDummy(c.keyScale)).buf("v_scale", orDummy(c.valueScale))
                        .i32("num_kv_heads", spec.numKvHeads()).i32("head_dim", spec.headDim())
                        .i32("block_size", spec.blockSize()).i32("layout", KernelCodes.layout(spec.layout()))
                        .i32("gran", KernelCodes.granularity(spec.granularity().kind()))
                        .i32("group_size", spec.granularity().groupSize())
                        .values());
    }

    @Override
    protected XpuPlan planValidated(PlanRequest request, ValidatedBatch batch) {
        WorkSplit split = new WorkSplit(request, batch, runtime.computeUnits() * 4, minSplitTokens, ROWS_TIMES_HEADS);
        String kernel = XpuKernels.attention(request.cacheSpec().kvDtype(), request.queryDtype(),
                request.cacheSpec().headDim());
        return new XpuPlan(this, request, batch, split, kernel);
    }

    /** Enqueued under the backend's lock, after validation (see {@link #guarded}). */
    @Override
    protected void attentionValidated(XpuPlan p, XpuTensor query, XpuKvCache c, XpuTensor out, XpuTensor lse) {
        PlanRequest r = p.request();
        KvCacheSpec spec = r.cacheSpec();
        int group = r.numQoHeads() / spec.numKvHeads();
        DeviceBuffer lseBuf = orDummy(lse);
        int hasLse = lse == null ? 0 : 1;
        DeviceBuffer meta = p.metadata.buffer();
        DeviceBuffer ws = orDummy(p.workspace);
        PlanMetadata m = p.offsets;
        runtime.launch(p.kernel, p.split.items(), XpuKernels.GROUP_SIZE, new XpuLaunchArgs(XpuLaunchArgs.ATTENTION)
                .buf("q", query.buffer()).buf("out", out.buffer())
                .buf("lse", lseBuf).i32("has_lse", hasLse)
                .buf("k_cache", c.keys.buffer()).buf("v_cache", c.values.buffer())
                .buf("k_scale", orDummy(c.keyScale)).buf("v_scale", orDummy(c.valueScale))
                .buf("meta", meta).i32("o_qindptr", m.qIndptr()).i32("o_kvlens", m.kvLens())
                .i32("o_blockindptr", m.blockIndptr()).i32("o_blockids", m.blockIds())
                .i32("o_seq", m.itemSeq()).i32("o_head", m.itemHead()).i32("o_row0", m.itemRow0()).i32("o_rows", m.itemRows())
                .i32("o_lo", m.itemLo()).i32("o_hi", m.itemHi()).i32("o_partial", m.itemPartial())
                .buf("workspace", ws).i32("partial_floats", p.split.partialFloats)
                .i32("num_qo_heads", r.numQoHeads()).i32("num_kv_heads", spec.numKvHeads())
                .i32("head_dim", spec.headDim()).i32("block_size", spec.blockSize()).i32("group", group)
                .i32("layout", KernelCodes.layout(spec.layout()))
                .i32("gran", KernelCodes.granularity(spec.granularity().kind()))
                .i32("group_size", spec.granularity().groupSize())
                .f32("sm_scale", (float) r.options().softmaxScale(spec.headDim()))
                .f32("soft_cap", (float) r.options().softCap().orElse(0))
                .i32("causal", r.options().causal() ? 1 : 0).i32("window", r.options().slidingWindow().orElse(0))
                .values());
        int merges = p.split.mergeCount.length;
        if (merges > 0) {
            runtime.launch(XpuKernels.merge(r.queryDtype()), merges, XpuKernels.GROUP_SIZE, new XpuLaunchArgs(XpuLaunchArgs.MERGE)
                    .buf("out", out.buffer()).buf("lse", lseBuf).i32("has_lse", hasLse)
                    .buf("workspace", ws).buf("meta", meta).i32("o_merge_first", m.mergeFirst())
                    .i32("o_merge_count", m.mergeCount()).i32("o_head", m.itemHead()).i32("o_row0", m.itemRow0())
                    .i32("o_rows", m.itemRows()).i32("o_partial", m.itemPartial())
                    .i32("partial_floats", p.split.partialFloats).i32("num_qo_heads", r.numQoHeads())
                    .i32("head_dim", spec.headDim()).i32("group", group)
                    .values());
        }
    }

    @Override
    protected void synchronizeDevice() {
        runtime.synchronize();
    }

    @Override
    protected void release(boolean failed) {
        try {
            if (!failed) {
                runtime.synchronize();
                slotScratch.close();
                runtime.free(dummy);
            }
        } finally {
            runtime.close();
        }
    }

    @Override
    public String toString() {
        return "xpu backend on " + runtime.deviceName() + " through " + runtime.api() + " (" + runtime.computeUnits()
                + " compute units)";
    }
}
