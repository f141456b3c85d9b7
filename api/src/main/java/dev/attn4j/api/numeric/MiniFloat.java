package dev.attn4j.api.numeric;

/**
 * A small binary floating-point format (1 sign bit, {@code e} exponent bits, {@code m} mantissa
 * bits) with round-to-nearest-even encoding from float. Used for IEEE half and the two OCP FP8
 * formats; bfloat16 has its own faster path in {@link Bf16}.
 *
 * <p>Overflow: a format that {@code saturates} (the FP8 KV formats, as quantization requires)
 * maps every value beyond its largest finite magnitude, infinities included, to that magnitude;
 * IEEE half overflows to infinity. NaN stays NaN.
 */
public final class MiniFloat {
    /** IEEE 754 binary16: max 65504, overflow to infinity. */
    public static final MiniFloat FP16 = new MiniFloat("FP16", 5, 10, true, false);
    /** OCP FP8 E4M3 ("e4m3fn"): max 448, no infinities, one NaN per sign (S.1111.111); saturating. */
    public static final MiniFloat FP8_E4M3 = new MiniFloat("FP8_E4M3", 4, 3, false, true);
    /** OCP FP8 E5M2: max 57344, IEEE-like infinities and NaNs; saturating when encoding. */
    public static final MiniFloat FP8_E5M2 = new MiniFloat("FP8_E5M2", 5, 2, true, true);

    private final String name;
    private final int expBits;
    private final int mantBits;
    private final int bias;
    private final boolean ieeeSpecials;
    private final boolean saturate;
    private final int minNormalExp;
    private final double maxFinite;
    private final int maxFiniteBits;
    private final int nanBits;
    private final float[] decodeTable;

    private MiniFloat(String name, int expBits, int mantBits, boolean ieeeSpecials, boolean saturate) {
        this.name = name;
        this.expBits = expBits;
        this.mantBits = mantBits;
        this.bias = (1 << (expBits - 1)) - 1;
        this.ieeeSpecials = ieeeSpecials;
        this.saturate = saturate;
        this.minNormalExp = 1 - bias;
        int maxExpField = ieeeSpecials ? (1 << expBits) - 2 : (1 << expBits) - 1;
        int maxMant = ieeeSpecials ? (1 << mantBits) - 1 : (1 << mantBits) - 2;
        this.maxFinite = (1 + maxMant / (double) (1 << mantBits)) * Math.scalb(1.0, maxExpField - bias);
        this.maxFiniteBits = (maxExpField << mantBits) | maxMant;
        this.nanBits = ieeeSpecials ? (((1 << expBits) - 1) << mantBits) | (1 << (mantBits - 1)) : (1 << (expBits + mantBits)) - 1;
        int codes = 1 << (1 + expBits + mantBits);
        this.decodeTable = new float[codes];
        for (int b = 0; b < codes; b++) {
            decodeTable[b] = decodeSlow(b);
        }
    }

    /** Bits per value: {@code 1 + expBits + mantBits}. */
    public int bits() {
        return 1 + expBits + mantBits;
    }

    /** The largest finite magnitude. */
    public double maxFinite() {
        return maxFinite;
    }

    /** The value of a code (its low {@link #bits()} bits are used). */
    public float toFloat(int bits) {
        return decodeTable[bits & (decodeTable.length - 1)];
    }

    /** The nearest code to {@code x}, ties to even, saturating or overflowing as the format says. */
    public int fromFloat(float x) {
        int signBit = (Float.floatToRawIntBits(x) >>> 31) << (expBits + mantBits);
        if (Float.isNaN(x)) {
            return signBit | nanBits;
        }
        double a = Math.abs((double) x);
        if (Double.isInfinite(a)) {
            return signBit | (saturate ? maxFiniteBits : infBits());
        }
        int e = a == 0 ? minNormalExp : Math.max(Math.getExponent(a), minNormalExp);
        double quantum = Math.scalb(1.0, e - mantBits);
        double r = Math.rint(a / quantum) * quantum;
        if (r > maxFinite) {
            return signBit | (saturate || !ieeeSpecials ? maxFiniteBits : infBits());
        }
        if (r == 0) {
            return signBit;
        }
        int re = Math.getExponent(r);
        if (re < minNormalExp) {
            return signBit | (int) (r / Math.scalb(1.0, minNormalExp - mantBits));
        }
        int mant = (int) ((Math.scalb(r, -re) - 1.0) * (1 << mantBits));
        return signBit | ((re + bias) << mantBits) | mant;
    }

    private int infBits() {
        return ((1 << expBits) - 1) << mantBits;
    }

    private float decodeSlow(int b) {
        int sign = (b >>> (expBits + mantBits)) & 1;
        int exp = (b >>> mantBits) & ((1 << expBits) - 1);
        int mant = b & ((1 << mantBits) - 1);
        double v;
        if (ieeeSpecials && exp == (1 << expBits) - 1) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (!ieeeSpecials && exp == (1 << expBits) - 1 && mant == (1 << mantBits) - 1) {
            v = Double.NaN;
        } else if (exp == 0) {
            v = mant * Math.scalb(1.0, minNormalExp - mantBits);
        } else {
            v = (1 + mant / (double) (1 << mantBits)) * Math.scalb(1.0, exp - bias);
        }
        return (float) (sign == 1 ? -v : v);
    }

    @Override
    public String toString() {
        return name;
    }
}
