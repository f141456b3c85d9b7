package dev.attn4j.cpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.support.AbstractTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A cpu tensor: a little-endian {@link ByteBuffer} on the heap, or a wrapped host buffer. */
final class CpuTensor extends AbstractTensor {
    private volatile ByteBuffer buf;

    CpuTensor(CpuBackend backend, DType dtype, int[] shape, ByteBuffer buf, boolean owns) {
        super(backend, dtype, shape, owns);
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The storage, for kernels; absolute indexing from 0. Unusable once this tensor or its backend is closed. */
    ByteBuffer buf() {
        ByteBuffer b = buf;
        checkOpen();
        return b;
    }

    /** A wrapped heap buffer's bytes, by its array; null for memory this tensor owns or a direct buffer. */
    @Override
    protected MemoryRange memoryRange() {
        ByteBuffer b = buf;
        if (ownsMemory() || b == null || !b.hasArray()) {
            return null;
        }
        return new MemoryRange(b.array(), b.arrayOffset(), byteSize());
    }

    @Override
    public void copyFromHost(ByteBuffer src) {
        ByteBuffer b = buf();
        checkUploadSize(src);
        b.duplicate().position(0).put(src.duplicate());
    }

    @Override
    public void copyToHost(ByteBuffer dst) {
        ByteBuffer b = buf();
        checkDownloadSize(dst);
        ByteBuffer from = b.duplicate();
        from.position(0).limit((int) byteSize());
        dst.duplicate().put(from);
    }

    @Override
    public void close() {
        if (markClosed()) {
            buf = null;
        }
    }
}
