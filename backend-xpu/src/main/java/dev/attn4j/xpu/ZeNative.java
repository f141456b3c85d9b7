package dev.attn4j.xpu;

import java.nio.ByteBuffer;

/**
 * The JNI shim over Level Zero ({@code backend-xpu/src/main/native}): one static method per call,
 * handles as longs. Failures throw {@link ZeException} naming the call and the {@code ze_result_t}.
 * Usable only after {@link ZeShim#load()} succeeded. {@code api} is the handle of an opened loader
 * ({@link #open}); several loaders can be open at once (the tests open stand-ins).
 */
final class ZeNative {
    /** {@code ZE_RESULT_SUCCESS}. */
    static final int SUCCESS = 0;
    /** {@code ZE_RESULT_ERROR_UNINITIALIZED}: what zeInit returns when the loader finds no driver. */
    static final int ERROR_UNINITIALIZED = 0x78000001;
    /** {@code ZE_INIT_FLAG_GPU_ONLY}. */
    static final int INIT_GPU_ONLY = 1;
    /** {@code ZE_DEVICE_TYPE_GPU}. */
    static final int DEVICE_TYPE_GPU = 1;

    private ZeNative() {
    }

    /** dlopens a loader and resolves its entry points; null on success (handle[0] set), else why not. */
    static native String open(String library, long[] handle);

    static native void close(long api);

    /** zeInit's result code (no exception: the probe reads it). */
    static native int init(long api, int flags);

    static native String resultName(int code);

    static native long[] drivers(long api);

    static native long[] devices(long api, long driver);

    /**
     * [type, vendorId, deviceId, EUs, maxMemAllocSize, core clock MHz, EU SIMD width, max group size,
     * max SLM bytes, device memory bytes, driver API version].
     */
    static native long[] deviceProperties(long api, long driver, long device);

    static native String deviceName(long api, long device);

    static native long contextCreate(long api, long driver);

    static native void contextDestroy(long api, long context);

    /** An asynchronous immediate command list on the device's compute queue group, with its sync event. */
    static native long queueCreate(long api, long context, long device);

    static native void queueDestroy(long api, long queue);

    static native void synchronize(long api, long queue);

    static native long memAllocDevice(long api, long context, long device, long bytes, long alignment);

    static native void memFree(long api, long context, long ptr);

    /** From a direct buffer (staged through USM host memory of the context); complete on return. */
    static native void copyFromHost(long api, long context, long queue, long dst, ByteBuffer src, long offset, long bytes);

    /** Into a direct buffer, after all earlier work (staged likewise); complete on return. */
    static native void copyToHost(long api, long context, long queue, ByteBuffer dst, long offset, long src, long bytes);

    static native void copyDevice(long api, long queue, long dst, long src, long bytes);

    static native void fill(long api, long queue, long dst, byte value, long bytes);

    /** A module from SPIR-V; a build failure throws with the build log as the detail. */
    static native long moduleCreate(long api, long context, long device, byte[] spirv, String buildFlags);

    static native void moduleDestroy(long api, long module);

    static native long kernelCreate(long api, long module, String name);

    static native void kernelDestroy(long api, long kernel);

    /** An argument of 4 or 8 bytes: the low bytes of {@code bits}. */
    static native void setArg(long api, long kernel, int index, int size, long bits);

    static native void launch(long api, long queue, long kernel, int groupSize, int groups);
}
