package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.support.KernelNames;
import dev.attn4j.api.support.AbstractTensor;
import dev.attn4j.api.support.BackendHealth;
import dev.attn4j.api.support.RequestValidator;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cuda backend on one device, in the device's primary context (so memory other CUDA libraries
 * of the process allocated can be wrapped and used directly). Operations are enqueued in call
 * order on one stream owned by the backend; {@link Tensor#copyToHost} and {@link #synchronize()}
 * wait for it, so a download sees every earlier operation. Calls are serialized by a lock, which
 * makes the backend safe to share between threads. A sticky device fault marks it failed.
 */
public final class CudaBackend implements AttentionBackend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    private static final int THREADS = 128;
    private static final int MIN_SPLIT_TOKENS = 256;

    private final int deviceIndex;
    private final String deviceName;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CudaKernels kernels;
    private final int multiprocessors;
    private final BackendHealth health = new BackendHealth(CudaBackendProvider.NAME);
    private CudaTensor slotScratch;

    CudaBackend(int deviceIndex, String deviceName, byte[] fatbin) {
        this.deviceIndex = deviceIndex;
        this.deviceName = deviceName;
        Cu.check(JCudaDriver.cuDeviceGet(device, deviceIndex), "cuDeviceGet(" + deviceIndex + ")");
        Cu.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        Cu.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        Cu.check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        this.kernels = new CudaKernels(fatbin);
        int[] sms = new int[1];
        Cu.check(JCudaDriver.cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                device), "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
        this.multiprocessors = sms[0];
        LOG.debug("cuda backend opened on device {} ({}), {} SMs", deviceIndex, deviceName, multiprocessors);
    }

    /** Runs a driver-facing operation: usable check, context current, faults latched. */
    private synchronized <T> T op(Supplier<T> body) {
        health.checkUsable();
        Cu.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        try {
            return body.get();
        } catch (DeviceException e) {
            if (Cu.isSticky(e)) {
                health.fail(e);
            }
            throw e;
        }
    }

    private void run(Runnable body) {
        op(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    @Override
    public Capabilities capabilities() {
        return CudaBackendProvider.CAPABILITIES;
    }

    @Override
    public CudaTensor allocate(DType dtype, int... shape) {
        long n = AbstractTensor.elements(shape);
        long bytes = n * dtype.byteSize();
        return op(() -> {
            DevPtr p = new DevPtr();
            Cu.check(JCudaDriver.cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + ")");
            return new CudaTensor(this, dtype, shape, p,
                    CudaTensor.release(context, p, dtype + java.util.Arrays.toString(shape), health));
        });
    }

    @Override
    public Tensor wrap(ExternalMemory memory, DType dtype, int... shape) {
        if (memory.kind() != ExternalMemory.Kind.DEVICE_POINTER) {
            throw new UnsupportedConfigurationException(name(), List.of("memory.kind=" + memory.kind()
                    + " not supported: the cuda backend wraps device pointers of its device"));
        }
        long n = AbstractTensor.elements(shape);
        if (memory.byteSize() < n * dtype.byteSize()) {
            throw new InvalidRequestException("memory.byteSize", memory.byteSize(),
                    "smaller than the " + n * dtype.byteSize() + " bytes the shape needs");
        }
        return op(() -> new CudaTensor(this, dtype, shape, DevPtr.at(memory.address()), null));
    }

    CudaTensor allocateZeroed(DType dtype, int... shape) {
        CudaTensor t = allocate(dtype, shape);
        run(() -> Cu.check(JCudaDriver.cuMemsetD8Async(t.ptr(), (byte) 0, t.byteSize(), stream), "cuMemsetD8Async"));
        return t;
    }

    void upload(CudaTensor t, ByteBuffer src) {
        RequestValidator.checkTensor(this, t, "tensor");
        run(() -> {
            Cu.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            Cu.check(JCudaDriver.cuMemcpyHtoD(t.ptr(), Pointer.to(src), t.byteSize()), "cuMemcpyHtoD");
        });
    }

    void download(CudaTensor t, ByteBuffer dst) {
        RequestValidator.checkTensor(this, t, "tensor");
        run(() -> {
            Cu.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            Cu.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), t.ptr(), t.byteSize()), "cuMemcpyDtoH");
        });
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        RequestValidator.checkTensor(this, src, "src");
        RequestValidator.checkTensor(this, dst, "dst", src.dtype(), src.shape());
        run(() -> Cu.check(JCudaDriver.cuMemcpyDtoDAsync(((CudaTensor) dst).ptr(), ((CudaTensor) src).ptr(),
                src.byteSize(), stream), "cuMemcpyDtoDAsync"));
    }

    @Override
    public KvCache createKvCache(KvCacheSpec spec, KvScales scales) {
        health.checkUsable();
        RequestValidator.validateCacheCreation(this, spec, scales);
        return CudaKvCache.create(this, spec, scales);
    }

    @Override
    public void append(KvCache cache, Tensor keys, Tensor values, int[] slots) {
        health.checkUsable();
        RequestValidator.validateAppend(this, cache, keys, values, slots);
        CudaKvCache c = (CudaKvCache) cache;
        KvCacheSpec spec = c.spec();
        run(() -> {
            CudaTensor slotBuf = slotScratch(slots.length);
            ByteBuffer b = ByteBuffer.allocate(slots.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(slots);
            Cu.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            Cu.check(JCudaDriver.cuMemcpyHtoD(slotBuf.ptr(), Pointer.to(b), 4L * slots.length), "cuMemcpyHtoD(slots)");
            byte[] params = new ParamBlock()
                    .ptr(((CudaTensor) keys).ptr()).ptr(((CudaTensor) values).ptr()).ptr(slotBuf.ptr())
                    .ptr(c.keys.ptr()).ptr(c.values.ptr())
                    .ptr(c.keyScale == null ? null : c.keyScale.ptr()).ptr(c.valueScale == null ? null : c.valueScale.ptr())
                    .i32(spec.numKvHeads()).i32(spec.headDim()).i32(spec.blockSize()).i32(spec.layout().ordinal())
                    .i32(spec.granularity().kind().ordinal()).i32(spec.granularity().groupSize())
                    .bytes();
            launch(KernelNames.append(keys.dtype(), spec.kvDtype()), slots.length, params);
        });
    }

    /** A reusable device buffer for append's slot ids, grown when needed. */
    private CudaTensor slotScratch(int n) {
        if (slotScratch == null || slotScratch.numElements() < n) {
            if (slotScratch != null) {
                Cu.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
                slotScratch.close();
            }
            slotScratch = allocate(DType.INT32, Math.max(n, 1024));
        }
        return slotScratch;
    }

    @Override
    public Plan plan(PlanRequest request) {
        health.checkUsable();
        ValidatedBatch batch = RequestValidator.validatePlan(this, request);
        int group = request.numQoHeads() / request.cacheSpec().numKvHeads();
        int capacity = CudaKernels.itemRowCapacity(request.cacheSpec(), request.queryDtype());
        int itemRows = Math.max(1, Math.min(capacity / group, batch.maxQLen())) * group;   // WorkSplit.tileRows x G
        String kernel = CudaKernels.attentionFor(request.cacheSpec(), request.queryDtype(), itemRows);
        int slots = multiprocessors * op(() -> kernels.residentBlocks(kernel, THREADS));
        return new CudaPlan(this, request, batch, splitForWaves(request, batch, slots, capacity), kernel);
    }

    /**
     * The split whose items fill whole waves of the device best: {@code slots} blocks run at once,
     * and a last wave that is mostly empty wastes its share of the run (decode items are all about
     * equally long). Tries 1 to 4 waves' worth of items and keeps the first clearly better fill.
     */
    static WorkSplit splitForWaves(PlanRequest request, ValidatedBatch batch, int slots, int rowsTimesHeads) {
        WorkSplit best = null;
        double bestFill = -1;
        for (int waves = 1; waves <= 4; waves++) {
            WorkSplit s = new WorkSplit(request, batch, slots * waves, MIN_SPLIT_TOKENS, rowsTimesHeads);
            double w = s.items() / (double) slots;
            double fill = w / Math.ceil(w);
            if (fill > bestFill + 0.02) {
                best = s;
                bestFill = fill;
            }
        }
        return best;
    }

    @Override
    public void prefill(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        attention(OpKind.PREFILL, plan, query, cache, out, lse);
    }

    @Override
    public void decode(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        attention(OpKind.DECODE, plan, query, cache, out, lse);
    }

    private void attention(OpKind kind, Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        health.checkUsable();
        RequestValidator.validateRun(this, plan, kind, query, cache, out, lse);
        CudaPlan p = (CudaPlan) plan;
        CudaKvCache c = (CudaKvCache) cache;
        PlanRequest r = p.request();
        KvCacheSpec spec = r.cacheSpec();
        int group = r.numQoHeads() / spec.numKvHeads();
        long lsePtr = lse == null ? 0 : ((CudaTensor) lse).ptr().address();
        long ws = p.workspace == null ? 0 : p.workspace.ptr().address();
        run(() -> {
            byte[] params = new ParamBlock()
                    .ptr(((CudaTensor) query).ptr()).ptr(((CudaTensor) out).ptr()).ptr(lsePtr)
                    .ptr(c.keys.ptr()).ptr(c.values.ptr())
                    .ptr(c.keyScale == null ? null : c.keyScale.ptr()).ptr(c.valueScale == null ? null : c.valueScale.ptr())
                    .ptr(p.at(p.layout.qIndptr)).ptr(p.at(p.layout.kvLens)).ptr(p.at(p.layout.blockIndptr)).ptr(p.at(p.layout.blockIds))
                    .ptr(p.at(p.layout.itemSeq)).ptr(p.at(p.layout.itemHead)).ptr(p.at(p.layout.itemRow0)).ptr(p.at(p.layout.itemRows))
                    .ptr(p.at(p.layout.itemLo)).ptr(p.at(p.layout.itemHi)).ptr(p.at(p.layout.itemPartial))
                    .ptr(ws).i32(p.split.partialFloats)
                    .i32(r.numQoHeads()).i32(spec.numKvHeads()).i32(spec.headDim()).i32(spec.blockSize()).i32(group)
                    .i32(spec.layout().ordinal()).i32(spec.granularity().kind().ordinal())
                    .i32(spec.granularity().groupSize())
                    .f32((float) r.options().softmaxScale(spec.headDim()))
                    .f32((float) r.options().softCap().orElse(0))
                    .i32(r.options().causal() ? 1 : 0).i32(r.options().slidingWindow().orElse(0))
                    .bytes();
            boolean aligned = (((CudaTensor) query).ptr().address() % 16 == 0)
                    && (((CudaTensor) out).ptr().address() % 16 == 0);
            if (aligned) {
                launch(p.kernel, p.split.items(), params);
            } else {
                launch(p.fallbackKernel, p.split.items(), params);
            }
            int merges = p.split.mergeCount.length;
            if (merges > 0) {
                byte[] mp = new ParamBlock()
                        .ptr(((CudaTensor) out).ptr()).ptr(lsePtr).ptr(ws)
                        .ptr(p.at(p.layout.mergeFirst)).ptr(p.at(p.layout.mergeCount)).ptr(p.at(p.layout.itemHead)).ptr(p.at(p.layout.itemRow0))
                        .ptr(p.at(p.layout.itemRows)).ptr(p.at(p.layout.itemPartial))
                        .i32(p.split.partialFloats).i32(r.numQoHeads()).i32(spec.headDim()).i32(group)
                        .bytes();
                launch(CudaKernels.merge(r.queryDtype()), merges, mp);
            }
        });
    }

    private void launch(String kernel, int blocks, byte[] params) {
        if (blocks == 0) {
            return;
        }
        CUfunction f = kernels.get(kernel);
        int sharedBytes = kernels.sharedBytes(kernel);
        Cu.check(JCudaDriver.cuLaunchKernel(f, blocks, 1, 1, THREADS, 1, 1, sharedBytes, stream,
                Pointer.to(Pointer.to(params)), null), "cuLaunchKernel(" + kernel + ")");
    }

    @Override
    public void synchronize() {
        run(() -> Cu.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize"));
    }

    @Override
    public boolean isClosed() {
        return health.isClosed() || health.isFailed();
    }

    @Override
    public synchronized void close() {
        if (health.isClosed()) {
            return;
        }
        if (!health.isFailed()) {
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuStreamSynchronize(stream);
            if (slotScratch != null) {
                slotScratch.close();
            }
            kernels.unload();
            JCudaDriver.cuStreamDestroy(stream);
        }
        health.close();
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    @Override
    public String toString() {
        return "cuda backend on device " + deviceIndex + " (" + deviceName + ", " + multiprocessors + " SMs)";
    }
}
