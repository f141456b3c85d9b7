package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Tensor;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A tensor in device memory. Owned memory is freed by {@link #close()}, or, if the tensor is
 * leaked, by a {@link Cleaner} that frees it and logs the leak. Wrapped memory is never freed.
 */
final class CudaTensor implements Tensor {
    private static final Cleaner CLEANER = Cleaner.create();
    private final CudaBackend backend;
    private final DType dtype;
    private final int[] shape;
    private final long numElements;
    private final boolean owns;
    private final DevPtr ptr;
    private final DeviceFree free;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** @param free how to free owned memory, or null for wrapped memory */
    CudaTensor(CudaBackend backend, DType dtype, int[] shape, long numElements, DevPtr ptr, DeviceFree free) {
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.numElements = numElements;
        this.ptr = ptr;
        this.owns = free != null;
        this.free = free;
        this.cleanable = free == null ? null : CLEANER.register(this, free);
    }

    static long elements(int[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new InvalidRequestException("shape[" + i + "]", shape[i], "dimensions must be >= 1");
            }
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    DevPtr ptr() {
        if (closed) {
            throw new InvalidRequestException("tensor", this, "is closed");
        }
        return ptr;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public long numElements() {
        return numElements;
    }

    @Override
    public AttentionBackend backend() {
        return backend;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean ownsMemory() {
        return owns;
    }

    @Override
    public void copyFromHost(ByteBuffer src) {
        if (src.remaining() != byteSize()) {
            throw new InvalidRequestException("src.remaining", src.remaining(), "must equal the tensor's byteSize=" + byteSize());
        }
        backend.upload(this, src);
    }

    @Override
    public void copyToHost(ByteBuffer dst) {
        if (dst.remaining() < byteSize()) {
            throw new InvalidRequestException("dst.remaining", dst.remaining(), "must be >= the tensor's byteSize=" + byteSize());
        }
        backend.download(this, dst);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (cleanable != null) {
                free.closedExplicitly();
                cleanable.clean();
            }
        }
    }

    @Override
    public String toString() {
        return "cuda " + dtype + Arrays.toString(shape) + (closed ? " (closed)" : "");
    }
}
