package dev.attn4j.xpu;

import dev.attn4j.api.DeviceException;

import java.nio.ByteBuffer;

/**
 * The device API the xpu launchers are written against, implemented twice over the same kernels:
 * {@link ZeRuntime} (Level Zero, SPIR-V built at build time) and {@link ClRuntime} (OpenCL through
 * JOCL, the same OpenCL C built at run time). Operations run in call order; failures are
 * {@link DeviceException}s naming the call and the driver's error name, sticky when the device or
 * context cannot be trusted after them (a lost device, ...). Not thread-safe: the
 * backend serializes calls.
 */
interface DeviceRuntime extends AutoCloseable {

    /** {@code Level Zero} or {@code OpenCL}. */
    String api();

    /** The device's name as its driver reports it. */
    String deviceName();

    /** Compute units (Xe cores / subslices, or the OpenCL count): sizes the work split. */
    int computeUnits();

    DeviceBuffer allocate(long bytes);

    /** Frees a buffer; operations issued before still see it (the runtime waits or defers). */
    void free(DeviceBuffer buffer);

    /** Writes src's remaining bytes at the start of dst; complete when it returns. */
    void write(DeviceBuffer dst, ByteBuffer src);

    /** Reads the first {@code bytes} of src into dst from its position, after every earlier operation. */
    void read(DeviceBuffer src, ByteBuffer dst, long bytes);

    void copy(DeviceBuffer src, DeviceBuffer dst, long bytes);

    /** Sets every byte to zero. */
    void zero(DeviceBuffer buffer);

    /**
     * Launches {@code groups} work-groups of {@code groupSize} work-items of a kernel; arguments are
     * {@link DeviceBuffer}s, {@link Integer}s and {@link Float}s, in the kernel's order.
     */
    void launch(String kernel, int groups, int groupSize, Object... args);

    /** Waits for every operation issued so far. */
    void synchronize();

    /** Frees the kernels, the queue and the context; buffers not freed by then go with the context. */
    @Override
    void close();
}
