package dev.attn4j.cudadriver;

import dev.attn4j.api.DType;
import dev.attn4j.api.support.BackendHealth;
import dev.attn4j.api.support.DeviceMemoryRelease;
import dev.attn4j.api.support.DeviceTensor;

import java.nio.ByteBuffer;

/**
 * A tensor in the device memory of a {@link DriverBackend}: owned (freed on close, or by the Cleaner
 * if leaked) or wrapped. Its pointer is what the backends' parameter blocks carry.
 */
public final class DriverTensor extends DeviceTensor {
    private final DevicePointer ptr;

    /** @param release how to free owned memory ({@link #release}), or null for wrapped memory */
    DriverTensor(DriverBackend<?> backend, DType dtype, int[] shape, DevicePointer ptr, DeviceMemoryRelease release) {
        super(backend, dtype, shape, release);
        this.ptr = ptr;
    }

    /** Frees owned memory through the backend, under its lock ({@link DriverBackend#freeMemory}). */
    static DeviceMemoryRelease release(DriverBackend<?> backend, DevicePointer ptr, String what, BackendHealth health) {
        return DeviceMemoryRelease.of(backend.name(), what, health, () -> backend.freeMemory(ptr));
    }

    public DevicePointer ptr() {
        checkOpen();
        return ptr;
    }

    /** Its bytes in the context's address space: wrapped pointers may alias other tensors. */
    @Override
    protected MemoryRange memoryRange() {
        return new MemoryRange(backend(), ptr.address(), byteSize());
    }

    @Override
    protected void upload(ByteBuffer src) {
        ((DriverBackend<?>) backend()).upload(this, src);
    }

    @Override
    protected void download(ByteBuffer dst) {
        ((DriverBackend<?>) backend()).download(this, dst);
    }
}
