package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.InvalidRequestException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Generated keys, values and queries for the accuracy report, shaped like what models produce, so a
 * user can pick the case nearest their model without files of their own. Every case is a pure
 * function of (shape, context, queries, seed): the model's structure (which channels are outliers,
 * how large) comes from the seed, the tokens from a second stream, and the calibration samples from
 * a third: {@link #CALIBRATION_PROMPTS} prompts of the context's length, the same structure and
 * positions with other tokens (what a host calibrating on a few prompts sees).
 */
public enum GeneratedKv {
    /**
     * K, V and Q independent N(0, 1): the textbook case. No real model's keys look like this; it
     * shows the formats' error when nothing is in the way.
     */
    GAUSSIAN("gaussian", "K, V, Q i.i.d. N(0,1); no outliers, no rotation", 0.0),
    /**
     * What published studies of Llama-class keys show (KIVI, KVQuant): pre-RoPE keys N(0, 1) except
     * {@code max(1, headDim/32)} outlier channels per KV head, each with a fixed sign and a magnitude
     * 10-100x the others (log-uniform), each token uniformly within 25 % of it (outlier channels are
     * steady, so a calibration set's maximum is close to any context's); placed in the slowly
     * rotating half of the rotary pairs and then rotated by RoPE (NeoX pairing {@code (i, i + d/2)}, base 10000) at each
     * token's position; values N(0, 0.05^2) (small, as V projections are); queries Student-t with 3
     * degrees of freedom (heavy-tailed), rotated at the position after the context and scaled so the
     * logits {@code q.k/sqrt(d)} have standard deviation 2.5 (a moderately peaked softmax).
     */
    OUTLIER_KEYS("outlier-keys", "Llama-like: K outlier channels 10-100x, RoPE, V N(0,0.05^2), heavy-tailed Q", 1.0),
    /**
     * As {@link #OUTLIER_KEYS} with outlier channels 300-3000x the others: keys beyond e4m3's 448 at
     * scale 1.0, as models with large key biases or massive activations have (the case where an
     * uncalibrated fp8 scale saturates).
     */
    LARGE_KEYS("large-keys", "as outlier-keys with K outlier channels 300-3000x (beyond e4m3's 448 at scale 1.0)", 2.5);

    /** The logits' standard deviation OUTLIER_KEYS scales its queries to. */
    static final double LOGIT_STD = 2.5;
    /** Prompts of the context's length the calibration samples hold (a host calibrates on a few). */
    public static final int CALIBRATION_PROMPTS = 4;
    private static final double V_STD = 0.05;
    private static final double ROPE_BASE = 10000;

    private final String id;
    private final String summary;
    /** Outlier magnitudes are 10^(decade + U[0,1)) x the others; 0: no outliers. */
    private final double outlierDecade;

    GeneratedKv(String id, String summary, double outlierDecade) {
        this.id = id;
        this.summary = summary;
        this.outlierDecade = outlierDecade;
    }

    /** Whether the case is model-like (outliers, RoPE, small V, heavy-tailed queries) rather than Gaussian. */
    private boolean modelLike() {
        return outlierDecade > 0;
    }

    /** The case's name on the command line and in reports. */
    public String id() {
        return id;
    }

    /** One line on what the case models. */
    public String summary() {
        return summary;
    }

    /** Parses a case id ({@code gaussian}, {@code outlier-keys}). */
    public static GeneratedKv parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (GeneratedKv g : values()) {
            if (g.id.equals(t)) {
                return g;
            }
        }
        throw new InvalidRequestException("data", text, "unknown generated case; valid: "
                + Arrays.stream(values()).map(GeneratedKv::id).collect(Collectors.joining(", ")));
    }

    /**
     * Draws the case.
     *
     * @param tokens  context length (keys and values; the calibration prompts' length)
     * @param queries query rows
     */
    public AccuracyData generate(int numQoHeads, int numKvHeads, int headDim, int tokens, int queries, long seed) {
        if (tokens < 1) {
            throw new InvalidRequestException("context", tokens, "must be >= 1");
        }
        if (queries < 1) {
            throw new InvalidRequestException("queries", queries, "must be >= 1");
        }
        if (modelLike() && headDim % 2 != 0) {
            throw new InvalidRequestException("headDim", headDim, "RoPE pairs channels: must be even");
        }
        Structure s = new Structure(this, numKvHeads, headDim, new Random(seed));
        Random draw = new Random(seed ^ 0x5DEECE66DL);
        Random calib = new Random(seed ^ 0x9E3779B97F4A7C15L);
        double[] k = s.keys(draw, tokens, 0);
        double[] v = s.values(draw, tokens);
        double[] q = s.queries(draw, numQoHeads, queries, tokens, k);
        // Calibration: CALIBRATION_PROMPTS other prompts of the same length (other tokens, the same positions).
        double[] ck = new double[0];
        double[] cv = new double[0];
        for (int p = 0; p < CALIBRATION_PROMPTS; p++) {
            ck = concat(ck, s.keys(calib, tokens, 0));
            cv = concat(cv, s.values(calib, tokens));
        }
        return new AccuracyData(id, numQoHeads, numKvHeads, headDim, k, v, q, ck, cv);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A model's fixed structure: its outlier channels. */
    private static final class Structure {
        final GeneratedKv kind;
        final int heads;
        final int dim;
        /** Per head and channel: 0 for an ordinary channel, else the outlier's signed magnitude. */
        final double[] outlier;

        Structure(GeneratedKv kind, int heads, int dim, Random r) {
            this.kind = kind;
            this.heads = heads;
            this.dim = dim;
            this.outlier = new double[heads * dim];
            if (kind.modelLike()) {
                int n = Math.max(1, dim / 32);
                int half = dim / 2;
                int slowFrom = half / 2;   // rotary pairs i in [d/4, d/2) turn slowest
                for (int h = 0; h < heads; h++) {
                    int placed = 0;
                    while (placed < n) {
                        int pair = slowFrom + r.nextInt(half - slowFrom);
                        int c = r.nextBoolean() ? pair : pair + half;
                        if (outlier[h * dim + c] != 0) {
                            continue;
                        }
                        double magnitude = Math.pow(10, kind.outlierDecade + r.nextDouble());
                        outlier[h * dim + c] = r.nextBoolean() ? magnitude : -magnitude;
                        placed++;
                    }
                }
            }
        }

        double[] keys(Random r, int tokens, int firstPosition) {
            double[] k = new double[tokens * heads * dim];
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    int o = (t * heads + h) * dim;
                    for (int c = 0; c < dim; c++) {
                        double m = outlier[h * dim + c];
                        k[o + c] = m == 0 ? r.nextGaussian() : m * (0.75 + 0.5 * r.nextDouble());
                    }
                    if (kind.modelLike()) {
                        rope(k, o, dim, firstPosition + t);
                    }
                }
            }
            return k;
        }

        double[] values(Random r, int tokens) {
            double std = kind.modelLike() ? V_STD : 1;
            double[] v = new double[tokens * heads * dim];
            for (int i = 0; i < v.length; i++) {
                v[i] = std * r.nextGaussian();
            }
            return v;
        }

        double[] queries(Random r, int qoHeads, int n, int position, double[] keys) {
            double[] q = new double[n * qoHeads * dim];
            for (int i = 0; i < n * qoHeads; i++) {
                for (int c = 0; c < dim; c++) {
                    q[i * dim + c] = kind.modelLike() ? studentT3(r) : r.nextGaussian();
                }
                if (kind.modelLike()) {
                    rope(q, i * dim, dim, position);
                }
            }
            if (kind.modelLike()) {
                double f = LOGIT_STD / logitStd(q, keys, qoHeads, n);
                for (int i = 0; i < q.length; i++) {
                    q[i] *= f;
                }
            }
            return q;
        }

        /** Standard deviation of q.k/sqrt(d) over every query row and token. */
        private double logitStd(double[] q, double[] k, int qoHeads, int n) {
            int tokens = k.length / (heads * dim);
            int group = qoHeads / heads;
            double sum = 0;
            double sumSq = 0;
            long count = 0;
            for (int i = 0; i < n * qoHeads; i++) {
                int h = (i % qoHeads) / group;
                for (int t = 0; t < tokens; t++) {
                    double dot = 0;
                    for (int c = 0; c < dim; c++) {
                        dot += q[i * dim + c] * k[(t * heads + h) * dim + c];
                    }
                    double x = dot / Math.sqrt(dim);
                    sum += x;
                    sumSq += x * x;
                    count++;
                }
            }
            double mean = sum / count;
            return Math.sqrt(Math.max(sumSq / count - mean * mean, 1e-300));
        }

        private static void rope(double[] x, int o, int dim, int position) {
            int half = dim / 2;
            for (int i = 0; i < half; i++) {
                double angle = position * Math.pow(ROPE_BASE, -2.0 * i / dim);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                double a = x[o + i];
                double b = x[o + i + half];
                x[o + i] = a * cos - b * sin;
                x[o + i + half] = a * sin + b * cos;
            }
        }

        private static double studentT3(Random r) {
            double chi = 0;
            for (int i = 0; i < 3; i++) {
                double g = r.nextGaussian();
                chi += g * g;
            }
            return r.nextGaussian() / Math.sqrt(chi / 3);
        }
    }
}
