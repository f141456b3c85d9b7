package dev.attn4j.cudadriver;

import dev.attn4j.api.DType;
import dev.attn4j.api.support.BackendHealth;
import dev.attn4j.api.support.DeviceTensor;
import dev.attn4j.api.support.LeakFreeingRelease;

import java.nio.ByteBuffer;

/**
 * A tensor in the device memory of a {@link DriverBackend}: owned (freed on close, or by the Cleaner
 * if leaked) or wrapped. Its pointer is what the backends' parameter blocks carry.
 */
public final class DriverTensor extends DeviceTensor {
    private final DriverBackend backend;
    private final DevPtr ptr;

    /** @param release how to free owned memory ({@link #release}), or null for wrapped memory */
    DriverTensor(DriverBackend backend, DType dtype, int[] shape, DevPtr ptr, LeakFreeingRelease release) {
        super(backend, dtype, shape, release);
        this.backend = backend;
        this.ptr = ptr;
    }

    /** Frees owned memory through the backend, under its lock ({@link DriverBackend#freeMemory}). */
    static LeakFreeingRelease release(DriverBackend backend, DevPtr ptr, String what, BackendHealth health) {
        return LeakFreeingRelease.of(backend.name(), what, health, () -> backend.freeMemory(ptr));
    }

    public DevPtr ptr() {
        checkOpen();
        return ptr;
    }

    /** Its bytes in the context's address space: wrapped pointers may alias other tensors. */
    @Override
    protected MemoryRange memoryRange() {
        return new MemoryRange(backend, ptr.address(), byteSize());
    }

    @Override
    protected void upload(ByteBuffer src) {
        backend.upload(this, src);
    }

    @Override
    protected void download(ByteBuffer dst) {
        backend.download(this, dst);
    }
}
