package dev.attn4j.cpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.numeric.HalfFormat;
import dev.attn4j.api.numeric.MiniFloat;

import java.nio.ByteBuffer;

/**
 * Append: writes one token's K or V rows into the cache, quantizing as the spec says.
 *
 * <ul>
 *   <li>16-bit caches: the bits are copied.
 *   <li>Caller scales: {@code code = round(x / s)}, x / s in float32, ties to even, saturating
 *       (INT8 at +-127, FP8 at the format's max).
 *   <li>TOKEN / TOKEN_GROUP: {@code s = absmax / maxCode} over the finite values of the row (or
 *       group), computed in double and rounded to float32; {@code s = 1} for a row with no nonzero
 *       finite value and at least the smallest normal float, so it is never zero; then as above.
 *   <li>Non-finite input (every backend alike): NaN stores code 0, an infinity saturates.
 * </ul>
 */
final class CpuQuantizer {
    private final KvCacheSpec spec;
    private final KvDType kvDtype;
    private final int headDim;
    private final int groupSize;
    private final MiniFloat fp8;

    CpuQuantizer(KvCacheSpec spec) {
        this.spec = spec;
        this.kvDtype = spec.kvDtype();
        this.headDim = spec.headDim();
        this.groupSize = spec.granularity().kind() == ScaleGranularity.Kind.TOKEN_GROUP
                ? spec.granularity().groupSize() : headDim;
        this.fp8 = kvDtype == KvDType.FP8_E4M3 ? MiniFloat.FP8_E4M3
                : kvDtype == KvDType.FP8_E5M2 ? MiniFloat.FP8_E5M2 : null;
    }

    /** The dynamic scale for a row or group whose largest magnitude is {@code absmax}. */
    static float dynamicScale(float absmax, double maxCode) {
        if (absmax == 0f) {
            return 1f;
        }
        return Math.max((float) (absmax / maxCode), Float.MIN_NORMAL);
    }

    /**
     * Writes row {@code (token, head)} of the source tensor into (block, offset, head) of the cache.
     *
     * @param src          the appended K or V storage, {@code [n][numKvHeads][headDim]} of {@code srcType}
     * @param dst          the cache's K or V storage
     * @param callerScales this side's caller-set scales, or null
     * @param dynScales    this side's dynamic-scale storage, or null
     * @param row          scratch of headDim floats
     */
    void writeRow(ByteBuffer src, DType srcType, int token, int head, ByteBuffer dst, float[] callerScales,
                  ByteBuffer dynScales, int block, int offset, float[] row) {
        int srcBase = (token * spec.numKvHeads() + head) * headDim;
        int dstBase = (int) spec.elementIndex(block, offset, head, 0);
        if (!kvDtype.isQuantized()) {
            for (int c = 0; c < headDim; c++) {
                dst.putShort(2 * (dstBase + c), src.getShort(2 * (srcBase + c)));
            }
            return;
        }
        for (int c = 0; c < headDim; c++) {
            row[c] = HalfFormat.toFloat(srcType, src.getShort(2 * (srcBase + c)));
        }
        switch (spec.granularity().kind()) {
            case TENSOR:
                for (int c = 0; c < headDim; c++) {
                    dst.put(dstBase + c, encode(row[c] / callerScales[0]));
                }
                break;
            case HEAD:
                for (int c = 0; c < headDim; c++) {
                    dst.put(dstBase + c, encode(row[c] / callerScales[head]));
                }
                break;
            case CHANNEL:
                for (int c = 0; c < headDim; c++) {
                    dst.put(dstBase + c, encode(row[c] / callerScales[head * headDim + c]));
                }
                break;
            default: {
                int s0 = (int) spec.dynamicScaleIndex(block, offset, head, 0);
                for (int g = 0, c0 = 0; c0 < headDim; g++, c0 += groupSize) {
                    float absmax = 0f;
                    for (int c = c0; c < c0 + groupSize; c++) {
                        if (Float.isFinite(row[c])) {   // NaN and infinities do not set the scale
                            absmax = Math.max(absmax, Math.abs(row[c]));
                        }
                    }
                    float s = dynamicScale(absmax, kvDtype.maxCode());
                    dynScales.putFloat(4 * (s0 + g), s);
                    for (int c = c0; c < c0 + groupSize; c++) {
                        dst.put(dstBase + c, encode(row[c] / s));
                    }
                }
            }
        }
    }

    /** Nearest code, saturating; NaN stores 0 (every backend does the same). */
    private byte encode(float r) {
        if (Float.isNaN(r)) {
            return 0;
        }
        if (fp8 != null) {
            return (byte) fp8.fromFloat(r);
        }
        float q = (float) Math.rint(r);
        return (byte) Math.max(-127f, Math.min(127f, q));
    }
}
