package dev.attn4j.api.numeric;

/** bfloat16 (the top 16 bits of a float32) with round-to-nearest-even encoding. */
public final class Bf16 {
    private Bf16() {
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Nearest bfloat16, ties to even; NaN stays a (quiet) NaN, overflow goes to infinity. */
    public static short fromFloat(float x) {
        int b = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (short) ((b >>> 16) | 0x0040);
        }
        int lsb = (b >>> 16) & 1;
        return (short) ((b + 0x7FFF + lsb) >>> 16);
    }
}
