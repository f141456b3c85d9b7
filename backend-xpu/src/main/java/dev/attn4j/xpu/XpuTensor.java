package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.support.BackendHealth;
import dev.attn4j.api.support.DeviceMemoryRelease;
import dev.attn4j.api.support.DeviceTensor;

import java.nio.ByteBuffer;

/** A tensor in device memory, freed on close (or by the Cleaner, which logs the leak). */
final class XpuTensor extends DeviceTensor {
    private final DeviceBuffer buffer;

    XpuTensor(XpuBackend backend, DType dtype, int[] shape, DeviceBuffer buffer, DeviceMemoryRelease release) {
        super(backend, dtype, shape, release);
        this.buffer = buffer;
    }

    /** Frees the buffer through the backend, unless the backend failed (its device may be gone). */
    static DeviceMemoryRelease release(XpuBackend backend, DeviceBuffer buffer, String what, BackendHealth health) {
        return DeviceMemoryRelease.of(XpuBackendProvider.NAME, what, health, () -> {
            if (!health.isFailed()) {
                backend.free(buffer);
            }
        });
    }

    DeviceBuffer buffer() {
        checkOpen();
        return buffer;
    }

    @Override
    protected void upload(ByteBuffer src) {
        ((XpuBackend) backend()).upload(this, src);
    }

    @Override
    protected void download(ByteBuffer dst) {
        ((XpuBackend) backend()).download(this, dst);
    }
}
