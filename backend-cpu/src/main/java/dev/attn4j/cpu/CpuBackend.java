package dev.attn4j.cpu;

import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.UnsupportedConfigurationException;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.support.AbstractTensor;
import dev.attn4j.api.support.DeviceMeasurements;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.ValidatingBackend;
import dev.attn4j.api.support.WorkSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The cpu backend. Operations run synchronously on the calling thread plus a private pool of
 * worker threads, so results are visible as soon as a call returns; {@link #synchronize()} has
 * nothing to wait for. Safe to share between threads: calls touch only their own arguments.
 */
public final class CpuBackend extends ValidatingBackend<CpuTensor, CpuKvCache, CpuPlan> implements DeviceMeasurements {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
    /** Smallest KV range a split gets (tokens), unless {@code attn4j.cpu.minSplitTokens} says otherwise. */
    static final int DEFAULT_MIN_SPLIT_TOKENS = 256;
    static final String MIN_SPLIT_PROPERTY = "attn4j.cpu.minSplitTokens";
    /** Query rows x heads per work item: bounds the per-item float scratch. */
    static final int ROWS_TIMES_HEADS = 128;

    private final int threads;
    private final int minSplitTokens;
    private final ExecutorService pool;
    private final Lanes lanes;

    CpuBackend(int threads) {
        this(threads, BackendOptions.defaults().intProperty(MIN_SPLIT_PROPERTY, DEFAULT_MIN_SPLIT_TOKENS, 1));
    }

    /** A backend with {@code threads} workers whose KV splits are at least {@code minSplitTokens} long. */
    CpuBackend(int threads, int minSplitTokens) {
        this(threads, minSplitTokens, Lanes.choose(true));
    }

    /**
     * A backend with {@code threads} workers whose KV splits are at least {@code minSplitTokens}
     * long, its inner loops {@code lanes}.
     */
    CpuBackend(int threads, int minSplitTokens, Lanes lanes) {
        super(CpuBackendProvider.NAME, CpuBackendProvider.CAPABILITIES);
        if (minSplitTokens < 1) {
            throw new InvalidRequestException(MIN_SPLIT_PROPERTY, minSplitTokens, "must be >= 1");
        }
        this.threads = threads;
        this.minSplitTokens = minSplitTokens;
        this.lanes = lanes;
        AtomicInteger n = new AtomicInteger();
        // threads - 1 pool threads: the calling thread is the first worker of every call (parallelFor).
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "attn4j-cpu-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LOG.debug("cpu backend opened with {} threads, {} loops", threads, lanes.describe());
    }

    /** Worker threads this backend uses. */
    public int threads() {
        return threads;
    }

    @Override
    protected CpuTensor allocateValidated(DType dtype, int[] shape, long bytes) {
        return allocateHost(dtype, shape);
    }

    /** {@link #allocate}, typed for this backend's own use (the caches it creates). */
    CpuTensor allocateHost(DType dtype, int... shape) {
        health().checkUsable();
        long bytes = AbstractTensor.byteSize(dtype, shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new UnsupportedConfigurationException(name(), List.of("tensor byteSize=" + bytes
                    + " exceeds the cpu backend's 2 GiB per tensor"));
        }
        return new CpuTensor(this, dtype, shape, ByteBuffer.allocate((int) bytes), true);
    }

    @Override
    protected void checkWrappable(ExternalMemory memory) {
        if (memory.kind() != ExternalMemory.Kind.HOST_BUFFER) {
            throw new UnsupportedConfigurationException(name(), List.of("memory.kind=" + memory.kind()
                    + " not supported: the cpu backend wraps host ByteBuffers"));
        }
        if (memory.buffer().isReadOnly()) {
            throw new InvalidRequestException("memory.buffer", "read-only",
                    "attn4j writes outputs, caches and appended rows into wrapped memory; wrap a writable buffer");
        }
    }

    @Override
    protected CpuTensor wrapValidated(ExternalMemory memory, DType dtype, int[] shape, long bytes) {
        ByteBuffer b = memory.buffer().slice();
        b.limit((int) bytes);
        return new CpuTensor(this, dtype, shape, b, false);
    }

    @Override
    protected void copyValidated(CpuTensor src, CpuTensor dst) {
        ByteBuffer from = src.buf().duplicate();
        from.position(0).limit((int) src.byteSize());
        dst.buf().duplicate().position(0).put(from);
    }

    @Override
    protected CpuKvCache createKvCacheValidated(KvCacheSpec spec, KvScales scales) {
        return CpuKvCache.create(this, spec, scales);
    }

    @Override
    protected void appendValidated(CpuKvCache c, CpuTensor keys, CpuTensor values, int[] slots) {
        KvCacheSpec spec = c.spec();
        CpuQuantizer quantizer = new CpuQuantizer(spec);
        ByteBuffer k = keys.buf();
        ByteBuffer v = values.buf();
        float[] kScales = c.callerScales().k();
        float[] vScales = c.callerScales().v();
        ByteBuffer kDyn = c.keyScales == null ? null : c.keyScales.buf();
        ByteBuffer vDyn = c.valueScales == null ? null : c.valueScales.buf();
        DType srcType = keys.dtype();
        int bs = spec.blockSize();
        parallelFor(slots.length, token -> {
            int slot = slots[token];
            if (slot < 0) {
                return;
            }
            float[] row = new float[spec.headDim()];
            for (int h = 0; h < spec.numKvHeads(); h++) {
                quantizer.writeRow(k, srcType, token, h, c.keys.buf(), kScales, kDyn, slot / bs, slot % bs, row);
                quantizer.writeRow(v, srcType, token, h, c.values.buf(), vScales, vDyn, slot / bs, slot % bs, row);
            }
        });
    }

    @Override
    protected CpuPlan planValidated(PlanRequest request, ValidatedBatch batch) {
        // The kernel runs the items of up to HeadGroups.MAX_HEADS KV heads as one task, so the split
        // aims at threads x 4 tasks, not items.
        int heads = Math.min(HeadGroups.MAX_HEADS, request.cacheSpec().numKvHeads());
        int target = threads == 1 ? 1 : threads * 4 * heads;
        return new CpuPlan(this, request, batch, new WorkSplit(request, batch, target, minSplitTokens, ROWS_TIMES_HEADS),
                lanes.describe());
    }

    @Override
    protected void attentionValidated(CpuPlan p, CpuTensor query, CpuKvCache c, CpuTensor out, CpuTensor lse) {
        KvCacheSpec spec = c.spec();
        KvScales scales = c.callerScales();
        boolean caller = spec.granularity().isCallerSet();
        KvRowReader k = new KvRowReader(spec, c.keys.buf(), caller ? scales.k() : null,
                c.keyScales == null ? null : c.keyScales.buf(), lanes);
        KvRowReader v = new KvRowReader(spec, c.values.buf(), caller ? scales.v() : null,
                c.valueScales == null ? null : c.valueScales.buf(), lanes);
        float[] workspace = workspace(Math.toIntExact(p.workspaceBytes() / 4));
        CpuAttentionKernel kernel = new CpuAttentionKernel(p, k, v, query.buf(),
                out.buf(), lse == null ? null : lse.buf(), workspace, lanes);
        parallelFor(p.groups.length, gi -> kernel.runGroup(p.groups[gi]));
        parallelFor(p.split.mergeCount.length, kernel::merge);
    }

    /** The cpu runs synchronously: the time {@code op} takes on the calling thread. */
    @Override
    public double deviceNanos(Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        return System.nanoTime() - t0;
    }

    /** This backend's threads summing a {@code long[]} of {@code bytes}, one slice each. */
    @Override
    public double readBytesPerSecond(long bytes, int runs) {
        long[] data = new long[Math.toIntExact(Math.max(1, bytes / 8))];
        java.util.Arrays.fill(data, 0x5a5a5a5a5a5a5a5aL);
        int slices = threads * 4;
        long[] sums = new long[slices];
        Runnable read = () -> parallelFor(slices, k -> {
            long acc = 0;
            for (int i = (int) ((long) data.length * k / slices), end = (int) ((long) data.length * (k + 1) / slices); i < end; i++) {
                acc += data[i];
            }
            sums[k] = acc;   // kept, so the JIT cannot drop the reads
        });
        return medianRate(data.length * 8L, runs, read);
    }

    /**
     * The FMA rate of this backend's loops ({@link Lanes#fmaChains}) on all its threads at once:
     * each runs rounds of 8 independent chains, doubled until a run lasts 50 ms; the best of three.
     */
    @Override
    public java.util.OptionalDouble fmaFlopsPerSecond() {
        float[] sink = new float[threads];
        // Short calls first, on every thread, so that C2 compiles the chains as a method: reached
        // only through the long runs below, the loop was compiled on-stack-replaced, which can box
        // the vectors, and the "ceiling" came out at a third to a half of the machine's FMA rate
        // (88-150 GFLOP/s on the 2-core VM, whose two cores do 355).
        for (int i = 0; i < 20_000; i++) {
            sink[0] += lanes.fmaChains(64);
        }
        timeChains(1 << 12, sink);
        long its = 1 << 16;
        while (timeChains(its, sink) < 50_000_000 && its < (1L << 40)) {
            its *= 2;
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            best = Math.min(best, timeChains(its, sink));
        }
        double flops = 2.0 * 8 * lanes.fmaWidth() * (double) its * threads;
        return java.util.OptionalDouble.of(flops / (best * 1e-9));   // sink, written by the pool's threads, keeps the chains
    }

    /** Nanoseconds for every thread to run {@code its} rounds of the FMA chains, together. */
    private long timeChains(long its, float[] sink) {
        long t0 = System.nanoTime();
        parallelFor(threads, t -> sink[t] += lanes.fmaChains(its));
        return System.nanoTime() - t0;
    }

    /**
     * The calling thread's split partials, grown to the largest split it has run and reused: a
     * decode step would otherwise allocate them for every layer (a 4 x 1024 llama3-8b decode: 64
     * items of 4 rows, 130 KiB a call). One per calling thread is enough, because a call's workers
     * write into it only until the call returns (parallelFor) and every partial a merge reads was
     * written by the same call.
     */
    private static final ThreadLocal<float[]> WORKSPACE = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] workspace(int floats) {
        float[] w = WORKSPACE.get();
        if (w.length < floats) {
            w = new float[floats];
            WORKSPACE.set(w);
        }
        return w;
    }

    /**
     * Runs body(0 .. count-1) on the pool, items handed out dynamically; rethrows the first failure.
     * It returns only when no worker of this call runs any more, also when it fails or its thread is
     * interrupted: then no new item is handed out, the items in flight are waited for, and it
     * throws with the interrupt flag set again. So nothing writes a call's output after it returned.
     */
    private void parallelFor(int count, IntConsumer body) {
        if (pool == null || count <= 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                body.accept(i);
            }
        };
        // The calling thread is one of the workers: one hand-off fewer per call (waking a pool
        // thread and waiting for it cost a tenth of a 4 x 1024 decode), and the pool's threads - 1
        // others take items beside it.
        int workers = Math.min(threads, count);
        List<Future<?>> futures = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            futures.add(pool.submit(worker));
        }
        Throwable failure = null;
        boolean interrupted = false;
        try {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted = true;
                    next.set(count);   // no new items; the pool's ones in flight are waited for below
                    break;
                }
                body.accept(i);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(count);
        }
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    next.set(count);   // a failed call stops handing out work too
                    break;
                } catch (CancellationException e) {
                    failure = failure == null ? e : failure;
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    next.set(count);   // no new items; the ones in flight are waited for (this loop)
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new Attn4jException("cpu: the calling thread was interrupted; the work in flight was finished "
                    + "and the rest not started, so the output is incomplete", failure);
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw new Attn4jException("cpu worker failed: " + failure, failure);
        }
    }

    @Override
    protected void release(boolean failed) {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "cpu backend (" + threads + " threads, " + lanes.describe() + ")";
    }
}
