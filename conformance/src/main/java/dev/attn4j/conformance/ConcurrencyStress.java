package dev.attn4j.conformance;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many threads sharing one backend: each thread runs a random sequence of jobs (append then decode
 * or prefill over blocks only it writes, decode over a region every thread reads, plans run again
 * later, allocations and caches made and dropped), closing what it made in a random order, some of
 * it jobs later. Then the same jobs run again on one thread, and every output and LSE must be equal
 * byte for byte: sharing the backend may serialize calls but never mix up their data.
 *
 * <p>Every decision comes from the seed of its thread, so the single-threaded replay makes the same
 * calls with the same data; only the interleaving differs. Each job writes every KV position it
 * reads (or reads only the shared region, written once before the threads start), so a job's result
 * does not depend on which other jobs ran before it.
 */
public final class ConcurrencyStress {
    static final int BLOCK = 16;
    static final int KV_HEADS = 2;
    static final int QO_HEADS = 8;
    static final int HEAD_DIM = 64;
    static final int SHARED_BLOCKS = 20;
    static final int BLOCKS_PER_THREAD = 24;

    private final AttentionBackend backend;
    private final int threads;
    private final int jobsPerThread;
    private final long seed;
    private final List<KvCacheSpec> specs;

    private ConcurrencyStress(AttentionBackend backend, int threads, int jobsPerThread, long seed) {
        this.backend = backend;
        this.threads = threads;
        this.jobsPerThread = jobsPerThread;
        this.seed = seed;
        int numBlocks = SHARED_BLOCKS + threads * BLOCKS_PER_THREAD;
        List<KvCacheSpec> all = List.of(
                new KvCacheSpec(numBlocks, BLOCK, KV_HEADS, HEAD_DIM, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD),
                new KvCacheSpec(numBlocks, BLOCK, KV_HEADS, HEAD_DIM, KvDType.BF16, ScaleGranularity.NONE, KvLayout.HND),
                new KvCacheSpec(numBlocks, BLOCK, KV_HEADS, HEAD_DIM, KvDType.FP8_E4M3, ScaleGranularity.HEAD, KvLayout.NHD));
        List<KvCacheSpec> usable = new ArrayList<>();
        for (KvCacheSpec s : all) {
            if (backend.check(Requirements.of(AttentionShape.of(s, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), Feature.PREFILL, Feature.DECODE, Feature.CHUNKED_PREFILL, Feature.CAUSAL, Feature.LSE)).supported()) {
                usable.add(s);
            }
        }
        this.specs = usable;
    }

    /**
     * What a run found.
     *
     * @param problems "" when every result matched and nothing threw; otherwise what went wrong
     * @param results  attention calls whose outputs were compared
     * @param millis   wall time of the concurrent part
     */
    public record Report(String problems, int results, long millis) {
        @Override
        public String toString() {
            return results + " results compared, concurrent part " + millis + " ms"
                    + (problems.isEmpty() ? "" : ":\n" + problems);
        }
    }

    /**
     * Runs {@code threads} threads of {@code jobsPerThread} jobs each on {@code backend}, then the
     * same jobs on one thread, and compares.
     */
    public static Report run(AttentionBackend backend, int threads, int jobsPerThread, long seed) {
        ConcurrencyStress s = new ConcurrencyStress(backend, threads, jobsPerThread, seed);
        if (s.specs.isEmpty()) {
            return new Report(backend.name() + " supports none of the stress test's caches", 0, 0);
        }
        Map<String, byte[]> shared;
        Map<String, byte[]> alone;
        long t0 = System.nanoTime();
        long millis;
        try {
            shared = s.concurrently();
            millis = (System.nanoTime() - t0) / 1_000_000;
            alone = s.singleThreaded();
        } catch (Throwable t) {
            return new Report("threw " + t, 0, (System.nanoTime() - t0) / 1_000_000);
        }
        return new Report(compare(shared, alone), alone.size(), millis);
    }

    /** Asserts the backend passed: no problem, and at least half the jobs ran attention. */
    public static Report check(AttentionBackend backend, int threads, int jobsPerThread, long seed) {
        Report r = run(backend, threads, jobsPerThread, seed);
        if (!r.problems().isEmpty() || r.results() < threads * jobsPerThread / 2) {
            throw new AssertionError(backend.name() + " under " + threads + " threads: " + r);
        }
        return r;
    }

