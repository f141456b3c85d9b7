package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
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
        long steps = CopyCeiling.steps() + 1 + (cpu ? 1 : 0)
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
                flops = HostFlopsCeiling.measure(HostFlopsCeiling.cpuBackendThreads());
                p.step("host flops ceiling");
            }
            Timing decode = decode(p);
            Timing prefill = prefill(p);
            return new BenchResult(backend.name(), device, config, copy, read, flops, decode, prefill);
        }
    }

    /**
     * {@code batch} sequences of {@code context} tokens each, one query token per sequence. Blocks
     * are handed out in a shuffled order, as a paged allocator does after some churn, so the
     * kernel cannot rely on sequences being contiguous in memory.
     */
    Timing decode(Progress p) {
        int bs = config.blockSize();
        int blocksPerSeq = ceilDiv(config.context(), bs);
        int numBlocks = Math.multiplyExact(config.batch(), blocksPerSeq);
        int[] perm = shuffled(numBlocks);
        int[][] table = new int[config.batch()][blocksPerSeq];
        int[] kvLens = new int[config.batch()];
        int[] slots = new int[Math.multiplyExact(config.batch(), config.context())];
        for (int s = 0; s < config.batch(); s++) {
            kvLens[s] = config.context();
            for (int j = 0; j < blocksPerSeq; j++) {
                table[s][j] = perm[s * blocksPerSeq + j];
            }
            for (int pos = 0; pos < config.context(); pos++) {
                slots[s * config.context() + pos] = table[s][pos / bs] * bs + pos % bs;
            }
        }
        return timeOp(p, "decode", numBlocks, slots, BatchLayout.decode(kvLens, table), config.batch(), false);
    }

    /**
     * One decode step of a {@code layers}-layer model, the way an engine issues it: one plan for
     * the step, then per layer the new token's K and V appended into that layer's cache and the
     * decode run over it. Each layer has a cache of its own (the batch's {@code context} tokens),
     * so no layer's K/V is cache-resident for the next. Timed as a whole: device time and the
     * host-issued time, which includes every synchronization the backend does inside the step.
     */
    Timing step(Progress p, int layers) {
        BenchShape m = config.model();
        int bs = config.blockSize();
        int ctx = config.context();
        int blocksPerSeq = ceilDiv(ctx + 1, bs);
        int numBlocks = Math.multiplyExact(config.batch(), blocksPerSeq);
        int[] perm = shuffled(numBlocks);
        int[][] table = new int[config.batch()][blocksPerSeq];
        int[] kvLens = new int[config.batch()];
        int[] filled = new int[Math.multiplyExact(config.batch(), ctx)];
        int[] fresh = new int[config.batch()];   // the slot of each sequence's new token
        for (int s = 0; s < config.batch(); s++) {
            kvLens[s] = ctx + 1;
            for (int j = 0; j < blocksPerSeq; j++) {
                table[s][j] = perm[s * blocksPerSeq + j];
            }
            for (int pos = 0; pos < ctx; pos++) {
                filled[s * ctx + pos] = table[s][pos / bs] * bs + pos % bs;
            }
            fresh[s] = table[s][ctx / bs] * bs + ctx % bs;
        }
        KvCacheSpec spec = config.spec(numBlocks);
        PlanRequest request = PlanRequest.decode(AttentionShape.of(spec, m.numQoHeads, DType.BF16, m.options()),
                BatchLayout.decode(kvLens, table));
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
            return Timing.measure(backend, config.warmup(), config.iters(), op, () -> p.step("step"));
        }
    }

    /** One sequence of {@code prefillLen} new tokens over an empty prefix, causal. */
    private Timing prefill(Progress p) {
        int bs = config.blockSize();
        int s = config.prefillLen();
        int numBlocks = ceilDiv(s, bs);
        int[] ids = shuffled(numBlocks);
        int[] slots = new int[s];
        for (int pos = 0; pos < s; pos++) {
            slots[pos] = ids[pos / bs] * bs + pos % bs;
        }
        BatchLayout batch = BatchLayout.of(new int[] {s}, new int[] {s}, new int[][] {ids});
        return timeOp(p, "prefill", numBlocks, slots, batch, s, true);
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
                Runnable op = prefill
                        ? () -> backend.run(plan, q, cache, out)
                        : () -> backend.run(plan, q, cache, out);
                p.message(label);
                return Timing.measure(backend, config.warmup(), config.iters(), op, () -> p.step(label));
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
