package dev.attn4j.cpu;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;

import java.nio.ByteBuffer;

/**
 * Dequantizes one (block, offset, head) row of K or V, {@code headDim} values, into a float
 * array: the cpu backend's inner-loop dequantization. Nothing larger than a tile of rows is ever
 * dequantized; the cache itself is only read.
 *
 * <p>One reader is made per cache side (K or V) with that side's own scales, so the V path can
 * never pick up K's scale.
 */
final class KvRowReader {
    private final KvCacheSpec spec;
    private final ByteBuffer data;
    private final float[] callerScales;
    private final ByteBuffer dynamicScales;
    private final KvDType kvDtype;
    private final ScaleGranularity.Kind granularity;
    private final int headDim;
    private final int groupSize;
    private final Lanes lanes;
    /** Elements (codes) and dynamic scales from one head's row to the next head's, same token. */
    private final int headStride;
    private final int scaleHeadStride;

    /**
     * @param data          the K or V tensor's storage
     * @param callerScales  that side's caller-set scales (TENSOR, HEAD, CHANNEL), else null
     * @param dynamicScales that side's dynamic-scale storage (TOKEN, TOKEN_GROUP), else null
     * @param lanes         the loops that widen codes and apply scales
     */
    KvRowReader(KvCacheSpec spec, ByteBuffer data, float[] callerScales, ByteBuffer dynamicScales, Lanes lanes) {
        this.spec = spec;
        this.lanes = lanes;
        this.data = data;
        this.callerScales = callerScales;
        this.dynamicScales = dynamicScales;
        this.kvDtype = spec.kvDtype();
        this.granularity = spec.granularity().kind();
        this.headDim = spec.headDim();
        this.groupSize = granularity == ScaleGranularity.Kind.TOKEN_GROUP ? spec.granularity().groupSize() : headDim;
        this.headStride = (int) (spec.elementIndex(0, 0, 1, 0) - spec.elementIndex(0, 0, 0, 0));
        this.scaleHeadStride = granularity == ScaleGranularity.Kind.TOKEN
                ? (int) (spec.dynamicScaleIndex(0, 0, 1, 0) - spec.dynamicScaleIndex(0, 0, 0, 0)) : 0;
    }

    /** Writes the row's {@code headDim} dequantized values to {@code dst[dstOff ..]}. */
    void read(int block, int offset, int head, float[] dst, int dstOff) {
        int base = (int) spec.elementIndex(block, offset, head, 0);
        int d = headDim;
        switch (kvDtype) {
            case BF16:
                lanes.bf16(data, 2 * base, dst, dstOff, d);
                return;
            case FP16:
                lanes.fp16(data, 2 * base, dst, dstOff, d);
                return;
            default:
                break;
        }
        // One scale for the whole row (TENSOR, HEAD, TOKEN) is applied while the codes widen;
        // CHANNEL and TOKEN_GROUP scales take a second pass.
        float rowScale = rowScale(block, offset, head);
        float widen = Float.isNaN(rowScale) ? 1f : rowScale;
        if (kvDtype == KvDType.INT8) {
            lanes.int8(data, base, dst, dstOff, d, widen);
        } else {
            lanes.fp8(data, base, dst, dstOff, d, widen, kvDtype == KvDType.FP8_E4M3);
        }
        if (Float.isNaN(rowScale)) {
            applyPerDimScales(block, offset, head, dst, dstOff);
        }
    }

    /**
     * Whether the kernel may read this side's codes in place ({@link Lanes#scoreInt8}): an int8
     * cache on the heap whose rows have one scale each (TENSOR, HEAD, TOKEN). fp8 codes are not read
     * in place: a loop that decodes either format merges two vectors, which C2 (JDK 17) boxes.
     */
    boolean readsInPlace() {
        return kvDtype == KvDType.INT8 && data.hasArray() && (granularity == ScaleGranularity.Kind.TENSOR
                || granularity == ScaleGranularity.Kind.HEAD || granularity == ScaleGranularity.Kind.TOKEN);
    }

    /** The array the codes are in ({@link #readsInPlace} caches). */
    byte[] array() {
        return data.array();
    }

    /** Where row (block, offset, head)'s first code is in {@link #array}. */
    int codesAt(int block, int offset, int head) {
        return data.arrayOffset() + (int) spec.elementIndex(block, offset, head, 0);
    }

    /**
     * {@link #codesAt} and {@link #rowScale} of heads head0 ... head0 + heads - 1 of one token, into
     * {@code at[h][j]} and {@code scale[h][j]}: the index arithmetic done once for the token, the
     * heads a stride apart (the per-head calls were 8 % of a decode's samples).
     */
    void rowPlaces(int block, int offset, int head0, int heads, int[][] at, float[][] scale, int j) {
        int a0 = codesAt(block, offset, head0);
        for (int h = 0; h < heads; h++) {
            at[h][j] = a0 + h * headStride;
        }
        if (granularity == ScaleGranularity.Kind.TOKEN) {
            int s0 = 4 * (int) spec.dynamicScaleIndex(block, offset, head0, 0);
            for (int h = 0; h < heads; h++) {
                scale[h][j] = dynamicScales.getFloat(s0 + 4 * h * scaleHeadStride);
            }
        } else {
            for (int h = 0; h < heads; h++) {
                scale[h][j] = rowScale(block, offset, head0 + h);
            }
        }
    }

    /** The row's one scale, or NaN where its scales vary along the head dim (CHANNEL, TOKEN_GROUP). */
    float rowScale(int block, int offset, int head) {
        switch (granularity) {
            case TENSOR:
                return callerScales[0];
            case HEAD:
                return callerScales[head];
            case TOKEN:
                return dynamicScales.getFloat(4 * (int) spec.dynamicScaleIndex(block, offset, head, 0));
            case CHANNEL:
            case TOKEN_GROUP:
                return Float.NaN;
            default:
                throw new IllegalStateException("no scales for " + granularity);
        }
    }

    private void applyPerDimScales(int block, int offset, int head, float[] dst, int dstOff) {
        if (granularity == ScaleGranularity.Kind.CHANNEL) {
            lanes.multiply(dst, dstOff, callerScales, head * headDim, headDim);
            return;
        }
        int s0 = (int) spec.dynamicScaleIndex(block, offset, head, 0);
        for (int g = 0, c = 0; c < headDim; g++, c += groupSize) {
            scale(dst, dstOff + c, groupSize, dynamicScales.getFloat(4 * (s0 + g)));
        }
    }

    private void scale(float[] dst, int off, int n, float s) {
        lanes.scale(dst, off, n, s);
    }
}
