package dev.attn4j.conformance;

import dev.attn4j.api.DType;

/**
 * How close a backend's output must be to the float64 reference, by output dtype. The
 * reference starts from the exact values in the cache, so quantization error is not part of
 * the comparison; only the backend's arithmetic and output rounding are.
 *
 * <ul>
 *   <li><b>BF16 output</b>: rounding the output alone costs up to 2^-9 (0.2 %) relative per
 *       element. A tensor-core kernel also rounds the softmax weights P to bf16 before P.V
 *       (another 2^-9 per term, averaging down over the keys) and accumulates in float32.
 *       Allowed: relative L2 error 1e-2 and largest error 2e-2 of the largest reference
 *       magnitude, about 5x what those roundings produce. A real bug (V read with K's scale,
 *       a scale taken from the wrong head, one masked token too many or too few) costs
 *       far more; the suite's regression cases are built so it does.
 *   <li><b>FP16 output</b>: unit roundoff 2^-11; relative L2 3e-3, largest error 5e-3 of the
 *       largest reference magnitude.
 *   <li><b>LSE</b> (float32, natural log): absolute 2e-3 plus 1e-4 of |lse|: float32 logits of
 *       magnitude up to ~10 and an exp/log pair cost ~1e-5; a log2 / ln mix-up or a missing
 *       scale costs more than 0.1.
 * </ul>
 */
public final class Tolerances {
    private Tolerances() {
    }

    /** Largest relative L2 error allowed for an output of this dtype. */
    public static double relL2(DType out) {
        return out == DType.BF16 ? 1e-2 : 3e-3;
    }

    /** Largest element error allowed, as a fraction of the largest reference magnitude. */
    public static double maxErr(DType out) {
        return out == DType.BF16 ? 2e-2 : 5e-3;
    }

    /** Largest LSE error allowed for a reference LSE {@code ref}. */
    public static double lse(double ref) {
        return 2e-3 + 1e-4 * Math.abs(ref);
    }
}
