package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.DeviceMeasurements;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.TensorScope;

import java.io.PrintWriter;
import java.util.Random;

/**
 * Runs one {@link BenchConfig} on an opened backend: the copy and read ceilings, the host compute
 * ceiling (cpu only), then decode and prefill, each on caches filled with fresh random data through append
 * and with one plan made before the clock starts (engines plan once per step, so planning is not
 * per-layer attention time).
 */
final class Benchmark {
    /**
     * The least warm-up of {@code --step}, and of every operation on the cpu backend: host code
     * (planning, validation, the cpu kernels' Vector API loops) reaches C2's code only after
     * thousands of calls and a second or more, as in an engine that has run for a while.
     */
    static final long STEP_WARMUP_NANOS = 2_000_000_000L;
    private final AttentionBackend backend;
    private final BenchConfig config;
    private final String device;
    private final PrintWriter err;
    private final RandomData random = new RandomData();

    Benchmark(AttentionBackend backend, BenchConfig config, String device, PrintWriter err) {
        this.backend = backend;
        this.config = config;
        this.device = device;
        this.err = err;
    }

    BenchResult run() {
        boolean cpu = backend.name().equals("cpu");
        BenchShape m = config.model();
        long decodeTokens = (long) config.batch() * config.context();
        long steps = CopyCeiling.steps() + ReadCeiling.progressSteps(backend) + (cpu ? 1 : 0)
                + CacheFiller.chunks(decodeTokens, m.numKvHeads, m.headDim)
                + CacheFiller.chunks(config.prefillLen(), m.numKvHeads, m.headDim)
                + 2L * (config.warmup() + config.iters());
        try (Progress p = Progress.start(err, "bench " + backend.name(), steps)) {
            p.message("copy ceiling");
            CopyCeiling copy = CopyCeiling.measure(backend, random, () -> p.step("copy ceiling"));
            p.message("read ceiling");
            ReadCeiling read = ReadCeiling.measure(backend);
            p.step("read ceiling");
            HostFlopsCeiling flops = null;
            if (cpu) {
                p.message("host flops ceiling");
                flops = HostFlopsCeiling.measure(HostFlopsCeiling.cpuBackendThreads(), backend.unwrap(DeviceMeasurements.class)
                        .map(DeviceMeasurements::fmaFlopsPerSecond).orElse(java.util.OptionalDouble.empty()));
                p.step("host flops ceiling");
            }
            Timing decode = decode(p);
            Timing prefill = prefill(p);
            read = ReadCeiling.again(backend, read, p);
            return new BenchResult(backend.name(), device, config, copy, read, flops, decode, prefill);
        }
    }

    /**
     * The paged layout of {@code batch} sequences of {@code tokens} cached tokens each: a block
     * table handed out in a shuffled order, as a paged allocator does after some churn (so the
     * kernel cannot rely on sequences being contiguous in memory), and the slot of every position.
     *
     * @param table     each sequence's block ids
     * @param numBlocks blocks of the cache
     */
    private record PagedBatch(int[][] table, int numBlocks, int blockSize) {
        static PagedBatch of(int batch, int tokens, int blockSize) {
            int blocksPerSeq = ceilDiv(tokens, blockSize);
            int numBlocks = Math.multiplyExact(batch, blocksPerSeq);
            int[] perm = shuffled(numBlocks);
            int[][] table = new int[batch][blocksPerSeq];
            for (int s = 0; s < batch; s++) {
                System.arraycopy(perm, s * blocksPerSeq, table[s], 0, blocksPerSeq);
            }
            return new PagedBatch(table, numBlocks, blockSize);
        }

        int slot(int seq, int pos) {
            return table[seq][pos / blockSize] * blockSize + pos % blockSize;
        }

        /** The slots of positions {@code 0 .. count-1} of every sequence, sequence by sequence. */
        int[] slots(int count) {
            int[] out = new int[Math.multiplyExact(table.length, count)];
            for (int s = 0; s < table.length; s++) {
                for (int pos = 0; pos < count; pos++) {
                    out[s * count + pos] = slot(s, pos);
                }
            }
            return out;
        }
    }

    /** {@code batch} sequences of {@code context} tokens each, one query token per sequence. */
    Timing decode(Progress p) {
        PagedBatch paged = PagedBatch.of(config.batch(), config.context(), config.blockSize());
        int[] kvLens = new int[config.batch()];
        java.util.Arrays.fill(kvLens, config.context());
        return timeOp(p, "decode", paged.numBlocks(), paged.slots(config.context()), BatchLayout.decode(kvLens, paged.table()),
                config.batch(), false);
    }

