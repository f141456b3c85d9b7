package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.numeric.HalfFormat;
import dev.attn4j.api.numeric.MiniFloat;
import dev.attn4j.conformance.ReferenceQuantizer;

/**
 * The values a cache of a format holds for given K or V, in float64: the input rounded to the
 * 16-bit type a host appends ({@link #input}), then, for 8-bit formats, divided by its scale in
 * float32, rounded to the nearest code (ties to even, saturating) and multiplied back: what the
 * conformance suite requires of every backend's append, so these are the values any conforming
 * backend stores, without running one. (The codes come from the api's encoders, which are fast;
 * {@code StoredValuesTest} holds them to {@link ReferenceQuantizer}.)
 */
final class StoredValues {
    private StoredValues() {
    }

    /** The 16-bit type K and V are appended as: fp16 for an fp16 cache, else bf16 (what most models run). */
    static DType input(KvFormat f) {
        return f.dtype() == KvDType.FP16 ? DType.FP16 : DType.BF16;
    }

    /**
     * @param x            {@code [tokens][heads][dim]}
     * @param callerScales the side's caller scales (K or V); empty for dynamic and 16-bit formats
     */
    static double[] of(KvFormat f, double[] x, int heads, int dim, float[] callerScales) {
        DType input = input(f);
        double[] in = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            in[i] = HalfFormat.round(input, (float) x[i]);
        }
        KvDType dtype = f.dtype();
        if (!dtype.isQuantized()) {
            return in;   // stored as appended
        }
        ScaleGranularity g = f.granularity();
        // Channels sharing one dynamic scale; 0 for caller-set scales.
        int group = g.kind() == ScaleGranularity.Kind.TOKEN ? dim
                : g.kind() == ScaleGranularity.Kind.TOKEN_GROUP ? g.groupSize() : 0;
        int step = group == 0 ? dim : group;
        double[] out = new double[x.length];
        int tokens = x.length / (heads * dim);
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * dim;
                for (int c0 = 0; c0 < dim; c0 += step) {
                    double dynamicScale = 0;
                    if (group != 0) {
                        double absmax = 0;
                        for (int c = c0; c < c0 + step; c++) {
                            absmax = Math.max(absmax, Math.abs(in[o + c]));
                        }
                        dynamicScale = ReferenceQuantizer.dynamicScale(absmax, dtype);
                    }
                    for (int c = c0; c < c0 + step; c++) {
                        double s = group != 0 ? dynamicScale : callerScale(g, callerScales, h, c, dim);
                        out[o + c] = code(dtype, (float) (in[o + c] / s)) * s;
                    }
                }
            }
        }
        return out;
    }

    /** The value of the code nearest {@code r}. */
    static double code(KvDType dtype, float r) {
        switch (dtype) {
            case INT8: return Math.max(-127, Math.min(127, Math.rint(r)));
            case FP8_E4M3: return MiniFloat.FP8_E4M3.toFloat(MiniFloat.FP8_E4M3.fromFloat(r));
            case FP8_E5M2: return MiniFloat.FP8_E5M2.toFloat(MiniFloat.FP8_E5M2.fromFloat(r));
            default: throw new IllegalArgumentException("not an 8-bit format: " + dtype);
        }
    }

    private static double callerScale(ScaleGranularity g, float[] s, int head, int channel, int dim) {
        switch (g.kind()) {
            case TENSOR: return s[0];
            case HEAD: return s[head];
            case CHANNEL: return s[head * dim + channel];
            default: throw new IllegalArgumentException("not caller-set: " + g);
        }
    }
}
