package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.support.AbstractTensor;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * A tensor in device memory. {@link #close()} frees it; a tensor nobody closed is freed by a
 * {@link Cleaner} that logs the leak ({@link BufferFree}).
 */
final class XpuTensor extends AbstractTensor {
    private static final Cleaner CLEANER = Cleaner.create();
    private final XpuBackend backend;
    private final DeviceBuffer buffer;
    private final BufferFree free;
    private final Cleaner.Cleanable cleanable;

    XpuTensor(XpuBackend backend, DType dtype, int[] shape, DeviceBuffer buffer, BufferFree free) {
        super(backend, dtype, shape, true);
        this.backend = backend;
        this.buffer = buffer;
        this.free = free;
        this.cleanable = CLEANER.register(this, free);
    }

    DeviceBuffer buffer() {
        checkOpen();
        return buffer;
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
        if (markClosed()) {
            free.closedExplicitly();
            cleanable.clean();
        }
    }
}
