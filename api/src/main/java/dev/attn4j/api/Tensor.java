package dev.attn4j.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A dense, row-major array in one backend's memory (device memory for a GPU, the Java heap or a
 * direct buffer for cpu). Created by {@link AttentionBackend#allocate}, {@link AttentionBackend#upload}
 * or {@link AttentionBackend#wrap}; usable only with the backend that made it.
 *
 * <p><b>Ordering.</b> Operations enqueue on the backend's stream in call order. {@link #copyToHost}
 * waits for every operation issued before it on the same backend, so what it returns includes
 * their results. {@link #copyFromHost} completes before it returns.
 *
 * <p><b>Lifetime.</b> {@link #close()} frees memory the tensor owns (a wrapped tensor never frees
 * the memory it wraps) and is idempotent; a closed tensor handed to any operation is rejected with
 * an {@link InvalidRequestException}.
 */
public interface Tensor extends AutoCloseable {

    DType dtype();

    /** The shape, outermost first (a copy). */
    int[] shape();

    /** Number of elements (product of the shape). */
    long numElements();

    /** Bytes: {@code numElements() * dtype().byteSize()}. */
    default long byteSize() {
        return numElements() * dtype().byteSize();
    }

    /** The backend whose memory this is. */
    AttentionBackend backend();

    /** True once {@link #close()} has run. */
    boolean isClosed();

    /** False for a tensor that wraps memory the host owns. */
    boolean ownsMemory();

    /**
     * Overwrites the whole tensor from a host buffer of exactly {@link #byteSize()} remaining
     * bytes, little-endian elements; the buffer's position is not changed.
     */
    void copyFromHost(ByteBuffer src);

    /**
     * Copies the whole tensor into a host buffer with at least {@link #byteSize()} remaining bytes,
     * little-endian elements, after waiting for earlier operations; the position is not changed.
     */
    void copyToHost(ByteBuffer dst);

    /** Frees owned memory; idempotent. */
    @Override
    void close();

    /** All bytes of the tensor in a new little-endian heap buffer. */
    default ByteBuffer toHostBuffer() {
        if (byteSize() > Integer.MAX_VALUE) {
            throw new InvalidRequestException("tensor.byteSize", byteSize(), "too large for one host buffer");
        }
        ByteBuffer b = ByteBuffer.allocate((int) byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        copyToHost(b);
        return b;
    }

    /** The elements of a 16-bit tensor as raw bits (BF16 or FP16). */
    default short[] toShortArray() {
        short[] out = new short[Math.toIntExact(numElements())];
        toHostBuffer().asShortBuffer().get(out);
        return out;
    }

    /** The elements of an FP32 tensor. */
    default float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numElements())];
        toHostBuffer().asFloatBuffer().get(out);
        return out;
    }

    /** The elements of a one-byte tensor (INT8 codes, FP8 bits). */
    default byte[] toByteArray() {
        return toHostBuffer().array();
    }

    /** Overwrites a 16-bit tensor from raw bits. */
    default void copyFrom(short[] bits) {
        InvalidRequestException.requireNonNull(bits, "bits");
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(bits);
        copyFromHost(b);
    }

    /** Overwrites an FP32 tensor. */
    default void copyFrom(float[] values) {
        InvalidRequestException.requireNonNull(values, "values");
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        copyFromHost(b);
    }

    /** Overwrites a one-byte tensor. */
    default void copyFrom(byte[] bytes) {
        InvalidRequestException.requireNonNull(bytes, "bytes");
        copyFromHost(ByteBuffer.wrap(bytes));
    }
}
