package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Tensor;

import java.util.Arrays;

/**
 * What every backend's tensor holds the same way: dtype, shape (checked: every dimension >= 1),
 * element count, owning backend, whether it owns its memory, and the closed flag. Subclasses add
 * the storage, the host copies and what closing frees.
 */
public abstract class AbstractTensor implements Tensor {
    private final AttentionBackend backend;
    private final DType dtype;
    private final int[] shape;
    private final long numElements;
    private final boolean owns;
    private volatile boolean closed;

    protected AbstractTensor(AttentionBackend backend, DType dtype, int[] shape, boolean owns) {
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.numElements = elements(shape);
        byteSize(dtype, shape);
        this.owns = owns;
    }

    /** The element count of a shape; every dimension must be >= 1 and the count must fit a long. */
    public static long elements(int[] shape) {
        if (shape == null) {
            throw new InvalidRequestException("shape", null, "required");
        }
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new InvalidRequestException("shape[" + i + "]", shape[i], "dimensions must be >= 1");
            }
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                throw new InvalidRequestException("shape", Arrays.toString(shape), "has more than 2^63-1 elements");
            }
        }
        return n;
    }

    /**
     * The bytes a tensor of this dtype and shape takes, checked: what every backend's allocate asks
     * for, so a count that overflows is rejected before any memory is asked for.
     */
    public static long byteSize(DType dtype, int[] shape) {
        if (dtype == null) {
            throw new InvalidRequestException("dtype", null, "required");
        }
        long n = elements(shape);
        if (n > Long.MAX_VALUE / dtype.byteSize()) {
            throw new InvalidRequestException("shape", Arrays.toString(shape),
                    "needs more than 2^63-1 bytes of " + dtype);
        }
        return n * dtype.byteSize();
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

    /** Closed by {@link #close()}, or with its backend: no tensor outlives the backend that made it. */
    @Override
    public boolean isClosed() {
        return closed || backend.isClosed();
    }

    @Override
    public boolean ownsMemory() {
        return owns;
    }

    /** Rejects a host buffer for copyFromHost whose remaining bytes are not exactly byteSize(). */
    protected final void checkUploadSize(java.nio.ByteBuffer src) {
        InvalidRequestException.requireNonNull(src, "src");
        if (src.remaining() != byteSize()) {
            throw new InvalidRequestException("src.remaining", src.remaining(), "must equal the tensor's byteSize=" + byteSize());
        }
    }

    /** Rejects a host buffer for copyToHost with fewer remaining bytes than byteSize(). */
    protected final void checkDownloadSize(java.nio.ByteBuffer dst) {
        InvalidRequestException.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new InvalidRequestException("dst", "read-only", "a download needs a writable buffer");
        }
        if (dst.remaining() < byteSize()) {
            throw new InvalidRequestException("dst.remaining", dst.remaining(), "must be >= the tensor's byteSize=" + byteSize());
        }
    }

    /** Marks the tensor closed; true the first time only (so subclasses free once). */
    protected final boolean markClosed() {
        boolean first = !closed;
        closed = true;
        return first;
    }

    /** Throws the "is closed" rejection if closed, or if its backend is. */
    protected final void checkOpen() {
        if (closed) {
            throw new InvalidRequestException("tensor", this, "is closed");
        }
        if (backend.isClosed()) {
            throw new InvalidRequestException("tensor", this, "its backend " + backend.name() + " is closed or failed");
        }
    }

    /**
     * The memory this tensor views, where another tensor could view it too (wrapped memory), so
     * that a call given two views of the same bytes as input and output can reject them; null when
     * it cannot alias any other tensor (memory the backend allocated for it alone, as seen by it).
     */
    protected MemoryRange memoryRange() {
        return null;
    }

    /**
     * Bytes {@code [start, start + length)} of {@code base}: a device address space or a host array,
     * compared by identity.
     */
    public record MemoryRange(Object base, long start, long length) {
        boolean overlaps(MemoryRange o) {
            return o != null && base == o.base && start < o.start + o.length && o.start < start + length;
        }
    }

    /** Whether two tensors view overlapping memory (wrapped views of one buffer, say). */
    public static boolean overlap(dev.attn4j.api.Tensor a, dev.attn4j.api.Tensor b) {
        if (a == b) {
            return true;
        }
        if (!(a instanceof AbstractTensor x) || !(b instanceof AbstractTensor y)) {
            return false;
        }
        MemoryRange r = x.memoryRange();
        return r != null && r.overlaps(y.memoryRange());
    }

    @Override
    public String toString() {
        return backend.name() + " " + dtype + Arrays.toString(shape) + (isClosed() ? " (closed)" : "");
    }
}
