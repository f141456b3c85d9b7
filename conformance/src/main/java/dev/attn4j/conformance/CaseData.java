package dev.attn4j.conformance;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.numeric.HalfFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The data of one run of a {@link ConformanceCase}, drawn from a seed: block tables, K/V rows,
 * calibrated caller scales, queries and the append calls that fill the cache.
 *
 * <p>Values are normal draws, never zero, shaped so that indexing bugs show: each KV head has its
 * own magnitude ({@code 1 + h/2}), a few channels are outliers (x4), tokens vary (x0.5..2), and V
 * is drawn {@code vMagnitude} times larger than K, so K and V scales differ. A kernel that takes a
 * scale from the wrong head, channel, token or side produces a visibly wrong answer.
 */
public final class CaseData {
    /** One append call: slot ids (-1 = padding) and K/V rows {@code [n][numKvHeads][headDim]} as 16-bit bits. */
    public record AppendCall(int[] slots, short[] keys, short[] values) {
    }

    public final ConformanceCase c;
    public final KvCacheSpec spec;
    /** The 16-bit dtype of appended K/V: the cache dtype for 16-bit caches, else the query dtype. */
    public final DType inputDtype;
    /** Per sequence block-id rows, possibly with out-of-range padding ids after the referenced ones. */
    public final int[][] blockRows;
    /** Per sequence K and V, {@code [kvLen][numKvHeads][headDim]} as 16-bit bits of {@link #inputDtype}. */
    public final short[][] keys;
    public final short[][] values;
    public final KvScales scales;
    /** {@code [numTokens][numQoHeads][headDim]} bits of the query dtype. */
    public final short[] queries;
    public final List<AppendCall> appends;
    /** For each slot, the (sequence, position) written there, or null. */
    public final int[][] slotOwner;

    private CaseData(ConformanceCase c, long seed) {
        this.c = c;
        // SplittableRandom: its nextGaussian (a ziggurat) is several times faster than Random's,
        // which was most of the data generation, and so of selection's validation time.
        RandomGenerator rnd = new SplittableRandom(seed);
        int n = c.numSequences();
        int bs = c.blockSize();
        int h = c.numKvHeads();
        int d = c.headDim();
        this.inputDtype = c.kvDtype().isQuantized() ? c.queryDtype() : c.kvDtype().storage();

        // Block tables: sequences 0 and 1 may share their first blocks (a shared prefix).
        int shared = c.sharedPrefixBlocks();
        int distinct = -shared;
        for (int i = 0; i < n; i++) {
            distinct += ceilDiv(c.kvLens()[i], bs);
        }
        int numBlocks = distinct + 2;
        int[] ids = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            ids[i] = i;
        }
        if (c.shuffleBlocks()) {
            for (int i = numBlocks - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
        }
        this.spec = new KvCacheSpec(numBlocks, bs, h, d, c.kvDtype(), c.granularity(), c.layout());
        this.blockRows = new int[n][];
        int next = 0;
        for (int i = 0; i < n; i++) {
            int need = ceilDiv(c.kvLens()[i], bs);
            int pad = c.shuffleBlocks() ? 1 : 0;
            blockRows[i] = new int[need + pad];
            for (int j = 0; j < need; j++) {
                blockRows[i][j] = (i == 1 && j < shared) ? blockRows[0][j] : ids[next++];
            }
            for (int j = need; j < need + pad; j++) {
                blockRows[i][j] = numBlocks + 1000; // padding: never read, never validated
            }
        }

        // K and V: per-head magnitude, outlier channels, per-token variation; V larger than K.
        double[] headMag = new double[h];
        for (int x = 0; x < h; x++) {
            headMag[x] = 1 + 0.5 * x;
        }
        double[][] channelMag = new double[h][d];
        for (int x = 0; x < h; x++) {
            for (int y = 0; y < d; y++) {
                channelMag[x][y] = rnd.nextInt(16) == 0 ? 4 : 1;
            }
        }
        this.keys = new short[n][];
        this.values = new short[n][];
        for (int i = 0; i < n; i++) {
            int kv = c.kvLens()[i];
            keys[i] = new short[kv * h * d];
            values[i] = new short[kv * h * d];
            for (int p = 0; p < kv; p++) {
                if (i == 1 && p < shared * bs) {
                    System.arraycopy(keys[0], p * h * d, keys[1], p * h * d, h * d);
                    System.arraycopy(values[0], p * h * d, values[1], p * h * d, h * d);
                    continue;
                }
                double along = kv > 1 ? p / (double) (kv - 1) : 0;
                double tokK = (0.5 + 1.5 * rnd.nextDouble()) * Math.pow(c.ramp(), along / 4);
                double tokV = (0.5 + 1.5 * rnd.nextDouble()) * Math.pow(c.ramp(), along);
                for (int x = 0; x < h; x++) {
                    for (int y = 0; y < d; y++) {
                        int idx = (p * h + x) * d + y;
                        keys[i][idx] = draw(rnd, headMag[x] * channelMag[x][y] * tokK);
                        values[i][idx] = draw(rnd, c.vMagnitude() * headMag[x] * channelMag[x][y] * tokV);
                    }
                }
            }
        }
        if (c.nonFinite()) {
            injectNonFinite(c, h, d);
        }
        this.scales = calibrate(c, spec);

        int tokens = 0;
        for (int q : c.qLens()) {
            tokens += q;
        }
        this.queries = new short[tokens * c.numQoHeads() * d];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = HalfFormat.fromFloat(c.queryDtype(), (float) nonZeroGaussian(rnd));
        }

