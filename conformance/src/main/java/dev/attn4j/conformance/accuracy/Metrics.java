package dev.attn4j.conformance.accuracy;

/**
 * How far one attention result is from another (the reference), over every query row and head:
 * the same measures the conformance suite judges backends by.
 *
 * @param relL2  {@code ||out - ref||_2 / ||ref||_2} over all output elements
 * @param maxErr {@code max |out - ref| / max |ref|}
 * @param lseErr {@code max |lse - lse_ref|} (natural log)
 * @param kl     mean over rows of the attention weights' {@code KL(p_ref || p)} in nats; NaN where the
 *               weights are not known (a backend's result: it returns only the output and LSE)
 */
public record Metrics(double relL2, double maxErr, double lseErr, double kl) {

    static Metrics between(double[] out, double[] lse, double[] refOut, double[] refLse, double kl) {
        double errSq = 0;
        double refSq = 0;
        double maxAbs = 0;
        double maxRef = 0;
        for (int i = 0; i < out.length; i++) {
            double e = out[i] - refOut[i];
            errSq += e * e;
            refSq += refOut[i] * refOut[i];
            maxAbs = Math.max(maxAbs, Math.abs(e));
            maxRef = Math.max(maxRef, Math.abs(refOut[i]));
        }
        double lseErr = 0;
        for (int i = 0; i < lse.length; i++) {
            lseErr = Math.max(lseErr, Math.abs(lse[i] - refLse[i]));
        }
        return new Metrics(Math.sqrt(errSq / refSq), maxAbs / maxRef, lseErr, kl);
    }
}