    private Map<String, byte[]> concurrently() throws Throwable {
        Map<String, byte[]> results = new ConcurrentHashMap<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        try (Caches caches = new Caches()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        new Worker(thread, caches, results).runAll();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "attn4j-stress-" + t);
                w.setDaemon(true);
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                w.join(TimeUnit.MINUTES.toMillis(5));
                if (w.isAlive()) {
                    throw new AssertionError(w.getName() + " still running after 5 minutes");
                }
            }
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " worker(s) failed; first: " + failures.get(0));
            failures.forEach(e::addSuppressed);
            throw e;
        }
        return results;
    }

    private Map<String, byte[]> singleThreaded() throws Exception {
        Map<String, byte[]> results = new LinkedHashMap<>();
        try (Caches caches = new Caches()) {
            for (int t = 0; t < threads; t++) {
                new Worker(t, caches, results).runAll();
            }
        }
        return results;
    }

    private static String compare(Map<String, byte[]> shared, Map<String, byte[]> alone) {
        StringBuilder sb = new StringBuilder();
        if (!shared.keySet().equals(alone.keySet())) {
            sb.append("different jobs ran: ").append(shared.size()).append(" shared, ").append(alone.size())
                    .append(" alone\n");
        }
        int bad = 0;
        for (Map.Entry<String, byte[]> e : alone.entrySet()) {
            byte[] other = shared.get(e.getKey());
            if (other != null && !Arrays.equals(other, e.getValue())) {
                if (bad++ < 5) {
                    sb.append(e.getKey()).append(": differs from the single-threaded run at byte ")
                            .append(Arrays.mismatch(other, e.getValue())).append('\n');
                }
            }
        }
        if (bad > 0) {
            sb.append(bad).append(" of ").append(alone.size()).append(" results differ\n");
        }
        return sb.toString();
    }

    /** One cache per spec, the shared region written once from the seed. */
    private final class Caches implements AutoCloseable {
        final List<KvCache> all = new ArrayList<>();

        Caches() {
            Random r = new Random(seed);
            try {
                for (KvCacheSpec spec : specs) {
                    KvScales scales = spec.granularity() == ScaleGranularity.HEAD
                            ? KvScales.of(new float[] {0.011f, 0.013f}, new float[] {0.012f, 0.009f})
                            : KvScales.none();
                    KvCache c = backend.createKvCache(spec, scales);
                    all.add(c);
                    int[] slots = new int[SHARED_BLOCKS * BLOCK];
                    for (int i = 0; i < slots.length; i++) {
                        slots[i] = i;
                    }
                    append(c, r, slots);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            all.forEach(KvCache::close);
        }
    }

    private void append(KvCache cache, Random r, int[] slots) {
        try (Tensor k = randomBf16(r, slots.length, KV_HEADS, HEAD_DIM);
             Tensor v = randomBf16(r, slots.length, KV_HEADS, HEAD_DIM)) {
            backend.append(cache, k, v, slots);
        }
    }

    private Tensor randomBf16(Random r, int... shape) {
        return BadInputSuite.randomBf16(backend, r, shape);
    }

    /** A plan over the shared region with its query, kept open to be run again by later jobs. */
    private record SharedDecode(Plan plan, Tensor query, int cache) {
    }

    /** One thread's jobs: everything it does comes from its own Random. */
    private final class Worker {
        final int thread;
        final Caches caches;
        final Map<String, byte[]> results;
        final Random r;
        final List<AutoCloseable> pending = new ArrayList<>();
        final List<SharedDecode> sharedPlans = new ArrayList<>();

        Worker(int thread, Caches caches, Map<String, byte[]> results) {
            this.thread = thread;
            this.caches = caches;
            this.results = results;
            this.r = new Random(seed * 31 + thread);
        }

        void runAll() throws Exception {
            try {
                for (int job = 0; job < jobsPerThread; job++) {
                    String id = "thread " + thread + " job " + job;
                    switch (r.nextInt(5)) {
                        case 0, 1 -> ownRegion(id, false);
                        case 2 -> ownRegion(id, true);
                        case 3 -> sharedRegion(id);
                        default -> churn();
                    }
                    closeSome();
                }
            } finally {
                for (SharedDecode d : sharedPlans) {
                    pending.add(d.plan);
                    pending.add(d.query);
                }
                sharedPlans.clear();
                Collections.shuffle(pending, r);
                for (AutoCloseable c : pending) {
                    c.close();
                }
                pending.clear();
            }
        }

        /** Append a batch's every token into this thread's blocks, then decode or prefill over them. */
        void ownRegion(String id, boolean prefill) {
            int c = r.nextInt(caches.all.size());
            KvCache cache = caches.all.get(c);
            List<Integer> blocks = new ArrayList<>();
            for (int b = 0; b < BLOCKS_PER_THREAD; b++) {
                blocks.add(SHARED_BLOCKS + thread * BLOCKS_PER_THREAD + b);
            }
            Collections.shuffle(blocks, r);
            int seqs = 1 + r.nextInt(3);
            int[] kvLens = new int[seqs];
            int[] qLens = new int[seqs];
            int[][] ids = new int[seqs][];
            int nextBlock = 0;
            int maxLen = Math.min(BLOCKS_PER_THREAD / seqs * BLOCK, 320);   // 1 sequence: past 256, split-KV
            for (int s = 0; s < seqs; s++) {
                kvLens[s] = 1 + r.nextInt(maxLen);
                qLens[s] = prefill ? 1 + r.nextInt(Math.min(kvLens[s], 40)) : 1;
                int n = (kvLens[s] + BLOCK - 1) / BLOCK;
                ids[s] = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[s][i] = blocks.get(nextBlock++);
                }
            }
            int tokens = Arrays.stream(kvLens).sum();
            int[] slots = new int[tokens];
            int at = 0;
            for (int s = 0; s < seqs; s++) {
                for (int p = 0; p < kvLens[s]; p++) {
                    slots[at++] = ids[s][p / BLOCK] * BLOCK + p % BLOCK;
                }
            }
            append(cache, r, slots);
            BatchLayout batch = prefill ? BatchLayout.of(qLens, kvLens, ids) : BatchLayout.decode(kvLens, ids);
            AttentionOptions options = r.nextBoolean() ? AttentionOptions.CAUSAL
                    : AttentionOptions.builder().slidingWindow(1 + r.nextInt(64)).build();
            KvCacheSpec spec = cache.spec();
            PlanRequest request = prefill
                    ? PlanRequest.prefill(AttentionShape.of(spec, QO_HEADS, DType.BF16, options), batch)
                    : PlanRequest.decode(AttentionShape.of(spec, QO_HEADS, DType.BF16, options), batch);
            int rows = Arrays.stream(qLens).sum();
            boolean lse = r.nextBoolean();
            Plan plan = backend.plan(request);
            Tensor query = randomBf16(r, rows, QO_HEADS, HEAD_DIM);
            Tensor out = backend.allocate(DType.BF16, rows, QO_HEADS, HEAD_DIM);
            Tensor l = lse ? backend.allocate(DType.FP32, rows, QO_HEADS) : null;
            if (prefill) {
                backend.run(plan, query, cache, out, l);
            } else {
                backend.run(plan, query, cache, out, l);
            }
            record(id, out, l);
            defer(plan, query, out, l);
        }

        /** Decode over the shared region, with a new plan or by running one a previous job kept. */
        void sharedRegion(String id) {
            SharedDecode d;
            if (!sharedPlans.isEmpty() && r.nextBoolean()) {
                d = sharedPlans.get(r.nextInt(sharedPlans.size()));
            } else {
                int seqs = 1 + r.nextInt(4);
                int[] kvLens = new int[seqs];
                int[][] ids = new int[seqs][];
                for (int s = 0; s < seqs; s++) {
                    kvLens[s] = 1 + r.nextInt(SHARED_BLOCKS * BLOCK);
                    List<Integer> blocks = new ArrayList<>();
                    for (int b = 0; b < SHARED_BLOCKS; b++) {
                        blocks.add(b);
                    }
                    Collections.shuffle(blocks, r);
                    ids[s] = blocks.subList(0, (kvLens[s] + BLOCK - 1) / BLOCK).stream().mapToInt(Integer::intValue).toArray();
                }
                int c = r.nextInt(caches.all.size());
                Plan plan = backend.plan(PlanRequest.decode(AttentionShape.of(caches.all.get(c).spec(), QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(kvLens, ids)));
                d = new SharedDecode(plan, randomBf16(r, seqs, QO_HEADS, HEAD_DIM), c);
                sharedPlans.add(d);
            }
            try (Tensor out = backend.allocate(DType.BF16, d.query.shape()[0], QO_HEADS, HEAD_DIM)) {
                backend.run(d.plan, d.query, caches.all.get(d.cache), out);
                record(id, out, null);
            }
        }

        /** Allocations, a small cache and a plan made and dropped without running anything. */
        void churn() {
            KvCacheSpec spec = new KvCacheSpec(1 + r.nextInt(8), BLOCK, KV_HEADS, HEAD_DIM, KvDType.INT8,
                    ScaleGranularity.TOKEN, KvLayout.NHD);
            List<AutoCloseable> made = new ArrayList<>();
            if (backend.check(Requirements.of(AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), Feature.DECODE)).supported()) {
                made.add(backend.createKvCache(spec));
                made.add(backend.plan(PlanRequest.decode(AttentionShape.of(spec, QO_HEADS, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {BLOCK}, new int[][] {{0}}))));
            }
            made.add(backend.allocate(DType.FP32, 1 + r.nextInt(1000)));
            made.add(backend.allocate(DType.BF16, 1 + r.nextInt(64), QO_HEADS, HEAD_DIM));
            defer(made.toArray(new AutoCloseable[0]));
        }

        void record(String id, Tensor out, Tensor lse) {
            byte[] o = out.toByteArray();
            byte[] l = lse == null ? new byte[0] : lse.toByteArray();
            byte[] both = Arrays.copyOf(o, o.length + l.length);
            System.arraycopy(l, 0, both, o.length, l.length);
            results.put(id, both);
        }

        /** Closes some now and keeps the rest for a later job, in a random order either way. */
        void defer(AutoCloseable... closeables) {
            for (AutoCloseable c : closeables) {
                if (c != null) {
                    pending.add(c);
                }
            }
        }

        void closeSome() throws Exception {
            Collections.shuffle(pending, r);
            int n = r.nextInt(pending.size() + 1);
            for (int i = 0; i < n; i++) {
                pending.remove(pending.size() - 1).close();
            }
            if (!sharedPlans.isEmpty() && r.nextInt(4) == 0) {
                SharedDecode d = sharedPlans.remove(r.nextInt(sharedPlans.size()));
                d.plan.close();
                d.query.close();
            }
        }
    }
}
