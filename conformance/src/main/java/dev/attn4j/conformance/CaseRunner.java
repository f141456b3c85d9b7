package dev.attn4j.conformance;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs one {@link ConformanceCase} on a backend and judges it:
 * <ol>
 *   <li>draws fresh data ({@link CaseData}), creates the cache and poisons every byte of it;
 *   <li>appends the prefixes, then the new tokens (each call with a padding slot);
 *   <li>checks every written element against {@link ReferenceQuantizer} and every other byte of
 *       the cache against the poison;
 *   <li>plans, poisons the output and LSE with NaN, runs, and compares with
 *       {@link ReferenceAttention} computed from the cache contents, within {@link Tolerances};
 *       any element still NaN counts as unwritten and fails the case.
 * </ol>
 */
public final class CaseRunner {
    private static final int MAX_DETAILS = 3;

    private CaseRunner() {
    }

    /** Runs a case; exceptions become an ERROR result, never escape. */
    public static CaseResult run(AttentionBackend backend, ConformanceCase c, long seed) {
        long t0 = System.nanoTime();
        try {
            return new CaseRunner.Run(backend, c, seed, t0).execute();
        } catch (RuntimeException | AssertionError e) {
            return new CaseResult(c.id(), CaseResult.Status.ERROR, Double.NaN, Double.NaN, Double.NaN, 0, 0,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), seed, System.nanoTime() - t0);
        }
    }

    private static final class Run {
        private final AttentionBackend backend;
        private final ConformanceCase c;
        private final long seed;
        private final long t0;
        private final CaseData data;
        private final KvCacheSpec spec;
        private final List<String> problems = new ArrayList<>();

        Run(AttentionBackend backend, ConformanceCase c, long seed, long t0) {
            this.backend = backend;
            this.c = c;
            this.seed = seed;
            this.t0 = t0;
            this.data = CaseData.generate(c, seed);
            this.spec = data.spec;
        }

        CaseResult execute() {
            try (KvCache cache = backend.createKvCache(spec, data.scales)) {
                Random rnd = new Random(seed * 31 + 7);
                byte[] kPoison = poison(cache.keys(), rnd, false);
                byte[] vPoison = poison(cache.values(), rnd, false);
                byte[] ksPoison = cache.keyScales().map(t -> poison(t, rnd, true)).orElse(null);
                byte[] vsPoison = cache.valueScales().map(t -> poison(t, rnd, true)).orElse(null);
                for (CaseData.AppendCall call : data.appends) {
                    append(cache, call);
                }
                StoredSide k = new StoredSide(cache.keys(), cache.keyScales().orElse(null), data.scales.k());
                StoredSide v = new StoredSide(cache.values(), cache.valueScales().orElse(null), data.scales.v());
                long mismatches = checkAppend(true, k, kPoison, ksPoison) + checkAppend(false, v, vPoison, vsPoison);
                return attention(cache, k, v, mismatches);
            }
        }

        private void append(KvCache cache, CaseData.AppendCall call) {
            int n = call.slots().length;
            int[] shape = {n, c.numKvHeads(), c.headDim()};
            try (Tensor k = backend.upload(data.inputDtype, shape, shorts(call.keys()));
                 Tensor v = backend.upload(data.inputDtype, shape, shorts(call.values()))) {
                backend.append(cache, k, v, call.slots());
            }
        }

        /** Fills a tensor with random bytes (positive floats for scale tensors) and returns them. */
        private byte[] poison(Tensor t, Random rnd, boolean floats) {
            ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            if (floats) {
                while (b.hasRemaining()) {
                    b.putFloat(0.5f + rnd.nextFloat());
                }
            } else {
                byte[] raw = new byte[b.capacity()];
                rnd.nextBytes(raw);
                b.put(raw);
            }
            b.flip();
            t.copyFromHost(b);
            return b.array().clone();
        }

        /** The downloaded contents of one side (K or V) of the cache. */
        private final class StoredSide {
            final byte[] codes;
            final short[] halves;
            final float[] dynamic;
            final float[] caller;

            StoredSide(Tensor data, Tensor dynamicScales, float[] callerScales) {
                if (spec.kvDtype().isQuantized()) {
                    codes = data.toByteArray();
                    halves = null;
                } else {
                    codes = null;
                    halves = data.toShortArray();
                }
                dynamic = dynamicScales == null ? null : dynamicScales.toFloatArray();
                caller = callerScales;
            }

            /** The exact stored value of (block, offset, head, channel), dequantized in float64. */
            double value(int block, int off, int head, int ch) {
                int idx = elementIndex(block, off, head, ch);
                if (halves != null) {
                    return ReferenceFormats.half(spec.kvDtype().storage(), halves[idx]);
                }
                return ReferenceFormats.code(spec.kvDtype(), codes[idx]) * scale(block, off, head, ch);
            }

            double scale(int block, int off, int head, int ch) {
                switch (spec.granularity().kind()) {
                    case TENSOR: return caller[0];
                    case HEAD: return caller[head];
                    case CHANNEL: return caller[head * spec.headDim() + ch];
                    default: return dynamic[dynamicIndex(block, off, head, ch)];
                }
            }
        }

        /** Element index, written out independently of the api's helpers. */
        private int elementIndex(int block, int off, int head, int ch) {
            int bs = spec.blockSize();
            int h = spec.numKvHeads();
            int d = spec.headDim();
            return spec.layout() == KvLayout.NHD
                    ? ((block * bs + off) * h + head) * d + ch
                    : ((block * h + head) * bs + off) * d + ch;
        }

        private int groupsPerHead() {
            ScaleGranularity g = spec.granularity();
            return g.kind() == ScaleGranularity.Kind.TOKEN ? 1 : spec.headDim() / g.groupSize();
        }

        private int dynamicIndex(int block, int off, int head, int ch) {
            int bs = spec.blockSize();
            int h = spec.numKvHeads();
            int gph = groupsPerHead();
            int group = spec.granularity().kind() == ScaleGranularity.Kind.TOKEN ? 0 : ch / spec.granularity().groupSize();
            return spec.layout() == KvLayout.NHD
                    ? ((block * bs + off) * h + head) * gph + group
                    : ((block * h + head) * bs + off) * gph + group;
        }

        /** Counts wrong codes and scales in written slots and changed bytes elsewhere. */
        private long checkAppend(boolean key, StoredSide side, byte[] poison, byte[] scalePoison) {
            String name = key ? "K" : "V";
            int bs = spec.blockSize();
            int h = spec.numKvHeads();
            int d = spec.headDim();
            int esize = spec.kvDtype().storage().byteSize();
            boolean dynamic = spec.granularity().isDynamic();
            int gsize = dynamic ? d / groupsPerHead() : d;
            long bad = 0;
            ByteBuffer poisonBuf = ByteBuffer.wrap(poison).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer scalePoisonBuf = scalePoison == null ? null : ByteBuffer.wrap(scalePoison).order(ByteOrder.LITTLE_ENDIAN);
            for (int slot = 0; slot < spec.numSlots(); slot++) {
                int block = slot / bs;
                int off = slot % bs;
                int[] owner = data.slotOwner[slot];
                for (int head = 0; head < h; head++) {
                    if (owner == null) {
                        for (int ch = 0; ch < d; ch++) {
                            int idx = elementIndex(block, off, head, ch);
                            boolean same = side.halves != null
                                    ? side.halves[idx] == poisonBuf.getShort(idx * esize)
                                    : side.codes[idx] == poison[idx];
                            if (!same) {
                                bad++;
                                note(name + " slot " + slot + " head " + head + " ch " + ch + " was not appended but changed");
                            }
                        }
                        if (dynamic) {
                            for (int ch = 0; ch < d; ch += gsize) {
                                int si = dynamicIndex(block, off, head, ch);
                                if (Float.floatToRawIntBits(side.dynamic[si]) != scalePoisonBuf.getInt(4 * si)) {
                                    bad++;
                                    note(name + " scale of slot " + slot + " head " + head + " was not appended but changed");
                                }
                            }
                        }
                        continue;
                    }
                    int seq = owner[0];
                    int pos = owner[1];
                    int rowBase = (pos * h + head) * d;
                    if (side.halves != null) {
                        for (int ch = 0; ch < d; ch++) {
                            short want = (key ? data.keys : data.values)[seq][rowBase + ch];
                            if (side.halves[elementIndex(block, off, head, ch)] != want) {
                                bad++;
                                note(name + " slot " + slot + " head " + head + " ch " + ch + ": 16-bit value not stored as given");
                            }
                        }
                        continue;
                    }
                    KvDType t = spec.kvDtype();
                    if (dynamic) {
                        for (int c0 = 0; c0 < d; c0 += gsize) {
                            double absmax = 0;
                            for (int ch = c0; ch < c0 + gsize; ch++) {
                                double x = data.value(key, seq, rowBase + ch);
                                if (Double.isFinite(x)) {   // NaN and infinities do not set the scale
                                    absmax = Math.max(absmax, Math.abs(x));
                                }
                            }
                            float want = ReferenceQuantizer.dynamicScale(absmax, t);
                            float got = side.dynamic[dynamicIndex(block, off, head, c0)];
                            if (!(Math.abs(got - want) <= Math.ulp(want))) {
                                bad++;
                                note(name + " scale of slot " + slot + " head " + head + " group " + c0 / gsize
                                        + ": got " + got + ", want " + want);
                            }
                        }
                    }
                    for (int ch = 0; ch < d; ch++) {
                        double x = data.value(key, seq, rowBase + ch);
                        double s = side.scale(block, off, head, ch);
                        double code = ReferenceFormats.code(t, side.codes[elementIndex(block, off, head, ch)]);
                        boolean ok = ReferenceQuantizer.accepts(t, x, s, code) && !(t == KvDType.INT8 && code < -127);
                        if (!ok) {
                            bad++;
                            note(name + " slot " + slot + " head " + head + " ch " + ch + ": x=" + x + " s=" + s
                                    + " code=" + code + ", want " + ReferenceQuantizer.expected(t, x, s));
                        }
                    }
                }
            }
            return bad;
        }

        /** Fills the output with NaN bits {@code nan} and the LSE (if any) with NaN: unwritten stays visible. */
        private void poison(Tensor out, Tensor lseT, short nan) {
            short[] bits = new short[(int) out.numElements()];
            java.util.Arrays.fill(bits, nan);
            out.copyFrom(bits);
            if (lseT != null) {
                float[] p = new float[(int) lseT.numElements()];
                java.util.Arrays.fill(p, Float.NaN);
                lseT.copyFrom(p);
            }
        }

        private CaseResult attention(KvCache cache, StoredSide k, StoredSide v, long appendMismatches) {
            int n = c.numSequences();
            int h = c.numKvHeads();
            int d = c.headDim();
            int bs = c.blockSize();
            double[][] kRef = new double[n][];
            double[][] vRef = new double[n][];
            for (int i = 0; i < n; i++) {
                int kv = c.kvLens()[i];
                kRef[i] = new double[kv * h * d];
                vRef[i] = new double[kv * h * d];
                for (int p = 0; p < kv; p++) {
                    int block = data.blockRows[i][p / bs];
                    for (int x = 0; x < h; x++) {
                        for (int y = 0; y < d; y++) {
                            kRef[i][(p * h + x) * d + y] = k.value(block, p % bs, x, y);
                            vRef[i][(p * h + x) * d + y] = v.value(block, p % bs, x, y);
                        }
                    }
                }
            }
            double[] q = new double[data.queries.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = ReferenceFormats.half(c.queryDtype(), data.queries[i]);
            }
            ReferenceAttention.Result ref = ReferenceAttention.run(c.qLens(), c.kvLens(), q, kRef, vRef,
                    c.numQoHeads(), h, d, c.options().softmaxScale(d), c.options().causal(),
                    c.options().slidingWindow().orElse(0), c.options().softCap().orElse(0));

            int tokens = q.length / (c.numQoHeads() * d);
            BatchLayout batch = BatchLayout.of(c.qLens(), c.kvLens(), data.blockRows);
            PlanRequest request = new PlanRequest(c.op(), AttentionShape.of(spec, c.numQoHeads(), c.queryDtype(), c.options()), batch);
            short nan = c.queryDtype() == DType.BF16 ? (short) 0x7FC1 : (short) 0x7E01;
            short[] outBits;
            float[] lse = null;
            int[] qShape = {tokens, c.numQoHeads(), d};
            try (Plan plan = backend.plan(request);
                 Tensor query = backend.upload(c.queryDtype(), qShape, shorts(data.queries));
                 Tensor out = backend.allocate(c.queryDtype(), qShape);
                 Tensor lseT = c.withLse() ? backend.allocate(DType.FP32, tokens, c.numQoHeads()) : null) {
                poison(out, lseT, nan);
                backend.run(plan, query, cache, out, lseT);
                if (c.op() == OpKind.DECODE) {
                    // What a plan keeps on the device across its launches (a GPU backend's merge
                    // tickets and stage claims, each launch putting them back) must leave the next
                    // launch right: decode runs a second time, and the second run is what is checked.
                    poison(out, lseT, nan);
                    backend.run(plan, query, cache, out, lseT);
                }
                outBits = out.toShortArray();
                if (lseT != null) {
                    lse = lseT.toFloatArray();
                }
            }

            long unwritten = 0;
            double errSq = 0;
            double refSq = 0;
            double maxAbsErr = 0;
            double maxRef = 0;
            for (int i = 0; i < outBits.length; i++) {
                double got = ReferenceFormats.half(c.queryDtype(), outBits[i]);
                if (Double.isNaN(got)) {
                    unwritten++;
                    continue;
                }
                double e = got - ref.out()[i];
                errSq += e * e;
                refSq += ref.out()[i] * ref.out()[i];
                maxAbsErr = Math.max(maxAbsErr, Math.abs(e));
                maxRef = Math.max(maxRef, Math.abs(ref.out()[i]));
            }
            double relL2 = Math.sqrt(errSq / refSq);
            double maxErr = maxAbsErr / maxRef;
            double lseErr = 0;
            boolean lseOk = true;
            if (lse != null) {
                for (int i = 0; i < lse.length; i++) {
                    if (Float.isNaN(lse[i])) {
                        unwritten++;
                        continue;
                    }
                    double e = Math.abs(lse[i] - ref.lse()[i]);
                    lseErr = Math.max(lseErr, e);
                    if (e > Tolerances.lse(ref.lse()[i])) {
                        lseOk = false;
                    }
                }
            }
            DType od = c.queryDtype();
            if (unwritten > 0) {
                note(unwritten + " output/LSE elements not written (still NaN poison)");
            }
            if (relL2 > Tolerances.relL2(od)) {
                note(String.format(java.util.Locale.ROOT, "relL2 %.3e > %.1e", relL2, Tolerances.relL2(od)));
            }
            if (maxErr > Tolerances.maxErr(od)) {
                note(String.format(java.util.Locale.ROOT, "maxErr %.3e > %.1e", maxErr, Tolerances.maxErr(od)));
            }
            if (!lseOk) {
                note(String.format(java.util.Locale.ROOT, "lse error %.3e beyond tolerance", lseErr));
            }
            boolean pass = problems.isEmpty() && appendMismatches == 0;
            return new CaseResult(c.id(), pass ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, relL2, maxErr,
                    lseErr, appendMismatches, unwritten, String.join("; ", problems), seed, System.nanoTime() - t0);
        }

        private void note(String problem) {
            if (problems.size() < MAX_DETAILS) {
                problems.add(problem);
            } else if (problems.size() == MAX_DETAILS) {
                problems.add("...");
            }
        }
    }

    static ByteBuffer shorts(short[] bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(bits);
        return b;
    }
}
