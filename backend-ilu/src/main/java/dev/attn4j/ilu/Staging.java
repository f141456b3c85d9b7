package dev.attn4j.ilu;

import dev.attn4j.api.DType;
import dev.attn4j.cudadriver.DriverTensor;

import java.util.function.LongFunction;

/**
 * The backend's staging cache: device memory for the dequantized K and V of a staged plan's
 * referenced blocks. Nothing is allocated until a staged plan first runs; then it is reused by
 * every layer and step, grown (never shrunk) when a plan needs more, and freed when the backend
 * closes. Plans that do not stage never touch it, and callers never pass it.
 */
final class Staging {
    private final LongFunction<DriverTensor> allocate;
    private final Runnable quiesce;
    private DriverTensor keys;
    private DriverTensor values;
    private long sideBytes;

    /**
     * @param allocate allocates a device tensor of at least the given bytes
     * @param quiesce  waits until no queued kernel can still be reading the old buffers
     */
    Staging(LongFunction<DriverTensor> allocate, Runnable quiesce) {
        this.allocate = allocate;
        this.quiesce = quiesce;
    }

    /** Makes sure each side holds at least {@code bytesPerSide}; grows (reallocates) if not. */
    void ensure(long bytesPerSide) {
        if (bytesPerSide <= sideBytes) {
            return;
        }
        release();
        keys = allocate.apply(bytesPerSide);
        try {
            values = allocate.apply(bytesPerSide);
        } catch (RuntimeException e) {
            keys.close();
            keys = null;
            throw e;
        }
        sideBytes = bytesPerSide;
    }

    DriverTensor keys() {
        return keys;
    }

    DriverTensor values() {
        return values;
    }

    /** Device bytes the staging holds now (K and V); 0 until a staged plan runs. */
    long allocatedBytes() {
        return 2 * sideBytes;
    }

    /** Frees both sides (after the queued work that may read them). */
    void release() {
        if (keys == null) {
            return;
        }
        quiesce.run();
        keys.close();
        values.close();
        keys = null;
        values = null;
        sideBytes = 0;
    }

    /** A device tensor of {@code bytes} (rounded up to 16): FP32 elements, as the count may pass 2^31 halves. */
    static DriverTensor allocateBytes(IluBackend backend, long bytes) {
        return backend.allocateDevice(DType.FP32, Math.toIntExact((bytes + 15) / 16 * 4));
    }
}
