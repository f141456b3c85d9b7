package dev.attn4j.api.numeric;

import dev.attn4j.api.DType;

/** float to and from the two 16-bit query/output formats, chosen by {@link DType}. */
public final class HalfFormat {
    private HalfFormat() {
    }

    /** The value of a BF16 or FP16 element. */
    public static float toFloat(DType dtype, short bits) {
        return dtype == DType.BF16 ? Bf16.toFloat(bits) : MiniFloat.FP16.toFloat(bits & 0xFFFF);
    }

    /** The nearest BF16 or FP16 element, ties to even. */
    public static short fromFloat(DType dtype, float x) {
        return dtype == DType.BF16 ? Bf16.fromFloat(x) : (short) MiniFloat.FP16.fromFloat(x);
    }

    /** Rounds a float to the nearest value of a 16-bit dtype (a float again). */
    public static float round(DType dtype, float x) {
        return toFloat(dtype, fromFloat(dtype, x));
    }
}