    /**
     * One decode step of a {@code layers}-layer model, the way an engine issues it: one plan for
     * the step, then per layer the new token's K and V appended into that layer's cache and the
     * decode run over it. Each layer has a cache of its own (the batch's {@code context} tokens),
     * so no layer's K/V is cache-resident for the next. Timed as a whole: device time and the
     * host-issued time, which includes every synchronization the backend does inside the step.
     * Warmed up for at least {@link #STEP_WARMUP_NANOS}, so the host code (planning, validation,
     * launches) runs JIT-compiled, as in an engine that has been running.
     */
    Timing step(Progress p, int layers) {
        BenchShape m = config.model();
        int ctx = config.context();
        PagedBatch paged = PagedBatch.of(config.batch(), ctx + 1, config.blockSize());
        int[] kvLens = new int[config.batch()];
        java.util.Arrays.fill(kvLens, ctx + 1);
        int[] filled = paged.slots(ctx);
        int[] fresh = new int[config.batch()];   // the slot of each sequence's new token
        for (int s = 0; s < config.batch(); s++) {
            fresh[s] = paged.slot(s, ctx);
        }
        KvCacheSpec spec = config.spec(paged.numBlocks());
        PlanRequest request = PlanRequest.decode(AttentionShape.of(spec, m.numQoHeads, DType.BF16, m.options()),
                BatchLayout.decode(kvLens, paged.table()));
        int n = config.batch();
        java.util.List<KvCache> caches = new java.util.ArrayList<>();
        try (TensorScope step = backend.newScope()) {
            for (int l = 0; l < layers; l++) {
                p.message("step: filling layer " + l);
                KvCache c = step.track(backend.createKvCache(spec, config.scales(spec)));
                new CacheFiller(backend, random).fill(c, config.appendDtype(), filled, () -> { });
                caches.add(c);
            }
            DType in = config.appendDtype();
            Tensor k = step.track(backend.upload(in, new int[] {n, m.numKvHeads, m.headDim},
                    random.half(in, (long) n * m.numKvHeads * m.headDim)));
            Tensor v = step.track(backend.upload(in, new int[] {n, m.numKvHeads, m.headDim},
                    random.half(in, (long) n * m.numKvHeads * m.headDim)));
            Tensor q = step.track(backend.upload(DType.BF16, new int[] {n, m.numQoHeads, m.headDim},
                    random.half(DType.BF16, (long) n * m.numQoHeads * m.headDim)));
            Tensor out = step.allocate(DType.BF16, n, m.numQoHeads, m.headDim);
            Runnable op = () -> {
                try (Plan plan = backend.plan(request)) {   // once per step, as an engine plans
                    for (KvCache c : caches) {
                        backend.append(c, k, v, fresh);
                        backend.run(plan, q, c, out);
                    }
                }
            };
            p.message("step");
            return Timing.measure(backend, config.warmup(), config.iters(), op, () -> p.step("step"), STEP_WARMUP_NANOS);
        }
    }

    /** One sequence of {@code prefillLen} new tokens over an empty prefix, causal. */
    private Timing prefill(Progress p) {
        int s = config.prefillLen();
        PagedBatch paged = PagedBatch.of(1, s, config.blockSize());
        BatchLayout batch = BatchLayout.of(new int[] {s}, new int[] {s}, paged.table());
        return timeOp(p, "prefill", paged.numBlocks(), paged.slots(s), batch, s, true);
    }

    private Timing timeOp(Progress p, String label, int numBlocks, int[] slots, BatchLayout batch, int queryRows,
                          boolean prefill) {
        BenchShape m = config.model();
        KvCacheSpec spec = config.spec(numBlocks);
        PlanRequest request = prefill
                ? PlanRequest.prefill(AttentionShape.of(spec, m.numQoHeads, DType.BF16, m.options()), batch)
                : PlanRequest.decode(AttentionShape.of(spec, m.numQoHeads, DType.BF16, m.options()), batch);
        int[] qShape = {queryRows, m.numQoHeads, m.headDim};
        p.message(label + ": filling cache");
        try (KvCache cache = backend.createKvCache(spec, config.scales(spec))) {
            new CacheFiller(backend, random).fill(cache, config.appendDtype(), slots, () -> p.step(label + ": filling cache"));
            try (Tensor q = backend.upload(DType.BF16, qShape, random.half(DType.BF16, (long) queryRows * m.numQoHeads * m.headDim));
                 Tensor out = backend.allocate(DType.BF16, qShape);
                 Plan plan = backend.plan(request)) {
                Runnable op = () -> backend.run(plan, q, cache, out);
                p.message(label);
                long warmup = backend.name().equals("cpu") ? STEP_WARMUP_NANOS : Timing.WARMUP_MIN_NANOS;
                return Timing.measure(backend, config.warmup(), config.iters(), op, () -> p.step(label), warmup);
            }
        }
    }

    /** 0..n-1 in a fixed pseudo-random order (fixed so runs are comparable). */
    private static int[] shuffled(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        Random r = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
