package dev.attn4j.api;

import java.util.Locale;

/**
 * Static-scale calibration: the caller-set scales of a TENSOR, HEAD or CHANNEL cache computed from
 * sample keys and values the host has (a few prompts' K and V of one layer), instead of invented.
 *
 * <p>For every group of samples a scale covers (all of K; one KV head; one head's channel), the
 * statistic {@code m} is taken over the magnitudes {@code |x|} of the group's samples and the scale is
 * {@code m / maxCode} ({@link KvDType#maxCode()}: 127, 448, 57344), rounded to float32 and at least
 * {@link Float#MIN_NORMAL}; a group whose statistic is 0 gets scale 1. The statistics:
 * <ul>
 *   <li>{@link #absmax()}: the largest magnitude. Nothing saturates on the samples; one outlier
 *       stretches the scale for every other value.
 *   <li>{@link #percentile(double) percentile(p)}: the nearest-rank p-th percentile of the
 *       magnitudes (the {@code ceil(p/100 * n)}-th smallest of {@code n}); the few values above it
 *       saturate at the format's largest code, the rest get finer steps.
 * </ul>
 * The result is deterministic (no randomness, no order dependence beyond the samples themselves).
 * Samples are float32, flattened {@code [tokens][numKvHeads][headDim]}; K and V may have different
 * token counts.
 */
public final class KvCalibration {
    private final double percentile;

    private KvCalibration(double percentile) {
        this.percentile = percentile;
    }

    /** Scales from the largest magnitude of each group. */
    public static KvCalibration absmax() {
        return new KvCalibration(100);
    }

    /**
     * Scales from the nearest-rank {@code p}-th percentile of each group's magnitudes.
     *
     * @param p in (0, 100]; 100 is {@link #absmax()}
     * @throws InvalidRequestException naming {@code percentile} otherwise
     */
    public static KvCalibration percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new InvalidRequestException("percentile", p, "must be in (0, 100]");
        }
        return new KvCalibration(p);
    }

    /** The percentile this calibration takes (100 for absmax). */
    public double percentile() {
        return percentile;
    }

    /** The scales for a cache of this spec (its dtype, granularity, KV heads and head dim). */
    public KvScales scales(KvCacheSpec spec, float[] keys, float[] values) {
        InvalidRequestException.requireNonNull(spec, "spec");
        return scales(spec.kvDtype(), spec.granularity(), spec.numKvHeads(), spec.headDim(), keys, values);
    }

    /**
     * The scales for K and V stored as {@code dtype} with caller-set {@code granularity}.
     *
     * @throws InvalidRequestException naming the field: a 16-bit dtype, a granularity that is not
     *         caller-set, a null or empty sample array, one whose length is not a multiple of
     *         {@code numKvHeads * headDim}, or a non-finite sample (named by its index)
     */
    public KvScales scales(KvDType dtype, ScaleGranularity granularity, int numKvHeads, int headDim,
                           float[] keys, float[] values) {
        InvalidRequestException.requireNonNull(dtype, "kvDtype");
        InvalidRequestException.requireNonNull(granularity, "granularity");
        if (!dtype.isQuantized()) {
            throw new InvalidRequestException("kvDtype", dtype, "16-bit caches take no scales; calibrate int8 or fp8");
        }
        if (!granularity.isCallerSet()) {
            throw new InvalidRequestException("granularity", granularity,
                    "only TENSOR, HEAD and CHANNEL scales are set by the caller; TOKEN and TOKEN_GROUP are computed by append");
        }
        if (numKvHeads < 1) {
            throw new InvalidRequestException("numKvHeads", numKvHeads, "must be >= 1");
        }
        if (headDim < 1) {
            throw new InvalidRequestException("headDim", headDim, "must be >= 1");
        }
        checkSamples("keys", keys, numKvHeads, headDim);
        checkSamples("values", values, numKvHeads, headDim);
        return KvScales.of(side(keys, dtype, granularity, numKvHeads, headDim),
                side(values, dtype, granularity, numKvHeads, headDim));
    }

    private static void checkSamples(String field, float[] samples, int numKvHeads, int headDim) {
        InvalidRequestException.requireNonNull(samples, field);
        int row = numKvHeads * headDim;
        if (samples.length == 0 || samples.length % row != 0) {
            throw new InvalidRequestException(field + ".length", samples.length,
                    "samples are [tokens][numKvHeads=" + numKvHeads + "][headDim=" + headDim
                            + "] flattened: a positive multiple of " + row);
        }
        for (int i = 0; i < samples.length; i++) {
            if (!Float.isFinite(samples[i])) {
                throw new InvalidRequestException(field + "[" + i + "]", samples[i], "samples must be finite");
            }
        }
    }

    /** One side's scales, in {@link KvCacheSpec#callerScaleIndex} order. */
    private float[] side(float[] x, KvDType dtype, ScaleGranularity granularity, int numKvHeads, int headDim) {
        int tokens = x.length / (numKvHeads * headDim);
        int count = granularity.callerScaleCount(numKvHeads, headDim);
        // Group of each element: TENSOR all one; HEAD by head; CHANNEL by (head, channel).
        float[][] groups = new float[count][];
        int per = x.length / count;
        int[] fill = new int[count];
        for (int g = 0; g < count; g++) {
            groups[g] = new float[per];
        }
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < numKvHeads; h++) {
                for (int c = 0; c < headDim; c++) {
                    int g = granularity.kind() == ScaleGranularity.Kind.TENSOR ? 0
                            : granularity.kind() == ScaleGranularity.Kind.HEAD ? h : h * headDim + c;
                    groups[g][fill[g]++] = Math.abs(x[(t * numKvHeads + h) * headDim + c]);
                }
            }
        }
        float[] scales = new float[count];
        for (int g = 0; g < count; g++) {
            scales[g] = scale(statistic(groups[g]), dtype);
        }
        return scales;
    }

    private double statistic(float[] magnitudes) {
        if (percentile == 100) {
            float m = 0;
            for (float a : magnitudes) {
                m = Math.max(m, a);
            }
            return m;
        }
        int rank = (int) Math.ceil(percentile / 100 * magnitudes.length);
        return select(magnitudes.clone(), Math.max(rank, 1) - 1);
    }

    /**
     * The {@code k}-th smallest value (0-based) of {@code a}, which it reorders: quickselect with a
     * median-of-three pivot, linear on average, so a percentile over millions of samples stays cheap.
     */
    static float select(float[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float pivot = median(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            // Now a[lo..j] <= pivot <= a[i..hi], and anything between equals the pivot.
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** The same rule as append's dynamic scales: statistic / maxCode, at least MIN_NORMAL, 1 for 0. */
    static float scale(double statistic, KvDType dtype) {
        if (statistic == 0) {
            return 1f;
        }
        return Math.max((float) (statistic / dtype.maxCode()), Float.MIN_NORMAL);
    }

    @Override
    public String toString() {
        return percentile == 100 ? "absmax" : "p" + String.format(Locale.ROOT, "%s", trim(percentile));
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
