package dev.attn4j.cpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.PlanRequest;
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
    /** How far (natural log) a score may pass its row's reference max before the row is rescaled. */
    static final float RESCALE_HEADROOM = 8f;

    /** A worker thread's float arrays, grown (never shrunk) to the largest group it has run. */
    private static final class Scratch {
        float[][] q = new float[0][];
        float[][] m = new float[0][];
        float[][] l = new float[0][];
        float[][] acc = new float[0][];
        float[][] kt = new float[0][];
        float[][] vt = new float[0][];
        float[] s = new float[0];
        int sink;   // what touch read, kept so that no JIT drops its loads
        float[] kTransposed = new float[0];
        int[][] kAt = new int[0][];       // in-place reading: each head's tile rows' code offsets
        int[][] vAt = new int[0][];
        float[][] kScale = new float[0][];   // and their scales
        float[][] vScale = new float[0][];
        float[] merged = new float[0];       // merge's output row

        void ensure(int heads, int rows, int d) {
            if (s.length < rows * KV_TILE) {
                s = new float[rows * KV_TILE];
            }
            if (kTransposed.length < KV_TILE * d) {
                kTransposed = new float[KV_TILE * d];
            }
            if (q.length < heads) {
                q = java.util.Arrays.copyOf(q, heads);
                m = java.util.Arrays.copyOf(m, heads);
                l = java.util.Arrays.copyOf(l, heads);
                acc = java.util.Arrays.copyOf(acc, heads);
                kt = java.util.Arrays.copyOf(kt, heads);
                vt = java.util.Arrays.copyOf(vt, heads);
                kAt = java.util.Arrays.copyOf(kAt, heads);
                vAt = java.util.Arrays.copyOf(vAt, heads);
                kScale = java.util.Arrays.copyOf(kScale, heads);
                vScale = java.util.Arrays.copyOf(vScale, heads);
            }
            for (int h = 0; h < heads; h++) {
                if (q[h] == null || q[h].length < rows * d) {
                    q[h] = new float[rows * d];
                    acc[h] = new float[rows * d];
                }
                if (m[h] == null || m[h].length < rows) {
                    m[h] = new float[rows];
                    l[h] = new float[rows];
                }
                if (kAt[h] == null) {
                    kAt[h] = new int[KV_TILE];
                    vAt[h] = new int[KV_TILE];
                    kScale[h] = new float[KV_TILE];
                    vScale[h] = new float[KV_TILE];
                }
                if (kt[h] == null || kt[h].length < KV_TILE * d) {
                    kt[h] = new float[KV_TILE * d];
                    vt[h] = new float[KV_TILE * d];
                }
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
    /** 8-bit caches hold finite values only (NaN is stored as 0, infinities saturate). */
    private final boolean vFinite;
    /** Whether K and V codes are read in place by the fused loops ({@link Lanes#scoreInt8}). */
    private final boolean inPlace;
    /** NHD: a token's heads adjacent (touch's memory order); else HND. */
    private final boolean nhd;

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
        this.vFinite = spec.kvDtype().isQuantized();
        // Prefill's many rows go through scoreTile's transposed tile, which needs floats; decode's
        // few rows read the codes in place (no float copy of the tile at all).
        this.nhd = spec.layout() == KvLayout.NHD;
        this.inPlace = keys.readsInPlace() && values.readsInPlace() && lanes.fmaWidth() > 1
                && plan.split.tileRows * g < Lanes.MANY_ROWS;
    }

    /**
     * Runs the work items {@code items} (a {@link HeadGroups} group: the same sequence, query rows
     * and KV range, consecutive KV heads) together: each tile of tokens is dequantized for all of
     * the group's heads token by token, so the reads follow the cache's memory (NHD: a token's
     * heads are adjacent), then each head's scores, softmax and weights x V run on its own rows.
     * One head at a time, a NHD cache is read in rows one head-stride apart, which leaves the
     * memory system waiting on every row (a strided read ran at a tenth of a sequential one here).
     */
    void runGroup(int[] items) {
        int it0 = items[0];
        int heads = items.length;
        int seq = split.seq[it0];
        int row0 = split.qRow0[it0];
        int rows = split.qRows[it0];
        int lo = split.kvLo[it0];
        int hi = split.kvHi[it0];
        int qLen = batch.qLen(seq);
        int kvLen = batch.kvLens()[seq];
        int pos0 = kvLen - qLen + (row0 - batch.qIndptr()[seq]);
        int blocks0 = batch.blockIndptr()[seq];
        int bs = spec.blockSize();
        int r = rows * g;

        Scratch w = SCRATCH.get();
        w.ensure(heads, r, d);
        for (int hh = 0; hh < heads; hh++) {
            int head = split.kvHead[items[hh]];
            float[] q = w.q[hh];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < g; j++) {
                    int src = ((row0 + i) * numQoHeads + head * g + j) * d;
                    int dst = (i * g + j) * d;
                    if (qType == DType.BF16) {
                        lanes.bf16(query, 2 * src, q, dst, d);
                    } else {
                        lanes.fp16(query, 2 * src, q, dst, d);
                    }
                    lanes.scale(q, dst, d, scale);
                }
            }
            Arrays.fill(w.m[hh], 0, r, Float.NEGATIVE_INFINITY);
            Arrays.fill(w.l[hh], 0, r, 0f);
            Arrays.fill(w.acc[hh], 0, r * d, 0f);
        }
        int head0 = split.kvHead[it0];
        float[] s = w.s;

        for (int t0 = lo; t0 < hi; t0 += KV_TILE) {
            int n = Math.min(KV_TILE, hi - t0);
            for (int jj = 0; jj < n; jj++) {
                int p = t0 + jj;
                int block = batch.blockIds()[blocks0 + p / bs];
                int off = p % bs;
                if (inPlace) {   // the rows' places and scales; the codes are read by the loops below
                    keys.rowPlaces(block, off, head0, heads, w.kAt, w.kScale, jj);
                    values.rowPlaces(block, off, head0, heads, w.vAt, w.vScale, jj);
                    continue;
                }
                for (int hh = 0; hh < heads; hh++) {
                    keys.read(block, off, head0 + hh, w.kt[hh], jj * d);
                }
                for (int hh = 0; hh < heads; hh++) {
                    values.read(block, off, head0 + hh, w.vt[hh], jj * d);
                }
            }
            if (inPlace) {
                // The tile's rows, a line each, in memory order before the loops below read them
                // head by head: all their misses in flight at once.
                w.sink += touch(keys.array(), values.array(), w.kAt, w.vAt, n, heads, d, nhd);
            }
            for (int hh = 0; hh < heads; hh++) {
                float[] m = w.m[hh];
                float[] l = w.l[hh];
                float[] acc = w.acc[hh];
                // Scores of every row against the tile, each K row read once for a block of rows.
                if (inPlace) {
                    lanes.scoreInt8(w.q[hh], r, d, keys.array(), w.kAt[hh], w.kScale[hh], n, s, KV_TILE);
                } else {
                    lanes.scoreTile(w.q[hh], r, d, w.kt[hh], n, s, KV_TILE, w.kTransposed);
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
                    if (softCap > 0) {
                        lanes.softCap(s, row + jFirst, row + jLast + 1, softCap);
                    }
                    float mt = lanes.max(s, row + jFirst, row + jLast + 1);
                    // The row's reference moves only when a score passes it by more than
                    // RESCALE_HEADROOM (or on its first visible tile): weights up to e^8 against
                    // the reference are safe in float, and the row's accumulator is rescaled a few
                    // times instead of at nearly every tile that raises its max.
                    if (mt > m[qr] + RESCALE_HEADROOM) {
                        float corr = (float) Math.exp(m[qr] - mt);
                        l[qr] *= corr;
                        lanes.scale(acc, qr * d, d, corr);
                        m[qr] = mt;
                    }
                    l[qr] += lanes.expShifted(s, row + jFirst, row + jLast + 1, m[qr]);
                    Arrays.fill(s, row, row + jFirst, 0f);
                    Arrays.fill(s, row + jLast + 1, row + n, 0f);
                }
                // Weights x V: each V row read once for a block of rows' accumulators.
                if (inPlace) {
                    float[] vs = w.vScale[hh];
                    for (int qr = 0; qr < r; qr++) {
                        lanes.multiply(s, qr * KV_TILE, vs, 0, n);
                    }
                    lanes.accumulateInt8(s, KV_TILE, r, n, values.array(), w.vAt[hh], d, acc);
                } else {
                    boolean finite = vFinite || lanes.allFinite(w.vt[hh], 0, n * d);
                    lanes.accumulateTile(s, KV_TILE, r, n, w.vt[hh], d, acc, finite);
                }
            }
        }
        for (int hh = 0; hh < heads; hh++) {
            finish(items[hh], split.kvHead[items[hh]], row0, rows, w.m[hh], w.l[hh], w.acc[hh]);
        }
    }

    /**
     * Reads a byte of every 64 (a cache line) of the tile's K and V code rows, {@code n} tokens of
     * {@code heads} heads at {@code kAt[h][j]}, {@code vAt[h][j]}, in memory order (NHD: token by
     * token, a token's heads adjacent; HND: head by head); returns their sum. The loops after it
     * read one head's rows at a time, a token's whole row apart under NHD, a few misses in flight
     * at a time; these loads are independent, so they are all in flight together. On the 2-core VM
     * up to twice as fast while its memory was slow, 5-25 % at 4 x 4096 once it was fast, even on
     * caches that fit (docs/PERF.md, 2026-12-03).
     */
    private static int touch(byte[] ka, byte[] va, int[][] kAt, int[][] vAt, int n, int heads, int d, boolean nhd) {
        int sink = 0;
        for (int o = 0; o < n * heads; o++) {
            int j = nhd ? o / heads : o % n;
            int h = nhd ? o % heads : o / n;
            int k0 = kAt[h][j], v0 = vAt[h][j];
            for (int c = 0; c < d; c += 64) {
                sink += ka[k0 + c] + va[v0 + c];
            }
        }
        return sink;
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
                lanes.storeHalf(qType, acc, qr * d, d, inv, out, 2 * dst);
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
        Scratch scratch = SCRATCH.get();
        if (scratch.merged.length < d) {
            scratch.merged = new float[d];
        }
        float[] o = scratch.merged;
        for (int qr = 0; qr < r; qr++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < count; k++) {
                max = Math.max(max, workspace[lseIndex(first + k, r, qr)]);
            }
            Arrays.fill(o, 0, d, 0f);
            float sum = 0f;
            for (int k = 0; k < count; k++) {
                float lk = workspace[lseIndex(first + k, r, qr)];
                if (lk == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float w = (float) Math.exp(lk - max);
                sum += w;
                int base = split.partial[first + k] * split.partialFloats + qr * d;
                lanes.axpy(w, workspace, base, o, 0, d);
            }
            int i = qr / g;
            int j = qr % g;
            int dst = ((row0 + i) * numQoHeads + head * g + j) * d;
            float inv = 1f / sum;
            lanes.storeHalf(qType, o, 0, d, inv, out, 2 * dst);
            if (lse != null) {
                lse.putFloat(4 * ((row0 + i) * numQoHeads + head * g + j), max + (float) Math.log(sum));
            }
        }
    }

    private int lseIndex(int item, int r, int qr) {
        return split.partial[item] * split.partialFloats + r * d + qr;
    }
}
