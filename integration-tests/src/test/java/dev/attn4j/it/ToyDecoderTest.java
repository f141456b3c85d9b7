package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host application end to end: a 2-layer toy decoder (random weights, GQA 8 query / 2 KV heads,
 * no RoPE) generates 32 tokens for two prompts with its KV cache in int8 paged form (TOKEN scales),
 * through the selected backend: one plan per step, run for each layer. At every step its logits
 * are compared with a float64 forward pass of the same model given the same tokens.
 *
 * <p>The float64 pass uses the model's definition of the cache: K and V rounded to bf16 and
 * quantized to int8 per token and head (absmax/127), Q rounded to bf16; everything else in
 * double. What is left is the backend's float32 attention and its bf16 output, about 2^-9 relative
 * per attention output, which two layers of residual stream carry into the logits: tolerance
 * relative L2 1e-2 per step (about 2.5x what cpu shows) (a KV-head or scale mix-up, a missing token or an off-by-one mask
 * gives tens of percent).
 */
class ToyDecoderTest {
    static final int VOCAB = 97;
    static final int HIDDEN = 64;
    static final int QO_HEADS = 8;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 16;
    static final int LAYERS = 2;
    static final int BLOCK = 8;
    static final int STEPS = 32;
    static final double TOLERANCE = 1e-2;

    /** Random weights, scaled so activations stay O(1). */
    static final class Weights {
        final double[][] embed = new double[VOCAB][HIDDEN];
        final double[][][] wq = new double[LAYERS][][];
        final double[][][] wk = new double[LAYERS][][];
        final double[][][] wv = new double[LAYERS][][];
        final double[][][] wo = new double[LAYERS][][];
        final double[][] unembed;

        Weights(Random rnd) {
            for (double[] row : embed) {
                fill(row, rnd, 1.0);
            }
            for (int l = 0; l < LAYERS; l++) {
                wq[l] = matrix(rnd, HIDDEN, QO_HEADS * HEAD_DIM);
                wk[l] = matrix(rnd, HIDDEN, KV_HEADS * HEAD_DIM);
                wv[l] = matrix(rnd, HIDDEN, KV_HEADS * HEAD_DIM);
                wo[l] = matrix(rnd, QO_HEADS * HEAD_DIM, HIDDEN);
            }
            unembed = matrix(rnd, HIDDEN, VOCAB);
        }

        private static double[][] matrix(Random rnd, int in, int out) {
            double[][] m = new double[in][out];
            for (double[] row : m) {
                fill(row, rnd, 1.0 / Math.sqrt(in));
            }
            return m;
        }

