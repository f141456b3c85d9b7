package dev.attn4j.conformance;

/**
 * Attention in float64, written for clarity rather than speed: the oracle every backend is
 * compared with. Inputs are exact values (the 16-bit queries as stored, the K/V values dequantized
 * from the codes and scales actually in the cache), so the only differences a backend may show
 * are its own arithmetic and the rounding of its output.
 */
public final class ReferenceAttention {
    private ReferenceAttention() {
    }

    /** Output {@code [numTokens][numQoHeads][headDim]} and LSE {@code [numTokens][numQoHeads]} (natural log). */
    public record Result(double[] out, double[] lse) {
    }

    /**
     * @param qLens   new tokens per sequence
     * @param kvLens  cached tokens per sequence (incl. the new ones)
     * @param q       {@code [numTokens][numQoHeads][headDim]}
     * @param k       per sequence {@code [kvLen][numKvHeads][headDim]}
     * @param v       per sequence, as k
     * @param scale   multiplies q.k
     * @param causal  bottom-right causal mask
     * @param window  sliding window (tokens seen incl. itself), 0 = none
     * @param softCap logit soft-cap, 0 = none
     */
    public static Result run(int[] qLens, int[] kvLens, double[] q, double[][] k, double[][] v, int numQoHeads,
                             int numKvHeads, int headDim, double scale, boolean causal, int window, double softCap) {
        int tokens = 0;
        for (int n : qLens) {
            tokens += n;
        }
        int group = numQoHeads / numKvHeads;
        double[] out = new double[tokens * numQoHeads * headDim];
        double[] lse = new double[tokens * numQoHeads];
        int[] seqOfRow = new int[tokens];
        int[] posOfRow = new int[tokens];
        int row = 0;
        for (int s = 0; s < qLens.length; s++) {
            for (int j = 0; j < qLens[s]; j++, row++) {
                seqOfRow[row] = s;
                posOfRow[row] = kvLens[s] - qLens[s] + j;
            }
        }
        // Rows are independent and each writes only its own out and lse: in parallel (the common
        // pool), which makes selection's validation several times faster on a many-core GPU host.
        java.util.stream.IntStream.range(0, tokens).parallel().forEach(r -> {
            int s = seqOfRow[r];
            int pos = posOfRow[r];
            int kvLen = kvLens[s];
            double[] logits = new double[kvLen];
            boolean[] visible = new boolean[kvLen];
            for (int p = 0; p < kvLen; p++) {
                visible[p] = (!causal || p <= pos) && (window == 0 || p > pos - window);
            }
            for (int h = 0; h < numQoHeads; h++) {
                int kvh = h / group;
                int qOff = (r * numQoHeads + h) * headDim;
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < kvLen; p++) {
                    if (!visible[p]) {
                        continue;
                    }
                    int kOff = (p * numKvHeads + kvh) * headDim;
                    double dot = 0;
                    for (int c = 0; c < headDim; c++) {
                        dot += q[qOff + c] * k[s][kOff + c];
                    }
                    double x = dot * scale;
                    if (softCap > 0) {
                        x = softCap * Math.tanh(x / softCap);
                    }
                    logits[p] = x;
                    max = Math.max(max, x);
                }
                double sum = 0;
                int oOff = (r * numQoHeads + h) * headDim;
                for (int p = 0; p < kvLen; p++) {
                    if (!visible[p]) {
                        continue;
                    }
                    double w = Math.exp(logits[p] - max);
                    sum += w;
                    int vOff = (p * numKvHeads + kvh) * headDim;
                    for (int c = 0; c < headDim; c++) {
                        out[oOff + c] += w * v[s][vOff + c];
                    }
                }
                for (int c = 0; c < headDim; c++) {
                    out[oOff + c] /= sum;
                }
                lse[r * numQoHeads + h] = max + Math.log(sum);
            }
        });
        return new Result(out, lse);
    }
}
