package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A cpu tensor: a little-endian {@link ByteBuffer} on the heap, or a wrapped host buffer. */
final class CpuTensor implements Tensor {
    private final CpuBackend backend;
    private final DType dtype;
    private final int[] shape;
    private final long numElements;
    private final boolean owns;
    private volatile ByteBuffer buf;

    CpuTensor(CpuBackend backend, DType dtype, int[] shape, ByteBuffer buf, boolean owns) {
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.numElements = elements(shape);
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        this.owns = owns;
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

    /** The storage, for kernels; absolute indexing from 0. */
    ByteBuffer buf() {
        ByteBuffer b = buf;
        if (b == null) {
            throw new InvalidRequestException("tensor", this, "is closed");
        }
        return b;
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
        return buf == null;
    }

    @Override
    public boolean ownsMemory() {
        return owns;
    }

    @Override
    public void copyFromHost(ByteBuffer src) {
        ByteBuffer b = buf();
        if (src.remaining() != byteSize()) {
            throw new InvalidRequestException("src.remaining", src.remaining(), "must equal the tensor's byteSize=" + byteSize());
        }
        b.duplicate().position(0).put(src.duplicate());
    }

    @Override
    public void copyToHost(ByteBuffer dst) {
        ByteBuffer b = buf();
        if (dst.remaining() < byteSize()) {
            throw new InvalidRequestException("dst.remaining", dst.remaining(), "must be >= the tensor's byteSize=" + byteSize());
        }
        ByteBuffer from = b.duplicate();
        from.position(0).limit((int) byteSize());
        dst.duplicate().put(from);
    }

    @Override
    public void close() {
        buf = null;
    }

    @Override
    public String toString() {
        return "cpu " + dtype + Arrays.toString(shape) + (buf == null ? " (closed)" : "");
    }
}
