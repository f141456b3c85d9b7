package dev.attn4j.cudadriver;

import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.support.DeviceMeasurements;
import dev.attn4j.api.support.DeviceMemoryRelease;
import dev.attn4j.api.support.DriverCalls;
import dev.attn4j.api.support.KernelCodes;
import dev.attn4j.api.support.KernelNames;
import dev.attn4j.api.support.RequestValidator;
import dev.attn4j.api.support.SlotScratch;
import dev.attn4j.api.support.ValidatingBackend;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What every backend over the CUDA driver API does the same way, so cuda and ilu differ only in
 * their kernels, plans and attention launches: one device in its primary context (so memory other
 * CUDA libraries of the process allocated can be wrapped and used directly), memory, copies, KV
 * caches and append. Operations are enqueued in call order on one stream owned by the backend;
 * {@link Tensor#copyToHost} and {@link #synchronize()} wait for it, so a download sees every earlier
 * operation. Calls are serialized by a lock, which makes a backend safe to share between threads. A
 * sticky device fault marks it failed. Subclasses supply {@code plan}, {@code prefill} and
 * {@code decode}.
 *
 * <p>The step loop (plan, then append and attention per layer) never waits for the device once its
 * sizes are known: append's slot ids and plan metadata go up asynchronously from pinned memory
 * ({@link PinnedStaging}), plans take their buffers from a pool closed plans return them to
 * ({@link DevicePool}). Every synchronize and allocation goes through the counted wrappers here
 * ({@link #driverCalls()}).
 */
public abstract class DriverBackend<P extends DriverPlan> extends ValidatingBackend<DriverTensor, DriverKvCache, P>
        implements DeviceMeasurements, DriverCalls {
    private static final int APPEND_THREADS = 128;
    /**
     * Slots an append passes inside its launch ({@code AppendParams.inline_slots}, a fixed 256-int
     * field of {@code kernel_params.cuh}) instead of through a copy to the device: a decode step's.
     */
    static final int INLINE_SLOTS = 256;
    /** Threads per block of the split merge: {@code MERGE_THREADS} of {@code split_merge.cuh}. */
    private static final int MERGE_THREADS = 256;
    /** Partials one merge thread walks at most where a narrower slice of channels can take fewer. */
    private static final int MERGE_PARTIALS_PER_THREAD = 4;
    private static final String READ_KERNEL = "attn4j_read_ceiling";

    private final String name;
    private final int deviceIndex;
    private final String deviceName;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final LoadedKernels kernels;
    private final int multiprocessors;
    private final AtomicLong synchronizes = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private final PinnedStaging staging = new PinnedStaging(this);
    private final DevicePool pool = new DevicePool();
    private DevicePointer lead;   // deviceNanos's lead buffer, allocated on first use
    private byte[] leadParams;
    private final SlotScratch<DriverTensor> slotScratch = new SlotScratch<>(n -> allocateDevice(DType.INT32, n),
            this::drainStream, (t, b) -> staging.upload(t.ptr(), b));

    /**
     * Opens device {@code deviceIndex}: retains its primary context, creates the stream and loads
     * the kernel {@code image} ({@code imageName} names it in errors); {@code sizedKernels} names the
     * kernels whose dynamic shared memory size the image stores ({@link LoadedKernels#sharedBytes}).
     */
    protected DriverBackend(String name, Capabilities capabilities, int deviceIndex, String deviceName,
                            byte[] image, String imageName, Predicate<String> sizedKernels) {
        super(name, capabilities);
        this.name = name;
        this.deviceIndex = deviceIndex;
        this.deviceName = deviceName;
        check(JCudaDriver.cuDeviceGet(device, deviceIndex), "cuDeviceGet(" + deviceIndex + ")");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        this.kernels = new LoadedKernels(name, image, imageName, sizedKernels);
        this.multiprocessors = deviceAttribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                "MULTIPROCESSOR_COUNT");
        LoggerFactory.getLogger(getClass()).debug("{} backend opened on device {} ({}), {} SMs", name, deviceIndex,
                deviceName, multiprocessors);
    }

    /**
     * Runs a driver-facing step under this backend's lock, with its context current (and the usable
     * check and fault latch of {@link ValidatingBackend#guarded}). Under this lock a call validates
     * its arguments and reads their device pointers, and under it memory is freed
     * ({@link #freeMemory}): a tensor, cache or plan closed by another thread is either rejected by
     * the validation or freed after the call was issued, never in between.
     */
    @Override
    protected synchronized <T> T guarded(Supplier<T> body) {
        return super.guarded(() -> {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            return body.get();
        });
    }

    protected LoadedKernels kernels() {
        return kernels;
    }

    protected CUstream stream() {
        return stream;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    public int deviceIndex() {
        return deviceIndex;
    }

    public String deviceName() {
        return deviceName;
    }

    /** Checks a driver return code, errors named after this backend. */
    protected final void check(int result, String call) {
        CudaResults.check(name, result, call);
    }

    /**
     * Launches {@code blocks} blocks of {@code threads} threads on the stream, with the dynamic
     * shared memory the kernel declares ({@link LoadedKernels#sharedBytes}); nothing for 0 blocks.
     */
    protected void launch(String kernel, int blocks, int threads, byte[] params) {
        launch(kernel, blocks, 1, threads, params);
    }

    /** {@link #launch} on a grid of {@code blocksX} x {@code blocksY} blocks; nothing for an empty grid. */
    private void launch(String kernel, int blocksX, int blocksY, int threads, byte[] params) {
        if (blocksX == 0 || blocksY == 0) {
            return;
        }
        check(launchKernel(kernel, kernels.get(kernel), blocksX, blocksY, threads, kernels.sharedBytes(kernel), params),
                launchCall() + "(" + kernel + ")");
    }

    /**
     * Issues one launch on the stream and returns the driver's result: {@code cuLaunchKernel} here; a
     * backend whose kernels wait for the kernels before them may launch them so that they overlap
     * (the cuda backend's programmatic dependent launch).
     */
    protected int launchKernel(String kernel, CUfunction function, int blocksX, int blocksY, int threads, int sharedBytes, byte[] params) {
        return JCudaDriver.cuLaunchKernel(function, blocksX, blocksY, 1, threads, 1, 1, sharedBytes, stream,
                Pointer.to(Pointer.to(params)), null);
    }

    /** The driver call {@link #launchKernel} makes, for error messages. */
    protected String launchCall() {
        return "cuLaunchKernel";
    }

    /** A device attribute ({@code CUdevice_attribute}) of this backend's device. */
    protected final int deviceAttribute(int attribute, String name) {
        int[] value = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + name + ")");
        return value[0];
    }

    /**
     * Launches split-KV's merge ({@code split_merge.cuh}) for plan {@code p}, if any unit was split:
     * one block of {@code MERGE_THREADS} per (unit, packed row, slice of {@link #mergeSlice} channels),
     * the grid's x units times slices, its y the plan's rows per item.
     */
    protected void launchMerge(String kernel, DriverPlan p, DriverTensor out, DriverTensor lse) {
        int units = p.split.mergeCount.length;
        if (units > 0) {
            int slices = (p.request().cacheSpec().headDim() + p.mergeSlice - 1) / p.mergeSlice;
            launch(kernel, units * slices, p.itemRows, MERGE_THREADS, AttentionParams.merge(p, out, lse, p.mergeSlice));
        }
    }

    /**
     * Channels of a row per merge block: the widest power of two from 32 that covers the head dim
     * (up to 256), halved while a thread would walk more than {@code MERGE_PARTIALS_PER_THREAD}
     * partials of the unit split most ways (a thread takes 4 channels of every (256 / (slice / 4))-th
     * partial). A row split a hundred ways is then merged by several blocks, each a short chain of
     * loads; one split a few ways keeps one block per row, which the extra blocks' LSE passes would
     * only slow (docs/PERF.md).
     */
    static int mergeSlice(int headDim, int maxItems) {
        int slice = 32;
        while (slice < headDim && slice < 256) {
            slice <<= 1;
        }
        while (slice > 32 && (long) maxItems * slice > 4L * MERGE_THREADS * MERGE_PARTIALS_PER_THREAD) {
            slice >>= 1;
        }
        return slice;
    }

    /** Threads per block of the append kernel (a row of blocks per slot). */
    protected int appendThreads() {
        return APPEND_THREADS;
    }

    @Override
    protected DriverTensor allocateValidated(DType dtype, int[] shape, long bytes) {
        DevicePointer p = memAlloc(bytes);
        return new DriverTensor(this, dtype, shape, p, DriverTensor.release(this, p, dtype + Arrays.toString(shape), health()));
    }

    @Override
    public Counts driverCalls() {
        return new Counts(synchronizes.get(), allocations.get());
    }

    // The counted driver calls: the only places the driver layer blocks on the device or allocates.

    /** cuMemAlloc, counted. */
    private DevicePointer memAlloc(long bytes) {
        DevicePointer p = new DevicePointer();
        allocations.incrementAndGet();
        check(JCudaDriver.cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + ")");
        return p;
    }

    /** cuMemAllocHost (pinned), counted. */
    Pointer hostAlloc(long bytes) {
        Pointer p = new Pointer();
        allocations.incrementAndGet();
        check(JCudaDriver.cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + ")");
        return p;
    }

    /** Waits for all work queued on the stream (cuStreamSynchronize), counted. */
    protected final void drainStream() {
        synchronizes.incrementAndGet();
        check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Waits for an event (cuEventSynchronize), counted. */
    void eventSynchronize(CUevent event) {
        synchronizes.incrementAndGet();
        check(JCudaDriver.cuEventSynchronize(event), "cuEventSynchronize");
    }

    /**
     * A device buffer for plan data, from the pool ({@link DevicePool}): closing it gives it back
     * for the next plan instead of freeing it. Under the backend's lock.
     */
    DriverTensor planBuffer(DType dtype, int elements) {
        long sizeClass = DevicePool.sizeClass((long) elements * dtype.byteSize());
        return guarded(() -> {
            DevicePointer p = pool.take(sizeClass);
            DevicePointer ptr = p != null ? p : memAlloc(sizeClass);
            return new DriverTensor(this, dtype, new int[] {elements}, ptr, DeviceMemoryRelease.of(name,
                    "plan buffer " + dtype + "[" + elements + "]", health(), () -> recycle(ptr, sizeClass)));
        });
    }

    private synchronized void recycle(DevicePointer ptr, long sizeClass) {
        if (!pool.giveBack(ptr, sizeClass)) {
            freeMemory(ptr);
        }
    }

    /** Queues an upload of {@code bytes} into a tensor of this backend (stream order, no wait). */
    void uploadAsync(DriverTensor t, ByteBuffer bytes) {
        guardedRun(() -> staging.upload(t.ptr(), bytes));
    }

    /** {@link #allocate}, typed. */
    public DriverTensor allocateDevice(DType dtype, int... shape) {
        return (DriverTensor) allocate(dtype, shape);
    }

    @Override
    protected void checkWrappable(ExternalMemory memory) {
        if (memory.kind() != ExternalMemory.Kind.DEVICE_POINTER) {
            throw new UnsupportedConfigurationException(name, List.of("memory.kind=" + memory.kind()
                    + " not supported: the " + name + " backend wraps device pointers of its device"));
        }
    }

    @Override
    protected DriverTensor wrapValidated(ExternalMemory memory, DType dtype, int[] shape, long bytes) {
        return new DriverTensor(this, dtype, shape, DevicePointer.at(memory.address()), null);
    }

    /**
     * Frees device memory once the stream's earlier work, which may still read it, is done; under
     * the backend's lock, so no operation validates a tensor and then launches on freed memory.
     * Errors are ignored: a failed context cannot free anything, and the leak is the lesser harm.
     */
    synchronized void freeMemory(DevicePointer ptr) {
        JCudaDriver.cuCtxSetCurrent(context);
        synchronizes.incrementAndGet();
        JCudaDriver.cuStreamSynchronize(stream);
        JCudaDriver.cuMemFree(ptr);
    }

    /** A tensor whose bytes are zero (set on the stream). */
    public DriverTensor allocateZeroed(DType dtype, int... shape) {
        DriverTensor t = allocateDevice(dtype, shape);
        guardedRun(() -> check(JCudaDriver.cuMemsetD8Async(t.ptr(), (byte) 0, t.byteSize(), stream), "cuMemsetD8Async"));
        return t;
    }

    void upload(DriverTensor t, ByteBuffer src) {
        guardedRun(() -> {
            RequestValidator.checkTensor(this, t, "tensor");
            drainStream();
            check(JCudaDriver.cuMemcpyHtoD(t.ptr(), Pointer.to(src), t.byteSize()), "cuMemcpyHtoD");
        });
    }

    void download(DriverTensor t, ByteBuffer dst) {
        guardedRun(() -> {
            RequestValidator.checkTensor(this, t, "tensor");
            drainStream();
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), t.ptr(), t.byteSize()), "cuMemcpyDtoH");
        });
    }

    @Override
    protected void copyValidated(DriverTensor src, DriverTensor dst) {
        check(JCudaDriver.cuMemcpyDtoDAsync(dst.ptr(), src.ptr(),
                src.byteSize(), stream), "cuMemcpyDtoDAsync");
    }

    @Override
    protected DriverKvCache createKvCacheValidated(KvCacheSpec spec, KvScales scales) {
        return DriverKvCache.create(this, spec, scales);
    }

    /**
     * Launches the append kernel of the keys' and cache's dtypes (its {@code AppendParams}): a row of
     * blocks per slot, enough for one (head, scale group, side) task per 32-lane warp. Up to
     * {@link #INLINE_SLOTS} slots travel in the launch's parameters; more go up through the slot
     * scratch, in stream order.
     */
    @Override
    protected void appendValidated(DriverKvCache c, DriverTensor keys, DriverTensor values, int[] slots) {
        KvCacheSpec spec = c.spec();
        boolean inline = slots.length <= INLINE_SLOTS;
        DevicePointer slotPtr = inline ? null : slotScratch.upload(slots).ptr();
        byte[] params = new ParamBlock(AttentionParams.APPEND)
                .ptr("keys", keys.ptr()).ptr("values", values.ptr())
                .ptr("slots", slotPtr).ptr("k_cache", c.keys.ptr()).ptr("v_cache", c.values.ptr())
                .ptr("k_scale", c.keyScale == null ? null : c.keyScale.ptr())
                .ptr("v_scale", c.valueScale == null ? null : c.valueScale.ptr())
                .i32("num_kv_heads", spec.numKvHeads()).i32("head_dim", spec.headDim())
                .i32("block_size", spec.blockSize()).i32("layout", KernelCodes.layout(spec.layout()))
                .i32("gran", KernelCodes.granularity(spec.granularity().kind()))
                .i32("group_size", spec.granularity().groupSize())
                .i32s("inline_slots", inline ? slots : new int[0], INLINE_SLOTS)
                .bytes();
        int tasks = spec.numKvHeads() * Math.max(1, spec.dynamicScalesPerHead()) * 2;   // scale groups: TOKEN_GROUP's
        int warps = Math.max(1, appendThreads() / 32);
        launch(KernelNames.append(keys.dtype(), spec.kvDtype()), slots.length, (tasks + warps - 1) / warps, appendThreads(),
                params);
    }

    /**
     * Device time between two events recorded on the stream around {@code op} (cuEventElapsedTime),
     * behind a lead: the read kernel over {@link #LEAD_BYTES} (~60 us on an H200), queued just before
     * the start event. Without it an idle device stamps the start event at once and then waits for the
     * host to validate and launch op's first kernel, so the host's issue latency (tens of microseconds
     * from Java) was counted as kernel time; with it the host issues op while the device is still
     * reading, as it does in a model whose layers queue up behind each other. The lead also leaves the
     * cache holding its own lines, so op starts cold. Host issue slower than the lead still shows as
     * idle time, which is what a host-bound op costs.
     */
    @Override
    public double deviceNanos(Runnable op) {
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        guardedRun(() -> {
            check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate");
            check(JCudaDriver.cuEventCreate(stop, 0), "cuEventCreate");
            launchLead();
            check(JCudaDriver.cuEventRecord(start, stream), "cuEventRecord");
        });
        try {
            op.run();
            return guarded(() -> {
                check(JCudaDriver.cuEventRecord(stop, stream), "cuEventRecord");
                eventSynchronize(stop);
                float[] ms = new float[1];
                check(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
                return ms[0] * 1e6;
            });
        } finally {
            synchronized (this) {   // errors ignored: a failed context cannot destroy anything
                JCudaDriver.cuCtxSetCurrent(context);
                JCudaDriver.cuEventDestroy(start);
                JCudaDriver.cuEventDestroy(stop);
            }
        }
    }

    /** Bytes the lead of {@link #deviceNanos} reads: several times the last-level cache of any GPU here. */
    static final long LEAD_BYTES = 256L << 20;

    /** Queues the lead read (its buffer allocated on first use, freed with the backend). Under the lock. */
    private void launchLead() {
        if (lead == null) {
            lead = memAlloc(LEAD_BYTES);
            check(JCudaDriver.cuMemsetD32Async(lead, 0x5a5a5a5a, LEAD_BYTES / 4, stream), "cuMemsetD32Async");
            leadParams = new ParamBlock(AttentionParams.READ).ptr("src", lead).ptr("sink", lead)   // never written
                    .i32("words", (int) (LEAD_BYTES / 16)).i32("magic", (int) 0x9e3779b9L).bytes();
        }
        launch(READ_KERNEL, multiprocessors * 8, 256, leadParams);
    }

    /**
     * The read ceiling kernel ({@code read_ceiling.cuh}) over a buffer of {@code bytes} filled
     * with a non-zero pattern, 8 blocks of 256 threads per SM, device-timed.
     */
    @Override
    public double readBytesPerSecond(long bytes, int runs) {
        long words = bytes / 16;
        if (words < 1 || words > Integer.MAX_VALUE / 4) {
            throw new dev.attn4j.api.InvalidRequestException("bytes", bytes, "must be in [16, 2^31)");
        }
        try (DriverTensor buffer = allocateDevice(DType.INT32, (int) (words * 4));
             DriverTensor sink = allocateZeroed(DType.INT32, 1)) {
            guardedRun(() -> check(JCudaDriver.cuMemsetD32Async(buffer.ptr(), 0x5a5a5a5a, words * 4, stream),
                    "cuMemsetD32Async"));
            byte[] params = new ParamBlock(AttentionParams.READ).ptr("src", buffer.ptr()).ptr("sink", sink.ptr())
                    .i32("words", (int) words).i32("magic", (int) 0x9e3779b9L).bytes();
            Runnable read = () -> guardedRun(() -> launch(READ_KERNEL, multiprocessors * 8, 256, params));
            return medianRate(words * 16, runs, read);
        }
    }

    @Override
    protected void synchronizeDevice() {
        drainStream();
    }

    @Override
    protected void release(boolean failed) {
        if (!failed) {
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuStreamSynchronize(stream);
            releaseResources();
            slotScratch.close();
            staging.close();
            pool.drain().forEach(JCudaDriver::cuMemFree);
            if (lead != null) {
                JCudaDriver.cuMemFree(lead);
            }
            kernels.unload();
            JCudaDriver.cuStreamDestroy(stream);
        }
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    /**
     * Frees what a subclass keeps on the device beyond plans and tensors (e.g. staging buffers):
     * called once by {@link #close()}, in this backend's context after the stream has drained, and
     * only when the backend has not failed (a failed context cannot free anything).
     */
    protected void releaseResources() {
    }

    @Override
    public String toString() {
        return name + " backend on device " + deviceIndex + " (" + deviceName + ", " + multiprocessors + " SMs)";
    }
}
