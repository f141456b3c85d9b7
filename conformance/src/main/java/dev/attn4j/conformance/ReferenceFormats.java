package dev.attn4j.conformance;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;

/**
 * The reference's own decoding of stored formats to double and nearest-value encoding, written
 * independently of {@code dev.attn4j.api.numeric} (decoding from the bit fields, encoding by
 * exhaustive search over every code) so that a bug there cannot hide in both.
 */
public final class ReferenceFormats {
    private static final double[] E4M3 = table(KvDType.FP8_E4M3);
    private static final double[] E5M2 = table(KvDType.FP8_E5M2);

    private ReferenceFormats() {
    }

    /** The value of a 16-bit element. */
    public static double half(DType dtype, short bits) {
        int b = bits & 0xFFFF;
        if (dtype == DType.BF16) {
            return Float.intBitsToFloat(b << 16);
        }
        int sign = b >>> 15;
        int e = (b >>> 10) & 0x1F;
        int m = b & 0x3FF;
        double v;
        if (e == 0x1F) {
            v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            v = m * Math.pow(2, -24);
        } else {
            v = (1 + m / 1024.0) * Math.pow(2, e - 15);
        }
        return sign == 1 ? -v : v;
    }

    /** The value of an FP8 code. */
    public static double fp8(KvDType dtype, int code) {
        return (dtype == KvDType.FP8_E4M3 ? E4M3 : E5M2)[code & 0xFF];
    }

    private static double[] table(KvDType dtype) {
        double[] t = new double[256];
        for (int code = 0; code < 256; code++) {
            int sign = code >>> 7;
            double v;
            if (dtype == KvDType.FP8_E4M3) {
                int e = (code >>> 3) & 0xF;
                int m = code & 7;
                if (e == 15 && m == 7) {
                    v = Double.NaN;
                } else if (e == 0) {
                    v = m / 8.0 * Math.pow(2, -6);
                } else {
                    v = (1 + m / 8.0) * Math.pow(2, e - 7);
                }
            } else {
                int e = (code >>> 2) & 0x1F;
                int m = code & 3;
                if (e == 31) {
                    v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
                } else if (e == 0) {
                    v = m / 4.0 * Math.pow(2, -14);
                } else {
                    v = (1 + m / 4.0) * Math.pow(2, e - 15);
                }
            }
            t[code] = sign == 1 ? -v : v;
        }
        return t;
    }

    /**
     * The FP8 value nearest to {@code x} (ties to the even code), saturating at the largest
     * finite magnitude: found by scanning every non-negative finite code.
     */
    public static double nearestFp8(KvDType dtype, double x) {
        double[] t = dtype == KvDType.FP8_E4M3 ? E4M3 : E5M2;
        double a = Math.abs(x);
        double best = 0;
        int bestCode = 0;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int code = 0; code < 128; code++) {
            double v = t[code];
            if (!Double.isFinite(v)) {
                continue;
            }
            double dist = Math.abs(v - a);
            if (dist < bestDist || (dist == bestDist && (code & 1) == 0)) {
                best = v;
                bestCode = code;
                bestDist = dist;
            }
        }
        if (bestCode < 0) {
            throw new IllegalStateException();
        }
        return x < 0 ? -best : best;
    }

    /** The INT8 code nearest to {@code x}, ties to even, clamped to [-127, 127]. */
    public static double nearestInt8(double x) {
        return Math.max(-127, Math.min(127, Math.rint(x)));
    }

    /**
     * Nearest representable value of a quantized KV dtype. Non-finite input, as attn4j defines it for
     * every backend: NaN stores 0, an infinity saturates to the format's finite max (of its sign).
     */
    public static double nearestCode(KvDType dtype, double x) {
        if (Double.isNaN(x)) {
            return 0;
        }
        if (Double.isInfinite(x)) {
            return Math.signum(x) * dtype.maxCode();
        }
        return dtype == KvDType.INT8 ? nearestInt8(x) : nearestFp8(dtype, x);
    }

    /** The value of a stored one-byte code. */
    public static double code(KvDType dtype, byte code) {
        return dtype == KvDType.INT8 ? code : fp8(dtype, code);
    }
}
