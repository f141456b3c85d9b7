package dev.attn4j.api;

/**
 * Element types of {@link Tensor}s. Queries, outputs and the K/V handed to append are
 * {@link #BF16} or {@link #FP16}; log-sum-exp and scales are {@link #FP32}; quantized caches hold
 * {@link #INT8} or FP8 codes. Multi-byte elements are little-endian in host buffers.
 */
public enum DType {
    BF16(2),
    FP16(2),
    FP32(4),
    INT32(4),
    INT8(1),
    FP8_E4M3(1),
    FP8_E5M2(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the two 16-bit float types that queries, outputs and appended K/V may use. */
    public boolean isHalf() {
        return this == BF16 || this == FP16;
    }
}
