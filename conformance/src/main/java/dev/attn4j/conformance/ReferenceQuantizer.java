package dev.attn4j.conformance;

import dev.attn4j.api.KvDType;

/**
 * What append must write, in float64: the dynamic scale of a row or group and the set of codes
 * acceptable for a value. A code is accepted if it is the nearest code (ties to even, saturating)
 * to {@code x / s} perturbed by at most one part in 10^6: the quotient is exact in float64 but a
 * backend computes it in float32, which may move a value sitting on a rounding boundary (a tie)
 * to the neighbouring code. Anything further off is a bug.
 */
public final class ReferenceQuantizer {
    static final double TIE_SLACK = 1e-6;

    private ReferenceQuantizer() {
    }

    /**
     * The scale append must store for a row or group with largest finite magnitude {@code absmax}
     * (NaN and infinities are left out): {@code absmax / maxCode} rounded to float32, at least the
     * smallest normal float, and 1 for a row with no nonzero finite value.
     */
    public static float dynamicScale(double absmax, KvDType dtype) {
        if (absmax == 0) {
            return 1f;
        }
        return Math.max((float) (absmax / dtype.maxCode()), Float.MIN_NORMAL);
    }

    /** True if {@code codeValue} (a decoded code) is an acceptable quantization of {@code x} with scale {@code s}. */
    public static boolean accepts(KvDType dtype, double x, double s, double codeValue) {
        double r = x / s;
        return codeValue == ReferenceFormats.nearestCode(dtype, r)
                || codeValue == ReferenceFormats.nearestCode(dtype, r * (1 - TIE_SLACK))
                || codeValue == ReferenceFormats.nearestCode(dtype, r * (1 + TIE_SLACK));
    }

    /** The nearest code value to {@code x / s}. */
    public static double expected(KvDType dtype, double x, double s) {
        return ReferenceFormats.nearestCode(dtype, x / s);
    }
}
