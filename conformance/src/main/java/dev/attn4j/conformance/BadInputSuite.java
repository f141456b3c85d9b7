package dev.attn4j.conformance;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.numeric.Bf16;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Bad input, every field: each case makes one invalid call against a valid fixture and expects a
 * specific exception whose message names the field and the value. After the rejection every byte
 * of the fixture's KV cache and output must be as before (a rejected call changes nothing).
 */
public final class BadInputSuite {
    /** numBlocks 8, blockSize 4, 2 KV heads, headDim 16, INT8 with TOKEN scales (written by append). */
    static final KvCacheSpec SPEC = new KvCacheSpec(8, 4, 2, 16, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
    static final int QO_HEADS = 4;

    private BadInputSuite() {
    }

    /** An invalid call. */
    @FunctionalInterface
    public interface Action {
        void run(Fixture f);
    }

    /**
     * One bad-input case.
     *
     * @param name     what is wrong
     * @param expected the exception type
     * @param message  text the message must contain: the {@code field=value} part
     * @param action   the call
     */
    public record BadInputCase(String name, Class<? extends RuntimeException> expected, String message, Action action) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The valid objects each case spoils one thing of. */
    public static final class Fixture implements AutoCloseable {
        public final AttentionBackend backend;
        public final AttentionBackend other;
        public final KvCache cache;
        public final Tensor keys;
        public final Tensor values;
        public final int[] slots = {0, 5, -1};
        public final Plan prefillPlan;
        public final Plan decodePlan;
        public final Tensor query;
        public final Tensor decodeQuery;
        public final Tensor out;
        public final Tensor decodeOut;
        public final Tensor lse;
        private final List<AutoCloseable> owned = new ArrayList<>();

        Fixture(AttentionBackend backend, AttentionBackend other) {
            this.backend = backend;
            this.other = other;
            Random rnd = new Random(17);
            cache = own(backend.createKvCache(SPEC));
            keys = own(randomBf16(backend, rnd, 3, SPEC.numKvHeads(), SPEC.headDim()));
            values = own(randomBf16(backend, rnd, 3, SPEC.numKvHeads(), SPEC.headDim()));
            // Fill slots 0..23 (blocks 0..5) with valid data so plans below reference written blocks.
            int n = 24;
            try (Tensor k = randomBf16(backend, rnd, n, SPEC.numKvHeads(), SPEC.headDim());
                 Tensor v = randomBf16(backend, rnd, n, SPEC.numKvHeads(), SPEC.headDim())) {
                int[] s = new int[n];
                for (int i = 0; i < n; i++) {
                    s[i] = i;
                }
                backend.append(cache, k, v, s);
            }
            prefillPlan = own(backend.plan(PlanRequest.prefill(AttentionShape.of(SPEC, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), validPrefill())));
            decodePlan = own(backend.plan(PlanRequest.decode(AttentionShape.of(SPEC, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {6}, new int[][] {{1, 3}}))));
            query = own(randomBf16(backend, rnd, 2, QO_HEADS, SPEC.headDim()));
            decodeQuery = own(randomBf16(backend, rnd, 1, QO_HEADS, SPEC.headDim()));
            out = own(randomBf16(backend, rnd, 2, QO_HEADS, SPEC.headDim()));
            decodeOut = own(randomBf16(backend, rnd, 1, QO_HEADS, SPEC.headDim()));
            lse = own(backend.allocate(DType.FP32, 2, QO_HEADS));
        }

        /** A valid prefill batch: one sequence, 2 new of 6 tokens, blocks 1 and 3. */
        public static BatchLayout validPrefill() {
            return BatchLayout.of(new int[] {2}, new int[] {6}, new int[][] {{1, 3}});
        }

        public PlanRequest prefill(BatchLayout batch) {
            return PlanRequest.prefill(AttentionShape.of(SPEC, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), batch);
        }

        /** A zeroed FP32 tensor of this fixture's backend, closed with the fixture. */
        public Tensor floats(int... shape) {
            Tensor t = own(backend.allocate(DType.FP32, shape));
            t.copyFrom(new float[(int) t.numElements()]);
            return t;
        }

        /** A random BF16 tensor of this fixture's backend. */
        public Tensor halves(int... shape) {
            return own(randomBf16(backend, new Random(shape.length), shape));
        }

        private <T extends AutoCloseable> T own(T t) {
            owned.add(t);
            return t;
        }

        @Override
        public void close() {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception ignored) {
                    // closing is best effort; the backend goes away next
                }
            }
        }
    }

    static Tensor randomBf16(AttentionBackend b, Random rnd, int... shape) {
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        short[] bits = new short[n];
        for (int i = 0; i < n; i++) {
            bits[i] = Bf16.fromFloat((float) rnd.nextGaussian() + 0.01f);
        }
        Tensor t = b.allocate(DType.BF16, shape);
        try {
            t.copyFrom(bits);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static BadInputCase invalid(String name, String message, Action a) {
        return new BadInputCase(name, InvalidRequestException.class, message, a);
    }

    /** Every bad-input case. */
    public static List<BadInputCase> cases() {
        List<BadInputCase> c = new ArrayList<>();
        // Batch layout, checked by plan.
        c.add(invalid("negative block id", "batch.sequence[0].blockIds[1]=-1",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {6}, new int[][] {{1, -1}})))));
        c.add(invalid("block id >= numBlocks", "batch.sequence[0].blockIds[0]=8",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {6}, new int[][] {{8, 1}})))));
        c.add(invalid("block id repeated within a sequence", "batch.sequence[0].blockIds[2]=1",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {10}, new int[][] {{1, 3, 1}})))));
        c.add(invalid("two block ids repeated: the first repeat is named", "batch.sequence[0].blockIds[2]=3",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {14}, new int[][] {{1, 3, 3, 1}})))));
        KvCacheSpec manyBlocks = new KvCacheSpec((1 << 24) + 1, 4, 2, 16, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
        c.add(invalid("block id repeated in a cache of 2^24+1 blocks", "batch.sequence[0].blockIds[2]=16777216",
                f -> f.backend.plan(PlanRequest.prefill(AttentionShape.of(manyBlocks, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL),
                        BatchLayout.of(new int[] {2}, new int[] {10}, new int[][] {{1 << 24, 3, 1 << 24}})))));
        c.add(invalid("kvLen > blocks x blockSize", "batch.sequence[0].kvLen=9",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2}, new int[] {9}, new int[][] {{1, 3}})))));
        c.add(invalid("qLen > kvLen", "batch.sequence[0].qLen=7",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {7}, new int[] {6}, new int[][] {{1, 3}})))));
        c.add(invalid("empty sequence (qLen 0)", "batch.sequence[1].qLen=0",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[] {2, 0}, new int[] {6, 4}, new int[][] {{1, 3}, {2}})))));
        c.add(invalid("empty batch", "batch.numSequences=0",
                f -> f.backend.plan(f.prefill(BatchLayout.of(new int[0], new int[0], new int[0][])))));
        c.add(invalid("decode with qLen 2", "batch.sequence[0].qLen=2",
                f -> f.backend.plan(PlanRequest.decode(AttentionShape.of(SPEC, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), Fixture.validPrefill()))));
        c.add(invalid("numQoHeads not a multiple of numKvHeads", "numQoHeads=5",
                f -> f.backend.plan(PlanRequest.prefill(AttentionShape.of(SPEC, 5, DType.BF16, AttentionOptions.CAUSAL), Fixture.validPrefill()))));
        c.add(invalid("query dtype not 16-bit", "queryDtype=FP32",
                f -> f.backend.plan(PlanRequest.prefill(AttentionShape.of(SPEC, QO_HEADS, DType.FP32, AttentionOptions.CAUSAL), Fixture.validPrefill()))));
        // Sizes: every product is checked before anything is allocated or scheduled.
        c.add(invalid("tensor of 2^62+1 elements (bytes overflow)", "shape=[27905, 8681, 49477, 384773]",
                f -> f.backend.allocate(DType.FP32, 27905, 8681, 49477, 384773)));
        c.add(invalid("tensor of 2^93 elements", "shape=[2147483647, 2147483647, 2147483647]",
                f -> f.backend.allocate(DType.FP32, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE)));
        KvCacheSpec oneHugeBlock = new KvCacheSpec(1, Integer.MAX_VALUE, 1, 8, KvDType.BF16, ScaleGranularity.NONE,
                KvLayout.NHD);
        c.add(invalid("plan of 2^31-1 query tokens", "batch.numTokens=2147483647",
                f -> f.backend.plan(PlanRequest.prefill(AttentionShape.of(oneHugeBlock, 1, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.of(new int[] {Integer.MAX_VALUE},
                        new int[] {Integer.MAX_VALUE}, new int[][] {{0}})))));
        KvCacheSpec d128 = new KvCacheSpec(8, 4, 2, 128, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD);
        c.add(invalid("2^25 query heads at head dim 128 (workspace overflow)", "numQoHeads=33554432",
                f -> f.backend.plan(PlanRequest.decode(AttentionShape.of(d128, 1 << 25, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {6}, new int[][] {{1, 3}})))));
        c.add(invalid("cache of more than 2^61 elements", "numKvHeads*headDim=",
                f -> new KvCacheSpec(1 << 19, 1 << 11, 1 << 20, 1 << 12, KvDType.INT8, ScaleGranularity.TOKEN,
                        KvLayout.NHD)));
        // Options that would not survive float32, where kernels compute.
        c.add(invalid("soft-cap above float range", "options.softCap=1.0E300",
                f -> AttentionOptions.builder().softCap(1e300)));
        c.add(invalid("soft-cap below float range (would turn the cap off)", "options.softCap=4.9E-324",
                f -> AttentionOptions.builder().softCap(Double.MIN_VALUE)));
        c.add(invalid("softmax scale above float range", "options.softmaxScale=1.0E300",
                f -> AttentionOptions.builder().softmaxScale(1e300)));
        // A cache one of whose tensors was closed by hand is closed: nothing of it is written.
        c.add(invalid("append into a cache whose V tensor was closed", "cache=closed",
                f -> {
                    KvCache partly = f.backend.createKvCache(SPEC);
                    try {
                        partly.values().close();
                        byte[] before = partly.keys().toByteArray();
                        try {
                            f.backend.append(partly, f.keys, f.values, f.slots);
                        } finally {
                            if (!Arrays.equals(before, partly.keys().toByteArray())) {
                                throw new AssertionError("the rejected append wrote K");
                            }
                        }
                    } finally {
                        partly.close();
                    }
                }));
        // Cache specs and scales.
        c.add(invalid("head dim 0", "headDim=0",
                f -> f.backend.createKvCache(new KvCacheSpec(8, 4, 2, 0, KvDType.INT8, ScaleGranularity.TOKEN,
                        KvLayout.NHD))));
        c.add(new BadInputCase("head dim unsupported", UnsupportedConfigurationException.class, "headDim=",
                f -> f.backend.createKvCache(new KvCacheSpec(2, 4, 1, unsupportedHeadDim(f.backend), KvDType.INT8,
                        ScaleGranularity.TOKEN, KvLayout.NHD))));
        c.add(invalid("TOKEN_GROUP size not dividing headDim", "granularity.groupSize=5",
                f -> new KvCacheSpec(8, 4, 2, 16, KvDType.INT8, ScaleGranularity.tokenGroup(5), KvLayout.NHD)));
        c.add(invalid("block size 0", "blockSize=0",
                f -> new KvCacheSpec(8, 0, 2, 16, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD)));
        c.add(invalid("quantized cache without scales", "granularity=NONE",
                f -> new KvCacheSpec(8, 4, 2, 16, KvDType.FP8_E4M3, ScaleGranularity.NONE, KvLayout.NHD)));
        KvCacheSpec perHead = new KvCacheSpec(8, 4, 2, 16, KvDType.FP8_E4M3, ScaleGranularity.HEAD, KvLayout.NHD);
        float[][] badScales = {{Float.NaN}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}, {0f}, {-0.5f}};
        for (float[] bad : badScales) {
            float s = bad[0];
            c.add(invalid("K scale " + s, "kScales[1]=" + s,
                    f -> f.backend.createKvCache(perHead, KvScales.of(new float[] {0.1f, s}, new float[] {0.1f, 0.1f}))));
            c.add(invalid("V scale " + s, "vScales[0]=" + s,
                    f -> f.backend.createKvCache(perHead, KvScales.of(new float[] {0.1f, 0.1f}, new float[] {s, 0.1f}))));
        }
        c.add(invalid("tensor scale 0", "kScales[0]=0.0",
                f -> f.backend.createKvCache(new KvCacheSpec(8, 4, 2, 16, KvDType.INT8, ScaleGranularity.TENSOR,
                        KvLayout.HND), KvScales.tensor(0f, 1f))));
        c.add(invalid("wrong number of scales", "kScales.length=1",
                f -> f.backend.createKvCache(perHead, KvScales.tensor(0.1f, 0.1f))));
        // Options.
        c.add(invalid("sliding window 0", "options.slidingWindow=0", f -> AttentionOptions.builder().slidingWindow(0)));
        c.add(invalid("sliding window -3", "options.slidingWindow=-3", f -> AttentionOptions.builder().slidingWindow(-3)));
        c.add(invalid("soft-cap 0", "options.softCap=0.0", f -> AttentionOptions.builder().softCap(0)));
        c.add(invalid("soft-cap -1", "options.softCap=-1.0", f -> AttentionOptions.builder().softCap(-1)));
        c.add(invalid("soft-cap NaN", "options.softCap=NaN", f -> AttentionOptions.builder().softCap(Double.NaN)));
        c.add(invalid("softmax scale 0", "options.softmaxScale=0.0", f -> AttentionOptions.builder().softmaxScale(0)));
        // Append: slots, tensors.
        c.add(invalid("slot >= numSlots", "slots[1]=32",
                f -> f.backend.append(f.cache, f.keys, f.values, new int[] {0, 32, -1})));
        c.add(invalid("slot < -1", "slots[0]=-2",
                f -> f.backend.append(f.cache, f.keys, f.values, new int[] {-2, 1, 2})));
        c.add(invalid("slot repeated within one append", "slots[2]=7",
                f -> f.backend.append(f.cache, f.keys, f.values, new int[] {7, 3, 7})));
        c.add(invalid("slots length differs from rows", "slots.length=2",
                f -> f.backend.append(f.cache, f.keys, f.values, new int[] {0, 1})));
        c.add(invalid("keys shape", "keys.shape=[3, 4, 16]",
                f -> f.backend.append(f.cache, f.halves(3, 4, 16), f.values, f.slots)));
        c.add(invalid("values shape differs from keys", "values.shape=[2, 2, 16]",
                f -> f.backend.append(f.cache, f.keys, f.halves(2, 2, 16), f.slots)));
        c.add(invalid("keys of another backend", "keys=",
                f -> f.backend.append(f.cache, randomBf16(f.other, new Random(1), 3, 2, 16), f.values, f.slots)));
        c.add(invalid("closed keys", "keys=",
                f -> {
                    Tensor k = f.halves(3, 2, 16);
                    k.close();
                    f.backend.append(f.cache, k, f.values, f.slots);
                }));
        c.add(invalid("keys dtype FP32", "keys.dtype=FP32",
                f -> f.backend.append(f.cache, f.backend.allocate(DType.FP32, 3, 2, 16), f.values, f.slots)));
        c.add(invalid("FP16 keys into a BF16 cache", "keys.dtype=FP16",
                f -> {
                    KvCache bf = f.backend.createKvCache(new KvCacheSpec(2, 4, 2, 16, KvDType.BF16, ScaleGranularity.NONE,
                            KvLayout.NHD));
                    try (bf; Tensor k = f.backend.allocate(DType.FP16, 1, 2, 16);
                         Tensor v = f.backend.allocate(DType.FP16, 1, 2, 16)) {
                        f.backend.append(bf, k, v, new int[] {0});
                    }
                }));
        // Running a plan: query, output, LSE, plan and cache.
        c.add(invalid("query dtype mismatch", "query.dtype=FP16",
                f -> f.backend.run(f.prefillPlan, f.backend.allocate(DType.FP16, 2, QO_HEADS, 16), f.cache, f.out, f.lse)));
        c.add(invalid("query shape mismatch", "query.shape=[3, 4, 16]",
                f -> f.backend.run(f.prefillPlan, f.halves(3, QO_HEADS, 16), f.cache, f.out, f.lse)));
        c.add(invalid("output dtype mismatch", "out.dtype=FP16",
                f -> f.backend.run(f.prefillPlan, f.query, f.cache, f.backend.allocate(DType.FP16, 2, QO_HEADS, 16), f.lse)));
        c.add(invalid("output shape mismatch", "out.shape=[2, 4, 8]",
                f -> f.backend.run(f.prefillPlan, f.query, f.cache, f.halves(2, QO_HEADS, 8), f.lse)));
        c.add(invalid("LSE shape mismatch", "lse.shape=[2, 2]",
                f -> f.backend.run(f.prefillPlan, f.query, f.cache, f.out, f.backend.allocate(DType.FP32, 2, 2))));
        c.add(invalid("query of another backend", "query=",
                f -> f.backend.run(f.prefillPlan, randomBf16(f.other, new Random(2), 2, QO_HEADS, 16), f.cache, f.out, f.lse)));
        c.add(invalid("closed query", "query=",
                f -> {
                    Tensor q = f.halves(2, QO_HEADS, 16);
                    q.close();
                    f.backend.run(f.prefillPlan, q, f.cache, f.out, f.lse);
                }));
        c.add(invalid("output is the query", "out=",
                f -> f.backend.run(f.prefillPlan, f.query, f.cache, f.query, f.lse)));
        c.add(invalid("a decode step's tensors given to a prefill plan", "query.shape=",
                f -> f.backend.run(f.prefillPlan, f.decodeQuery, f.cache, f.decodeOut)));
        c.add(invalid("closed plan", "plan=closed",
                f -> {
                    Plan p = f.backend.plan(f.prefill(Fixture.validPrefill()));
                    p.close();
                    f.backend.run(p, f.query, f.cache, f.out, f.lse);
                }));
        c.add(invalid("cache spec differs from the plan's", "cache.spec=",
                f -> {
                    try (KvCache other = f.backend.createKvCache(new KvCacheSpec(9, 4, 2, 16, KvDType.INT8,
                            ScaleGranularity.TOKEN, KvLayout.NHD))) {
                        f.backend.run(f.prefillPlan, f.query, other, f.out, f.lse);
                    }
                }));
        c.add(invalid("closed cache", "cache=closed",
                f -> {
                    KvCache closed = f.backend.createKvCache(SPEC);
                    closed.close();
                    f.backend.run(f.prefillPlan, f.query, closed, f.out, f.lse);
                }));
        c.add(invalid("cache of another backend", "cache=",
                f -> {
                    try (KvCache foreign = f.other.createKvCache(SPEC)) {
                        f.backend.run(f.prefillPlan, f.query, foreign, f.out, f.lse);
                    }
                }));
        return c;
    }

    /** A head dim the backend does not support (the cpu's limit is 1024). */
    static int unsupportedHeadDim(AttentionBackend b) {
        for (int d : new int[] {4096, 2048, 1000, 513, 72, 40, 24}) {
            if (!b.capabilities().headDims().contains(d)) {
                return d;
            }
        }
        throw new IllegalStateException("backend " + b.name() + " supports every candidate head dim");
    }

    /**
     * Runs one case: builds the fixture, snapshots the cache and outputs, makes the call, and
     * checks the exception type, its message and that nothing changed.
     *
     * @return an empty string when it behaved, else what went wrong
     */
    public static String check(AttentionBackend backend, AttentionBackend other, BadInputCase c) {
        try (Fixture f = new Fixture(backend, other)) {
            List<byte[]> before = snapshot(f);
            RuntimeException thrown = null;
            try {
                c.action().run(f);
            } catch (RuntimeException e) {
                thrown = e;
            }
            if (thrown == null) {
                return "no exception; expected " + c.expected().getSimpleName();
            }
            if (!c.expected().isInstance(thrown)) {
                return "threw " + thrown + "; expected " + c.expected().getSimpleName();
            }
            // InvalidRequestException says field=value first; UnsupportedConfigurationException lists reasons.
            boolean named = thrown.getMessage() != null && (thrown instanceof InvalidRequestException
                    ? thrown.getMessage().startsWith(c.message()) : thrown.getMessage().contains(c.message()));
            if (!named) {
                return "message '" + thrown.getMessage() + "' does not " + (thrown instanceof InvalidRequestException
                        ? "start with" : "contain") + " '" + c.message() + "'";
            }
            List<byte[]> after = snapshot(f);
            for (int i = 0; i < before.size(); i++) {
                if (!Arrays.equals(before.get(i), after.get(i))) {
                    return "a rejected call changed " + SNAPSHOT_NAMES[i];
                }
            }
            return "";
        }
    }

    private static final String[] SNAPSHOT_NAMES = {"the K cache", "the V cache", "the K scales", "the V scales",
            "the output", "the decode output", "the LSE", "the query", "the decode query", "the appended keys",
            "the appended values"};

    /** Every byte a rejected call could have touched: the cache, the outputs and the inputs. */
    private static List<byte[]> snapshot(Fixture f) {
        return List.of(bytes(f.cache.keys()), bytes(f.cache.values()), bytes(f.cache.keyScales().orElseThrow()),
                bytes(f.cache.valueScales().orElseThrow()), bytes(f.out), bytes(f.decodeOut), bytes(f.lse),
                bytes(f.query), bytes(f.decodeQuery), bytes(f.keys), bytes(f.values));
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.toHostBuffer();
        return b.array().clone();
    }
}