        private static void fill(double[] row, Random rnd, double s) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rnd.nextGaussian() * s;
            }
        }
    }

    static double[] matVec(double[] x, double[][] w) {
        double[] y = new double[w[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y.length; j++) {
                y[j] += x[i] * w[i][j];
            }
        }
        return y;
    }

    static double[] rmsNorm(double[] x) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + 1e-6);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * inv;
        }
        return y;
    }

    static double bf16(double x) {
        return Bf16.toFloat(Bf16.fromFloat((float) x));
    }

    /** int8 per-token-per-head quantization of one head's row, as the cache defines it, dequantized. */
    static double[] int8Row(double[] row) {
        double absmax = 0;
        for (double v : row) {
            absmax = Math.max(absmax, Math.abs(v));
        }
        float s = absmax == 0 ? 1f : Math.max((float) (absmax / 127), Float.MIN_NORMAL);
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = Math.max(-127, Math.min(127, Math.rint(row[i] / s))) * s;
        }
        return out;
    }

    /** The float64 model: teacher-forced over a token history, returns the logits of the last token. */
    static final class Reference {
        final Weights w;
        final List<List<double[]>> k = new ArrayList<>();
        final List<List<double[]>> v = new ArrayList<>();

        Reference(Weights w) {
            this.w = w;
            for (int l = 0; l < LAYERS; l++) {
                k.add(new ArrayList<>());
                v.add(new ArrayList<>());
            }
        }

        double[] step(int token) {
            double[] x = w.embed[token].clone();
            for (int l = 0; l < LAYERS; l++) {
                double[] h = rmsNorm(x);
                double[] q = matVec(h, w.wq[l]);
                double[] kk = matVec(h, w.wk[l]);
                double[] vv = matVec(h, w.wv[l]);
                double[] kq = new double[kk.length];
                double[] vq = new double[vv.length];
                for (int hd = 0; hd < KV_HEADS; hd++) {
                    double[] kr = new double[HEAD_DIM];
                    double[] vr = new double[HEAD_DIM];
                    for (int c = 0; c < HEAD_DIM; c++) {
                        kr[c] = bf16(kk[hd * HEAD_DIM + c]);
                        vr[c] = bf16(vv[hd * HEAD_DIM + c]);
                    }
                    System.arraycopy(int8Row(kr), 0, kq, hd * HEAD_DIM, HEAD_DIM);
                    System.arraycopy(int8Row(vr), 0, vq, hd * HEAD_DIM, HEAD_DIM);
                }
                k.get(l).add(kq);
                v.get(l).add(vq);
                double[] attn = new double[QO_HEADS * HEAD_DIM];
                int n = k.get(l).size();
                for (int qh = 0; qh < QO_HEADS; qh++) {
                    int kvh = qh / (QO_HEADS / KV_HEADS);
                    double[] logits = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p < n; p++) {
                        double dot = 0;
                        for (int c = 0; c < HEAD_DIM; c++) {
                            dot += bf16(q[qh * HEAD_DIM + c]) * k.get(l).get(p)[kvh * HEAD_DIM + c];
                        }
                        logits[p] = dot / Math.sqrt(HEAD_DIM);
                        max = Math.max(max, logits[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p < n; p++) {
                        double e = Math.exp(logits[p] - max);
                        sum += e;
                        for (int c = 0; c < HEAD_DIM; c++) {
                            attn[qh * HEAD_DIM + c] += e * v.get(l).get(p)[kvh * HEAD_DIM + c];
                        }
                    }
                    for (int c = 0; c < HEAD_DIM; c++) {
                        attn[qh * HEAD_DIM + c] /= sum;
                    }
                }
                double[] o = matVec(attn, w.wo[l]);
                for (int i = 0; i < HIDDEN; i++) {
                    x[i] += o[i];
                }
            }
            return matVec(rmsNorm(x), w.unembed);
        }
    }

    /** What a run produced: the tokens of each sequence and the worst per-step logits rel-L2 against float64. */
    record Run(List<List<Integer>> tokens, double worst, List<double[]> logits) {
    }

    @Test
    void generatesThirtyTwoTokensMatchingTheFloat64Model() {
        ProbeCache.clear();
        long seed = Long.getLong("attn4j.conformance.seed", System.nanoTime());
        try (Selection selection = select()) {
            Run run = generate(List.of(selection.backend()), seed, null);
            org.slf4j.LoggerFactory.getLogger(ToyDecoderTest.class).info("toy decoder: {} tokens generated per sequence on {}, worst per-step logits relL2 {} (seed {})", STEPS, selection.backend().name(), String.format("%.2e", run.worst()), seed);
            assertEquals(5 + STEPS, run.tokens().get(0).size());
            assertTrue(run.worst() < TOLERANCE, "worst per-step logits relL2 " + run.worst() + " (seed " + seed + ")");
            assertTrue(run.worst() > 0, "the int8 cache and bf16 attention must differ from double somewhere");
        }
    }

    /**
     * Tensor parallelism as an engine does it: the KV heads (and their query heads) split across two
     * backends, each with its own caches and plans, each layer's attention run on both at once from
     * one thread per backend, the outputs concatenated. Where only one device exists, both backends
     * are on it (two selections); on a multi-GPU machine {@code selectAll} gives one per device. The
     * result matches float64 as the one-backend run does, and the one-backend run of the same seed.
     */
    @Test
    void headsSplitAcrossTwoBackendsMatchTheFloat64ModelAndOneBackend() {
        ProbeCache.clear();
        long seed = Long.getLong("attn4j.conformance.seed", System.nanoTime());
        try (Selection first = select(); Selection second = select(); Selection whole = select()) {
            Run one = generate(List.of(whole.backend()), seed, null);
            // Fed the one-backend run's tokens: a near-tie argmax must not send the two runs down
            // different texts, whose logits could not be compared.
            Run split = generate(List.of(first.backend(), second.backend()), seed, one.tokens());
            assertTrue(split.worst() < TOLERANCE, "worst per-step logits relL2 " + split.worst() + " (seed " + seed + ")");
            double apart = 0;
            int steps = Math.min(split.logits().size(), one.logits().size());
            for (int i = 0; i < steps; i++) {
                apart = Math.max(apart, relL2(split.logits().get(i), one.logits().get(i)));
            }
            // The same heads on the same kind of backend: apart by at most output rounding, far under the tolerance.
            assertTrue(apart < TOLERANCE / 4, "split and one-backend logits apart by " + apart + " (seed " + seed + ")");
            // One backend's tensors are refused by the other before anything runs.
            try (Tensor t = first.backend().allocate(DType.BF16, 1, QO_HEADS / 2, HEAD_DIM);
                 Tensor u = second.backend().allocate(DType.BF16, 1, QO_HEADS / 2, HEAD_DIM)) {
                InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> second.backend().copy(t, u));
                assertTrue(e.getMessage().contains("another backend"), e.getMessage());
            }
        }
    }

    private static Selection select() {
        KvCacheSpec spec = spec(KV_HEADS);
        Requirements req = Requirements.of(AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL),
                Feature.PREFILL, Feature.DECODE, Feature.CAUSAL);
        return BackendSelector.builder().environment(Map.of()).backendProperty(null).build().select(req);
    }

    private static final int[][] PROMPTS = {{3, 14, 15, 92, 65}, {27, 18, 28}};

    private static KvCacheSpec spec(int kvHeads) {
        int maxLen = 5 + STEPS;
        int blocksPerSeq = (maxLen + BLOCK - 1) / BLOCK;
        return new KvCacheSpec(PROMPTS.length * blocksPerSeq + 3, BLOCK, kvHeads, HEAD_DIM, KvDType.INT8,
                ScaleGranularity.TOKEN, KvLayout.NHD);
    }

    /** One backend's part of the model: its KV heads' caches per layer. */
    record Shard(AttentionBackend backend, int kvHead0, int kvHeads, KvCache[] caches) {
    }

    /**
     * Generates STEPS tokens for both prompts with the KV heads split evenly over {@code backends}:
     * each step's argmax, or, given {@code forced}, that run's tokens (teacher forcing).
     */
    static Run generate(List<AttentionBackend> backends, long seed, List<List<Integer>> forced) {
        Random rnd = new Random(seed);
        Weights w = new Weights(rnd);
        int seqs = PROMPTS.length;
        int n = backends.size();
        KvCacheSpec spec = spec(KV_HEADS / n);
        int blocksPerSeq = (5 + STEPS + BLOCK - 1) / BLOCK;
        // Pages handed out in a scrambled order, as an engine's allocator would.
        int[][] blockTable = new int[seqs][blocksPerSeq];
        for (int s = 0; s < seqs; s++) {
            for (int b = 0; b < blocksPerSeq; b++) {
                blockTable[s][b] = (b * seqs + s) * 7 % spec.numBlocks();
            }
        }
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KvCache[] caches = new KvCache[LAYERS];
            for (int l = 0; l < LAYERS; l++) {
                caches[l] = backends.get(i).createKvCache(spec);
            }
            shards.add(new Shard(backends.get(i), i * KV_HEADS / n, KV_HEADS / n, caches));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            Reference[] refs = {new Reference(w), new Reference(w)};
            List<List<Integer>> tokens = new ArrayList<>();
            for (int[] p : PROMPTS) {
                List<Integer> t = new ArrayList<>();
                for (int x : p) {
                    t.add(x);
                }
                tokens.add(t);
            }
            int[] done = new int[seqs];      // tokens already in the cache
            double worst = 0;
            List<double[]> all = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                // This step's new tokens: the whole prompt first (prefill), then one token (decode).
                int[] qLens = new int[seqs];
                int[] kvLens = new int[seqs];
                for (int s = 0; s < seqs; s++) {
                    qLens[s] = tokens.get(s).size() - done[s];
                    kvLens[s] = tokens.get(s).size();
                }
                OpKind op = step == 0 ? OpKind.PREFILL : OpKind.DECODE;
                BatchLayout batch = BatchLayout.of(qLens, kvLens, blockTable);
                List<Plan> plans = new ArrayList<>();
                double[][][] logits;
                try {
                    for (Shard sh : shards) {
                        plans.add(sh.backend().plan(new PlanRequest(op,
                                AttentionShape.of(spec, QO_HEADS / n, DType.BF16, AttentionOptions.CAUSAL), batch)));
                    }
                    logits = forward(shards, plans, pool, w, tokens, done, qLens, blockTable);
                } finally {
                    plans.forEach(Plan::close);
                }
                for (int s = 0; s < seqs; s++) {
                    double[] ref = null;
                    for (int j = done[s]; j < tokens.get(s).size(); j++) {
                        ref = refs[s].step(tokens.get(s).get(j));
                    }
                    double[] got = logits[s][qLens[s] - 1];
                    worst = Math.max(worst, relL2(got, ref));
                    all.add(got);
                    done[s] = tokens.get(s).size();
                    int next = tokens.get(s).size();
                    tokens.get(s).add(forced == null ? argmax(got) : forced.get(s).get(next));
                }
            }
            return new Run(tokens, worst, all);
        } finally {
            pool.shutdownNow();
            for (Shard sh : shards) {
                for (KvCache c : sh.caches()) {
                    c.close();
                }
            }
        }
    }

    /**
     * One step of the host model through attn4j: per layer, each shard appends its heads' new K/V
     * and runs attention for its query heads (all shards at once, one thread each), then the
     * outputs are put back together in head order.
     */
    private static double[][][] forward(List<Shard> shards, List<Plan> plans, ExecutorService pool, Weights w,
                                        List<List<Integer>> tokens, int[] done, int[] qLens, int[][] blockTable) {
        int seqs = tokens.size();
        int total = 0;
        for (int q : qLens) {
            total += q;
        }
        double[][] x = new double[total][];
        int[] slots = new int[total];
        int row = 0;
        for (int s = 0; s < seqs; s++) {
            for (int j = 0; j < qLens[s]; j++, row++) {
                int pos = done[s] + j;
                x[row] = w.embed[tokens.get(s).get(pos)].clone();
                slots[row] = blockTable[s][pos / BLOCK] * BLOCK + pos % BLOCK;
            }
        }
        int g = QO_HEADS / KV_HEADS;
        for (int l = 0; l < LAYERS; l++) {
            double[][] q = new double[total][];
            double[][] k = new double[total][];
            double[][] v = new double[total][];
            for (int r = 0; r < total; r++) {
                double[] h = rmsNorm(x[r]);
                q[r] = matVec(h, w.wq[l]);
                k[r] = matVec(h, w.wk[l]);
                v[r] = matVec(h, w.wv[l]);
            }
            double[] attn = new double[total * QO_HEADS * HEAD_DIM];
            List<Future<?>> parts = new ArrayList<>();
            for (int i = 0; i < shards.size(); i++) {
                Shard sh = shards.get(i);
                Plan plan = plans.get(i);
                int layer = l;
                int rows = total;
                parts.add(pool.submit(() -> {
                    int qh = sh.kvHeads() * g;
                    AttentionBackend b = sh.backend();
                    try (Tensor qt = upload(b, heads(q, sh.kvHead0() * g, qh), rows, qh);
                         Tensor kt = upload(b, heads(k, sh.kvHead0(), sh.kvHeads()), rows, sh.kvHeads());
                         Tensor vt = upload(b, heads(v, sh.kvHead0(), sh.kvHeads()), rows, sh.kvHeads());
                         Tensor out = b.allocate(DType.BF16, rows, qh, HEAD_DIM)) {
                        b.append(sh.caches()[layer], kt, vt, slots);
                        b.run(plan, qt, sh.caches()[layer], out);
                        short[] bits = out.toShortArray();
                        for (int r = 0; r < rows; r++) {
                            for (int e = 0; e < qh * HEAD_DIM; e++) {
                                attn[(r * QO_HEADS + sh.kvHead0() * g) * HEAD_DIM + e] = Bf16.toFloat(bits[r * qh * HEAD_DIM + e]);
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : parts) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            for (int r = 0; r < total; r++) {
                double[] a = new double[QO_HEADS * HEAD_DIM];
                System.arraycopy(attn, r * a.length, a, 0, a.length);
                double[] o = matVec(a, w.wo[l]);
                for (int i = 0; i < HIDDEN; i++) {
                    x[r][i] += o[i];
                }
            }
        }
        double[][][] logits = new double[seqs][][];
        row = 0;
        for (int s = 0; s < seqs; s++) {
            logits[s] = new double[qLens[s]][];
            for (int j = 0; j < qLens[s]; j++, row++) {
                logits[s][j] = matVec(rmsNorm(x[row]), w.unembed);
            }
        }
        return logits;
    }

    /** Heads h0 ... h0+count-1 of every row ({@code [rows][heads * HEAD_DIM]}), as bf16 bits. */
    private static short[] heads(double[][] rows, int h0, int count) {
        short[] bits = new short[rows.length * count * HEAD_DIM];
        for (int r = 0; r < rows.length; r++) {
            for (int e = 0; e < count * HEAD_DIM; e++) {
                bits[(r * count) * HEAD_DIM + e] = Bf16.fromFloat((float) rows[r][h0 * HEAD_DIM + e]);
            }
        }
        return bits;
    }

    private static Tensor upload(AttentionBackend b, short[] bits, int rows, int heads) {
        Tensor t = b.allocate(DType.BF16, rows, heads, HEAD_DIM);
        t.copyFrom(bits);
        return t;
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double relL2(double[] a, double[] ref) {
        double e = 0;
        double r = 0;
        for (int i = 0; i < a.length; i++) {
            e += (a[i] - ref[i]) * (a[i] - ref[i]);
            r += ref[i] * ref[i];
        }
        return Math.sqrt(e / r);
    }
}
