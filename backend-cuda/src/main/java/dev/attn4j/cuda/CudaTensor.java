package dev.attn4j.cuda;

import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.support.AbstractTensor;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * A tensor in device memory. Owned memory is freed by {@link #close()}, or, if the tensor is
 * leaked, by a {@link Cleaner} that frees it and logs the leak. Wrapped memory is never freed.
 */
final class CudaTensor extends AbstractTensor {
    private static final Cleaner CLEANER = Cleaner.create();
    private final CudaBackend backend;
    private final DevPtr ptr;
    private final DeviceFree free;
    private final Cleaner.Cleanable cleanable;

    /** @param free how to free owned memory, or null for wrapped memory */
    CudaTensor(CudaBackend backend, DType dtype, int[] shape, DevPtr ptr, DeviceFree free) {
        super(backend, dtype, shape, free != null);
        this.backend = backend;
        this.ptr = ptr;
        this.free = free;
        this.cleanable = free == null ? null : CLEANER.register(this, free);
    }

    DevPtr ptr() {
        checkOpen();
        return ptr;
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
        if (markClosed() && cleanable != null) {
            free.closedExplicitly();
            cleanable.clean();
        }
    }
}
