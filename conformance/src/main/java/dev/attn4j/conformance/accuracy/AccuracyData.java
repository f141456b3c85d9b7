package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.numeric.HalfFormat;

/**
 * What an accuracy report measures on: one layer's keys and values over a context and the queries
 * that attend to all of it (each query one decode row), in float64 as the model produced them.
 * Queries are rounded to bf16 on the way in (a backend receives bf16 queries), so every error the
 * report shows comes from how K and V are stored, not from the queries.
 *
 * @param name        where the data came from (a generated case's id or the files' names)
 * @param keys        {@code [tokens][numKvHeads][headDim]}
 * @param values      as keys
 * @param queries     {@code [numQueries][numQoHeads][headDim]}, bf16 values
 * @param calibrationKeys   keys to calibrate TENSOR/HEAD/CHANNEL scales on (a separate draw for
 *                          generated data; the data itself for a user's files), laid out as keys
 * @param calibrationValues values to calibrate on, as calibrationKeys
 */
public record AccuracyData(String name, int numQoHeads, int numKvHeads, int headDim, double[] keys, double[] values,
                           double[] queries, double[] calibrationKeys, double[] calibrationValues) {

    public AccuracyData {
        if (numKvHeads < 1 || headDim < 1) {
            throw new InvalidRequestException("numKvHeads/headDim", numKvHeads + "/" + headDim, "must be >= 1");
        }
        if (numQoHeads < numKvHeads || numQoHeads % numKvHeads != 0) {
            throw new InvalidRequestException("numQoHeads", numQoHeads,
                    "must be a multiple of numKvHeads=" + numKvHeads);
        }
        check("keys", keys, numKvHeads * headDim);
        check("values", values, numKvHeads * headDim);
        if (keys.length != values.length) {
            throw new InvalidRequestException("values.length", values.length,
                    "keys and values cover the same tokens; keys.length=" + keys.length);
        }
        check("queries", queries, numQoHeads * headDim);
        check("calibrationKeys", calibrationKeys, numKvHeads * headDim);
        check("calibrationValues", calibrationValues, numKvHeads * headDim);
        queries = queries.clone();
        for (int i = 0; i < queries.length; i++) {
            queries[i] = HalfFormat.round(DType.BF16, (float) queries[i]);
        }
    }

    private static void check(String field, double[] x, int row) {
        InvalidRequestException.requireNonNull(x, field);
        if (x.length == 0 || x.length % row != 0) {
            throw new InvalidRequestException(field + ".length", x.length, "must be a positive multiple of " + row);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new InvalidRequestException(field + "[" + i + "]", x[i], "must be finite");
            }
        }
    }

    /** Context length: tokens of K and V. */
    public int tokens() {
        return keys.length / (numKvHeads * headDim);
    }

    /** Query rows, each attending to the whole context. */
    public int numQueries() {
        return queries.length / (numQoHeads * headDim);
    }

    /** Float32 copy for calibration and upload. */
    static float[] floats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
