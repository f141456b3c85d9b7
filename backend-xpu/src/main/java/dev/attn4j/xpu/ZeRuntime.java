package dev.attn4j.xpu;

import dev.attn4j.api.DeviceException;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Level Zero path: one context, one asynchronous immediate command list (operations ordered by
 * barriers, see {@code ze_jni.c}) and one module built from the SPIR-V that {@code build-kernels.sh}
 * made, on one Intel GPU. Buffers are device USM allocations; kernel arguments are their addresses.
 */
final class ZeRuntime implements DeviceRuntime {
    /** Alignment of device allocations: enough for the kernels' 16-byte vector loads, and a cache line. */
    private static final long ALIGNMENT = 64;
    /** ZE_RESULT_ERROR_DEVICE_LOST, _DEVICE_REQUIRES_RESET, _UNKNOWN: the context cannot be trusted after them. */
    private static final Set<Long> STICKY = Set.of(0x70000001L, 0x70000006L, 0x7ffffffeL);

    private final ZeDevice device;
    private final long api;
    private final long context;
    private final long queue;
    private final long module;
    private final Map<String, Long> kernels = new HashMap<>();

    private record ZeBuffer(long address, long bytes) implements DeviceBuffer {
    }

    ZeRuntime(ZeDevice device) {
        this.device = device;
        this.api = device.loader.api;
        byte[] spirv = XpuKernels.spirv().orElseThrow(() -> new IllegalStateException("SPIR-V not built"));
        long ctx = 0;
        long q = 0;
        try {
            ctx = ZeNative.contextCreate(api, device.driver);
            q = ZeNative.queueCreate(api, ctx, device.device);
            this.module = ZeNative.moduleCreate(api, ctx, device.device, spirv, XpuKernels.BUILD_OPTIONS);
        } catch (ZeException e) {
            if (q != 0) {
                ZeNative.queueDestroy(api, q);
            }
            if (ctx != 0) {
                ZeNative.contextDestroy(api, ctx);
            }
            throw toDeviceException(e);
        }
        this.context = ctx;
        this.queue = q;
    }

    /** The API's exception for a failed call; a build log or other detail stays in the message. */
    static DeviceException toDeviceException(ZeException e) {
        String call = e.detail() == null ? e.call() : e.call() + " [" + e.detail().strip() + "]";
        long code = Integer.toUnsignedLong(e.code());
        return new DeviceException(XpuBackendProvider.NAME, call, code, e.resultName(), STICKY.contains(code), e);
    }

    @Override
    public String api() {
        return "Level Zero";
    }

    @Override
    public String deviceName() {
        return device.name();
    }

    @Override
    public int computeUnits() {
        // Work-groups of 4 sub-groups: about one per 4 EUs keeps every Xe core busy.
        return Math.max(1, device.executionUnits() / 4);
    }

    @Override
    public DeviceBuffer allocate(long bytes) {
        try {
            return new ZeBuffer(ZeNative.memAllocDevice(api, context, device.device, Math.max(bytes, 1), ALIGNMENT), bytes);
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    /** zeMemFree frees at once, so the queue's earlier work, which may still use the memory, is waited for first. */
    @Override
    public void free(DeviceBuffer buffer) {
        try {
            ZeNative.synchronize(api, queue);
            ZeNative.memFree(api, context, ((ZeBuffer) buffer).address());
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void write(DeviceBuffer dst, ByteBuffer src) {
        ByteBuffer direct = src.isDirect() ? src : ByteBuffer.allocateDirect(src.remaining()).put(src.duplicate());
        long offset = src.isDirect() ? src.position() : 0;
        try {
            ZeNative.copyFromHost(api, context, queue, ((ZeBuffer) dst).address(), direct, offset, src.remaining());
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void read(DeviceBuffer src, ByteBuffer dst, long bytes) {
        try {
            if (dst.isDirect()) {
                ZeNative.copyToHost(api, context, queue, dst, dst.position(), ((ZeBuffer) src).address(), bytes);
            } else {
                ByteBuffer direct = ByteBuffer.allocateDirect(Math.toIntExact(bytes));
                ZeNative.copyToHost(api, context, queue, direct, 0, ((ZeBuffer) src).address(), bytes);
                dst.duplicate().put(direct);
            }
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void copy(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        try {
            ZeNative.copyDevice(api, queue, ((ZeBuffer) dst).address(), ((ZeBuffer) src).address(), bytes);
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void zero(DeviceBuffer buffer) {
        try {
            ZeNative.fill(api, queue, ((ZeBuffer) buffer).address(), (byte) 0, buffer.bytes());
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void launch(String kernel, int groups, int groupSize, Object... args) {
        try {
            long k = kernels.computeIfAbsent(kernel, n -> ZeNative.kernelCreate(api, module, n));
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof ZeBuffer) {
                    ZeNative.setArg(api, k, i, 8, ((ZeBuffer) a).address());
                } else if (a instanceof Integer) {
                    ZeNative.setArg(api, k, i, 4, (Integer) a);
                } else if (a instanceof Float) {
                    ZeNative.setArg(api, k, i, 4, Float.floatToRawIntBits((Float) a));
                } else {
                    throw new IllegalArgumentException("argument " + i + " of " + kernel + ": " + a);
                }
            }
            ZeNative.launch(api, queue, k, groupSize, groups);
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void synchronize() {
        try {
            ZeNative.synchronize(api, queue);
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }

    @Override
    public void close() {
        try {
            for (long k : kernels.values()) {
                ZeNative.kernelDestroy(api, k);
            }
            ZeNative.moduleDestroy(api, module);
            ZeNative.queueDestroy(api, queue);
            ZeNative.contextDestroy(api, context);
        } catch (ZeException e) {
            throw toDeviceException(e);
        }
    }
}
