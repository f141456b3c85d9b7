package dev.attn4j.cpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.numeric.HalfFormat;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Attention over one work item of a {@link WorkSplit}: a tile of query rows x the G query
 * heads of one KV head, against one KV range, with an online softmax in float32. KV is read a
 * tile of {@link #KV_TILE} tokens at a time, each row dequantized once into scratch and reused by
 * every query of the item. Results go to the output (and LSE) directly, or to a partial region
 * that {@link #merge} combines. The inner loops (dot products, scaled adds, exponentials) are the
 * {@link Lanes}' (Vector API or scalar); each worker thread's float scratch is kept between calls
 * ({@link Scratch}), so a run allocates none once its shape has run on that thread.
 */
final class CpuAttentionKernel {
    static final int KV_TILE = 32;

    /** A worker thread's float arrays, grown (never shrunk) to the largest item it has run. */
    private static final class Scratch {
        float[] q = new float[0];
        float[] m = new float[0];
        float[] l = new float[0];
        float[] acc = new float[0];
        float[] kt = new float[0];
        float[] vt = new float[0];
        float[] s = new float[0];

        void ensure(int rows, int d) {
            if (s.length < rows * KV_TILE) {
                s = new float[rows * KV_TILE];
            }
            if (q.length < rows * d) {
                q = new float[rows * d];
                acc = new float[rows * d];
            }
            if (m.length < rows) {
                m = new float[rows];
                l = new float[rows];
            }
            if (kt.length < KV_TILE * d) {
                kt = new float[KV_TILE * d];
                vt = new float[KV_TILE * d];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final PlanRequest request;
    private final ValidatedBatch batch;
    private final WorkSplit split;
    private final KvCacheSpec spec;
    private final KvRowReader keys;
    private final KvRowReader values;
    private final ByteBuffer query;
    private final ByteBuffer out;
    private final ByteBuffer lse;
    private final float[] workspace;
    private final DType qType;
    private final int g;
    private final int d;
    private final int numQoHeads;
    private final float scale;
    private final float softCap;
    private final boolean causal;
    private final int window;
    private final Lanes lanes;

    CpuAttentionKernel(CpuPlan plan, KvRowReader keys, KvRowReader values, ByteBuffer query, ByteBuffer out,
                       ByteBuffer lse, float[] workspace, Lanes lanes) {
        this.lanes = lanes;
        this.request = plan.request();
        this.batch = plan.batch();
        this.split = plan.split;
        this.spec = request.cacheSpec();
        this.keys = keys;
        this.values = values;
        this.query = query;
        this.out = out;
        this.lse = lse;
        this.workspace = workspace;
        this.qType = request.queryDtype();
        this.numQoHeads = request.numQoHeads();
        this.g = numQoHeads / spec.numKvHeads();
        this.d = spec.headDim();
        this.scale = (float) request.options().softmaxScale(d);
        this.softCap = (float) request.options().softCap().orElse(0);
        this.causal = request.options().causal();
        this.window = request.options().slidingWindow().orElse(0);
    }

    /** Runs work item {@code it}. */
    void run(int it) {
        int seq = split.seq[it];
        int head = split.kvHead[it];
        int row0 = split.qRow0[it];
        int rows = split.qRows[it];
        int lo = split.kvLo[it];
        int hi = split.kvHi[it];
        int qLen = batch.qLen(seq);
        int kvLen = batch.kvLens()[seq];
        int pos0 = kvLen - qLen + (row0 - batch.qIndptr()[seq]);
        int blocks0 = batch.blockIndptr()[seq];
        int bs = spec.blockSize();
        int r = rows * g;

        Scratch w = SCRATCH.get();
        w.ensure(r, d);
        float[] q = w.q;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < g; j++) {
                int src = ((row0 + i) * numQoHeads + head * g + j) * d;
                int dst = (i * g + j) * d;
                for (int c = 0; c < d; c++) {
                    q[dst + c] = HalfFormat.toFloat(qType, query.getShort(2 * (src + c))) * scale;
                }
            }
        }
        float[] m = w.m;
        float[] l = w.l;
        float[] acc = w.acc;
        Arrays.fill(m, 0, r, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0, r, 0f);
        Arrays.fill(acc, 0, r * d, 0f);
        float[] kt = w.kt;
        float[] vt = w.vt;
        float[] s = w.s;

        for (int t0 = lo; t0 < hi; t0 += KV_TILE) {
            int n = Math.min(KV_TILE, hi - t0);
            for (int jj = 0; jj < n; jj++) {
                int p = t0 + jj;
                int block = batch.blockIds()[blocks0 + p / bs];
                keys.read(block, p % bs, head, kt, jj * d);
                values.read(block, p % bs, head, vt, jj * d);
            }
            // Scores of every row against the tile, each K row read once for all of them.
            for (int jj = 0; jj < n; jj++) {
                lanes.dots(q, r, d, kt, jj * d, s, jj, KV_TILE);
            }
            // Per row: the visible part, the online softmax over it; weights outside it are 0.
            for (int qr = 0; qr < r; qr++) {
                int pos = pos0 + qr / g;
                int jFirst = Math.max(t0, window > 0 ? pos - window + 1 : 0) - t0;
                int jLast = Math.min(t0 + n - 1, causal ? pos : kvLen - 1) - t0;
                int row = qr * KV_TILE;
                if (jFirst > jLast) {
                    Arrays.fill(s, row, row + n, 0f);
                    continue;
                }
                float mt = Float.NEGATIVE_INFINITY;
                for (int jj = jFirst; jj <= jLast; jj++) {
                    float dot = s[row + jj];
                    if (softCap > 0) {
                        dot = (float) (softCap * Math.tanh(dot / softCap));
                        s[row + jj] = dot;
                    }
                    mt = Math.max(mt, dot);
                }
                float mNew = Math.max(m[qr], mt);
                if (mNew > m[qr]) {
                    float corr = (float) Math.exp(m[qr] - mNew);
                    l[qr] *= corr;
                    lanes.scale(acc, qr * d, d, corr);
                    m[qr] = mNew;
                }
                l[qr] += lanes.expShifted(s, row + jFirst, row + jLast + 1, mNew);
                Arrays.fill(s, row, row + jFirst, 0f);
                Arrays.fill(s, row + jLast + 1, row + n, 0f);
            }
            // Weights x V: each V row read once for every row's accumulator.
            for (int jj = 0; jj < n; jj++) {
                lanes.axpys(s, jj, KV_TILE, r, vt, jj * d, acc, d);
            }
        }
        finish(it, head, row0, rows, m, l, acc);
    }

    private void finish(int it, int head, int row0, int rows, float[] m, float[] l, float[] acc) {
        int part = split.partial[it];
        if (part >= 0) {
            int base = part * split.partialFloats;
            int r = rows * g;
            for (int qr = 0; qr < r; qr++) {
                float inv = l[qr] > 0 ? 1f / l[qr] : 0f;
                for (int c = 0; c < d; c++) {
                    workspace[base + qr * d + c] = acc[qr * d + c] * inv;
                }
                workspace[base + r * d + qr] = l[qr] > 0 ? m[qr] + (float) Math.log(l[qr]) : Float.NEGATIVE_INFINITY;
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < g; j++) {
                int qr = i * g + j;
                float inv = 1f / l[qr];
                int dst = ((row0 + i) * numQoHeads + head * g + j) * d;
                for (int c = 0; c < d; c++) {
                    out.putShort(2 * (dst + c), HalfFormat.fromFloat(qType, acc[qr * d + c] * inv));
                }
                if (lse != null) {
                    lse.putFloat(4 * ((row0 + i) * numQoHeads + head * g + j), m[qr] + (float) Math.log(l[qr]));
                }
            }
        }
    }

    /** Combines the partial results of merge {@code mi}: weights exp(lse_k - max), renormalized. */
    void merge(int mi) {
        int first = split.mergeFirstItem[mi];
        int count = split.mergeCount[mi];
        int head = split.kvHead[first];
        int row0 = split.qRow0[first];
        int rows = split.qRows[first];
        int r = rows * g;
        float[] o = new float[d];
        for (int qr = 0; qr < r; qr++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < count; k++) {
                max = Math.max(max, workspace[lseIndex(first + k, r, qr)]);
            }
            Arrays.fill(o, 0f);
            float sum = 0f;
            for (int k = 0; k < count; k++) {
                float lk = workspace[lseIndex(first + k, r, qr)];
                if (lk == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float w = (float) Math.exp(lk - max);
                sum += w;
                int base = split.partial[first + k] * split.partialFloats + qr * d;
                for (int c = 0; c < d; c++) {
                    o[c] += w * workspace[base + c];
                }
            }
            int i = qr / g;
            int j = qr % g;
            int dst = ((row0 + i) * numQoHeads + head * g + j) * d;
            float inv = 1f / sum;
            for (int c = 0; c < d; c++) {
                out.putShort(2 * (dst + c), HalfFormat.fromFloat(qType, o[c] * inv));
            }
            if (lse != null) {
                lse.putFloat(4 * ((row0 + i) * numQoHeads + head * g + j), max + (float) Math.log(sum));
            }
        }
    }

    private int lseIndex(int item, int r, int qr) {
        return split.partial[item] * split.partialFloats + r * d + qr;
    }
}