        // Appends: cached prefixes first, then the new tokens, each with a padding row.
        this.slotOwner = new int[spec.numSlots()][];
        List<int[]> prefix = new ArrayList<>();
        List<int[]> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kv = c.kvLens()[i];
            int firstNew = kv - c.qLens()[i];
            for (int p = 0; p < kv; p++) {
                if (i == 1 && p < shared * bs) {
                    continue;
                }
                (p < firstNew ? prefix : fresh).add(new int[] {i, p});
            }
        }
        this.appends = new ArrayList<>();
        for (List<int[]> rows : List.of(prefix, fresh)) {
            if (!rows.isEmpty()) {
                appends.add(appendCall(rows, rnd));
            }
        }
    }

    /** Draws the data of a case. */
    public static CaseData generate(ConformanceCase c, long seed) {
        return new CaseData(c, seed);
    }

    private AppendCall appendCall(List<int[]> rows, RandomGenerator rnd) {
        int h = c.numKvHeads();
        int d = c.headDim();
        int padAt = rnd.nextInt(rows.size() + 1);
        int count = rows.size() + 1;
        int[] slots = new int[count];
        short[] k = new short[count * h * d];
        short[] v = new short[count * h * d];
        int r = 0;
        for (int j = 0; j < count; j++) {
            if (j == padAt) {
                slots[j] = -1;
                for (int x = 0; x < h * d; x++) {
                    k[j * h * d + x] = draw(rnd, 1);
                    v[j * h * d + x] = draw(rnd, 1);
                }
                continue;
            }
            int[] sp = rows.get(r++);
            int seq = sp[0];
            int pos = sp[1];
            int slot = blockRows[seq][pos / c.blockSize()] * c.blockSize() + pos % c.blockSize();
            slots[j] = slot;
            slotOwner[slot] = sp;
            System.arraycopy(keys[seq], pos * h * d, k, j * h * d, h * d);
            System.arraycopy(values[seq], pos * h * d, v, j * h * d, h * d);
        }
        return new AppendCall(slots, k, v);
    }

    /**
     * Every 7th token gets a NaN, every 11th a +Inf and every 13th a -Inf, in K and V, at channels
     * that differ per head: the values append must store as code 0 and as the format's max.
     */
    private void injectNonFinite(ConformanceCase c, int h, int d) {
        short nan = HalfFormat.fromFloat(inputDtype, Float.NaN);
        short inf = HalfFormat.fromFloat(inputDtype, Float.POSITIVE_INFINITY);
        short negInf = HalfFormat.fromFloat(inputDtype, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < keys.length; i++) {
            for (int p = 0; p < c.kvLens()[i]; p++) {
                for (int x = 0; x < h; x++) {
                    int row = (p * h + x) * d;
                    if (p % 7 == 3) {
                        keys[i][row + (5 * x + 1) % d] = nan;
                        values[i][row + (3 * x + 2) % d] = nan;
                    }
                    if (p % 11 == 4) {
                        keys[i][row + (7 * x + 3) % d] = inf;
                        values[i][row + (5 * x + 4) % d] = negInf;
                    }
                    if (p % 13 == 5) {
                        keys[i][row + (11 * x + 6) % d] = negInf;
                        values[i][row + (9 * x + 7) % d] = inf;
                    }
                }
            }
        }
    }

    private short draw(RandomGenerator rnd, double magnitude) {
        return HalfFormat.fromFloat(inputDtype, (float) (nonZeroGaussian(rnd) * magnitude));
    }

    private static double nonZeroGaussian(RandomGenerator rnd) {
        double g;
        do {
            g = rnd.nextGaussian();
        } while (Math.abs(g) < 1e-3);
        return g;
    }

    /** Value of appended element {@code idx} of sequence {@code seq} (K or V). */
    public double value(boolean key, int seq, int idx) {
        return ReferenceFormats.half(inputDtype, (key ? keys : values)[seq][idx]);
    }

    /** Caller scales calibrated on the data (absmax / maxCode x scaleFactor), separately for K and V. */
    private KvScales calibrate(ConformanceCase c, KvCacheSpec spec) {
        ScaleGranularity g = c.granularity();
        if (!g.isCallerSet()) {
            return KvScales.none();
        }
        return KvScales.of(calibrateSide(c, spec, true), calibrateSide(c, spec, false));
    }

    private float[] calibrateSide(ConformanceCase c, KvCacheSpec spec, boolean key) {
        int h = c.numKvHeads();
        int d = c.headDim();
        double[] absmax = new double[spec.callerScaleCount()];
        for (int i = 0; i < c.numSequences(); i++) {
            for (int p = 0; p < c.kvLens()[i]; p++) {
                for (int x = 0; x < h; x++) {
                    for (int y = 0; y < d; y++) {
                        int s = spec.callerScaleIndex(x, y);
                        double v = value(key, i, (p * h + x) * d + y);
                        if (Double.isFinite(v)) {
                            absmax[s] = Math.max(absmax[s], Math.abs(v));
                        }
                    }
                }
            }
        }
        KvDType t = c.kvDtype();
        float[] out = new float[absmax.length];
        for (int s = 0; s < out.length; s++) {
            out[s] = (float) Math.max(absmax[s] / t.maxCode() * c.scaleFactor(), 1e-6);
        }
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
