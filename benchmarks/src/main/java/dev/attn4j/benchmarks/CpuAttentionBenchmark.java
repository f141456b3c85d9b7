package dev.attn4j.benchmarks;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.cpu.CpuBackendProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cpu backend's decode and prefill on the bench's default shape (llama3-8b: 32 query / 8 KV
 * heads, head dim 128, block 16, NHD, BF16 queries): decode of {@code batch} sequences of
 * {@code context} tokens, prefill of one {@code prefill}-token prompt (causal), for each KV format
 * and for both loops ({@code loops}: the Vector API ones, or the scalar ones the backend falls back
 * to). Caches hold fresh Gaussian K/V appended through the backend. Each fork's JVM has the Vector
 * API module.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class CpuAttentionBenchmark {
    private static final int QO_HEADS = 32;
    private static final int KV_HEADS = 8;
    private static final int HEAD_DIM = 128;
    private static final int BLOCK = 16;

    @Param({"vector", "scalar"})
    public String loops;

    @Param({"int8/token", "fp8-e4m3/tensor", "bf16"})
    public String kv;

    @Param({"4"})
    public int batch;

    @Param({"1024"})
    public int context;

    @Param({"512"})
    public int prefill;

    private AttentionBackend backend;
    private KvCache cache;
    private Plan decodePlan;
    private Plan prefillPlan;
    private Tensor decodeQ;
    private Tensor decodeOut;
    private Tensor prefillQ;
    private Tensor prefillOut;

    @Setup(Level.Trial)
    public void open() {
        backend = new CpuBackendProvider().open(BackendOptions.builder()
                .property(CpuBackendProvider.VECTOR_PROPERTY, Boolean.toString(loops.equals("vector"))).build());
        String[] f = kv.split("/");
        KvDType dtype = KvDType.parse(f[0]);
        ScaleGranularity g = f.length > 1 ? ScaleGranularity.parse(f[1]) : ScaleGranularity.NONE;
        int seqs = Math.max(batch, 1) + 1;   // the decode batch, then the prompt
        int tokens = Math.max(context, prefill);
        int blocksPerSeq = (tokens + BLOCK - 1) / BLOCK;
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(seqs * blocksPerSeq).blockSize(BLOCK).numKvHeads(KV_HEADS)
                .headDim(HEAD_DIM).kvDtype(dtype).granularity(g).layout(KvLayout.NHD).build();
        cache = g.kind() == ScaleGranularity.Kind.TENSOR
                ? backend.createKvCache(spec, dev.attn4j.api.KvScales.tensor(1f / 64, 1f / 64))
                : backend.createKvCache(spec);
        SplittableRandom rnd = new SplittableRandom(17);
        int[][] table = new int[seqs][blocksPerSeq];
        for (int s = 0; s < seqs; s++) {
            for (int b = 0; b < blocksPerSeq; b++) {
                table[s][b] = s * blocksPerSeq + b;
            }
            int n = s < batch ? context : prefill;
            int[] slots = new int[n];
            for (int p = 0; p < n; p++) {
                slots[p] = table[s][p / BLOCK] * BLOCK + p % BLOCK;
            }
            try (Tensor k = gaussian(rnd, n, KV_HEADS); Tensor v = gaussian(rnd, n, KV_HEADS)) {
                backend.append(cache, k, v, slots);
            }
        }
        AttentionShape shape = AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL);
        int[] kvLens = new int[batch];
        int[][] decodeTable = new int[batch][];
        for (int s = 0; s < batch; s++) {
            kvLens[s] = context;
            decodeTable[s] = table[s];
        }
        decodePlan = backend.plan(PlanRequest.decode(shape, BatchLayout.decode(kvLens, decodeTable)));
        decodeQ = gaussian(rnd, batch, QO_HEADS);
        decodeOut = backend.allocate(DType.BF16, batch, QO_HEADS, HEAD_DIM);
        prefillPlan = backend.plan(PlanRequest.prefill(shape,
                BatchLayout.of(new int[] {prefill}, new int[] {prefill}, new int[][] {table[batch]})));
        prefillQ = gaussian(rnd, prefill, QO_HEADS);
        prefillOut = backend.allocate(DType.BF16, prefill, QO_HEADS, HEAD_DIM);
    }

    /** One decode step of the batch (one layer). */
    @Benchmark
    public void decode() {
        backend.run(decodePlan, decodeQ, cache, decodeOut);
    }

    /** One causal prefill of the prompt (one layer). */
    @Benchmark
    public void prefill() {
        backend.run(prefillPlan, prefillQ, cache, prefillOut);
    }

    @TearDown(Level.Trial)
    public void close() {
        backend.close();   // its tensors, cache and plans with it
    }

    private Tensor gaussian(SplittableRandom rnd, int n, int heads) {
        short[] bits = new short[n * heads * HEAD_DIM];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Bf16.fromFloat((float) (Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble())));
        }
        Tensor t = backend.allocate(DType.BF16, n, heads, HEAD_DIM);
        t.copyFrom(bits);
        return t;
    }
}
