package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.Tensor;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The host-side checks every backend runs before it launches anything, in one place so every
 * backend rejects the same input with the same {@code field=value: reason} message. Each method
 * either returns normally or throws, having changed nothing.
 */
public final class RequestValidator {
    private RequestValidator() {
    }

    /**
     * Checks a cache spec and its caller scales against the backend's capabilities.
     *
     * @throws dev.attn4j.api.UnsupportedConfigurationException with every reason
     * @throws InvalidRequestException for a bad scale
     */
    public static void validateCacheCreation(AttentionBackend backend, KvCacheSpec spec, KvScales scales) {
        if (spec == null) {
            throw new InvalidRequestException("spec", null, "required");
        }
        if (scales == null) {
            throw new InvalidRequestException("scales", null, "required (KvScales.none() for caches without caller scales)");
        }
        scales.validateFor(spec);
        backend.capabilities().checkCache(spec).orThrow();
    }

    /** The features a plan request uses, for the capability check. */
    public static Set<Feature> featuresOf(PlanRequest r) {
        Set<Feature> f = EnumSet.noneOf(Feature.class);
        BatchLayout b = r.batch();
        if (r.kind() == OpKind.DECODE) {
            f.add(Feature.DECODE);
        } else {
            f.add(Feature.PREFILL);
            f.add(r.options().causal() ? Feature.CAUSAL : Feature.NON_CAUSAL);
            for (int i = 0; i < b.numSequences(); i++) {
                if (b.kvLen(i) > b.qLen(i)) {
                    f.add(Feature.CHUNKED_PREFILL);
                    break;
                }
            }
        }
        r.options().slidingWindow().ifPresent(w -> f.add(Feature.SLIDING_WINDOW));
        r.options().softCap().ifPresent(c -> f.add(Feature.SOFT_CAP));
        return f;
    }

    /**
     * Validates a plan request: heads, query dtype, every sequence of the batch against the cache
     * spec, then the backend's capabilities.
     */
    public static ValidatedBatch validatePlan(AttentionBackend backend, PlanRequest r) {
        InvalidRequestException.requireNonNull(r, "request");
        KvCacheSpec spec = r.cacheSpec();
        if (r.numQoHeads() < 1 || r.numQoHeads() % spec.numKvHeads() != 0) {
            throw new InvalidRequestException("numQoHeads", r.numQoHeads(),
                    "must be a positive multiple of numKvHeads=" + spec.numKvHeads());
        }
        if (!r.queryDtype().isHalf()) {
            throw new InvalidRequestException("queryDtype", r.queryDtype(), "must be BF16 or FP16");
        }
        BatchLayout b = r.batch();
        int n = b.numSequences();
        if (n == 0) {
            throw new InvalidRequestException("batch.numSequences", 0, "a batch needs at least one sequence");
        }
        int[] qIndptr = new int[n + 1];
        int[] kvLens = new int[n];
        int[] blockIndptr = new int[n + 1];
        int[][] seqIds = new int[n][];
        long tokens = 0;
        long blocks = 0;
        int maxQ = 0;
        int maxKv = 0;
        for (int i = 0; i < n; i++) {
            int q = b.qLen(i);
            int kv = b.kvLen(i);
            if (q < 1) {
                throw new InvalidRequestException(sequence(i) + ".qLen", q,
                        "empty sequences are rejected; leave them out of the batch");
            }
            if (r.kind() == OpKind.DECODE && q != 1) {
                throw new InvalidRequestException(sequence(i) + ".qLen", q, "a DECODE plan needs qLen=1");
            }
            if (q > kv) {
                throw new InvalidRequestException(sequence(i) + ".qLen", q,
                        "must be <= kvLen=" + kv + " (kvLen counts the new tokens, already appended)");
            }
            long need = ((long) kv + spec.blockSize() - 1) / spec.blockSize();
            if (b.blockRowLength(i) < need) {
                throw new InvalidRequestException(sequence(i) + ".kvLen", kv, "exceeds the blocks given: "
                        + b.blockRowLength(i) + " blocks x blockSize " + spec.blockSize() + " = "
                        + (long) b.blockRowLength(i) * spec.blockSize() + " tokens");
            }
            int[] ids = new int[(int) need];
            for (int j = 0; j < need; j++) {
                int id = b.blockId(i, j);
                if (id < 0 || id >= spec.numBlocks()) {
                    throw new InvalidRequestException(sequence(i) + ".blockIds[" + j + "]", id,
                            "must be in [0, numBlocks=" + spec.numBlocks() + ")");
                }
                ids[j] = id;
            }
            rejectRepeatedBlock(i, ids, spec.numBlocks());
            seqIds[i] = ids;
            tokens += q;
            blocks += need;
            if (tokens > Integer.MAX_VALUE) {
                throw new InvalidRequestException("batch.numTokens", tokens, "at most 2^31-1 query tokens per plan");
            }
            qIndptr[i + 1] = (int) tokens;
            kvLens[i] = kv;
            blockIndptr[i + 1] = (int) blocks;
            maxQ = Math.max(maxQ, q);
            maxKv = Math.max(maxKv, kv);
        }
        // Sizes the plan derives (query, output, LSE and split workspace elements, work items) are
        // ints in its schedule and kernels: bound them here, so none overflows later.
        long rowElements = (long) r.numQoHeads() * (spec.headDim() + 1);
        if (rowElements > Integer.MAX_VALUE || tokens * rowElements > Integer.MAX_VALUE) {
            boolean headsAreTheCause = r.numQoHeads() >= tokens;
            throw new InvalidRequestException(headsAreTheCause ? "numQoHeads" : "batch.numTokens",
                    headsAreTheCause ? r.numQoHeads() : tokens, "numTokens=" + tokens + " x numQoHeads="
                    + r.numQoHeads() + " x (headDim+1)=" + (spec.headDim() + 1) + " query, output and LSE "
                    + "elements exceed 2^31-1 in one plan; split the batch");
        }
        if (blocks > Integer.MAX_VALUE - 8) {
            throw new InvalidRequestException("batch.blocks", blocks, "the batch references more than 2^31-9 block ids");
        }
        int[] blockIds = new int[(int) blocks];
        for (int i = 0; i < n; i++) {   // the ids read and checked above, not read again
            System.arraycopy(seqIds[i], 0, blockIds, blockIndptr[i], seqIds[i].length);
        }
        Requirements req = new Requirements(spec.headDim(), r.numQoHeads(), spec.numKvHeads(), spec.kvDtype(),
                spec.granularity(), spec.layout(), spec.blockSize(), r.queryDtype(), featuresOf(r));
        backend.check(req).orThrow();
        return new ValidatedBatch(qIndptr, kvLens, blockIndptr, blockIds, maxQ, maxKv, b);
    }

    /** The field name of sequence {@code i}, built only for an error message. */
    private static String sequence(int i) {
        return "batch.sequence[" + i + "]";
    }

    /** Caches of up to this many blocks are checked for repeats with a bitset (at most 2 MiB a thread). */
    private static final int BITSET_MAX_BLOCKS = 1 << 24;
    /** Each planning thread's bitset over block ids, all zeros between calls (grown, never shrunk). */
    private static final ThreadLocal<long[]> SEEN_BLOCKS = ThreadLocal.withInitial(() -> new long[0]);

    /**
     * A block id repeated within one sequence would put two of its positions in one slot (and let
     * kvLen exceed the cache), which no paged cache means: rejected, naming the first id that repeats
     * an earlier one.
     * Sequences may share blocks with each other (prefix sharing); padding ids are not checked.
     * The ids are in [0, numBlocks) already. One pass over a bitset, not a sorted copy per sequence:
     * plans are made every step, and 64 sequences of 4096 tokens are 16 k ids.
     */
    private static void rejectRepeatedBlock(int seq, int[] ids, int numBlocks) {
        int rising = 1;   // ids in rising order (an allocator's fresh blocks) cannot repeat
        while (rising < ids.length && ids[rising] > ids[rising - 1]) {
            rising++;
        }
        if (rising >= ids.length) {
            return;
        }
        int repeat = -1;
        if (numBlocks <= BITSET_MAX_BLOCKS) {
            long[] seen = SEEN_BLOCKS.get();
            int words = (numBlocks + 63) >>> 6;
            if (seen.length < words) {
                seen = new long[words];
                SEEN_BLOCKS.set(seen);
            }
            for (int x = 0; x < ids.length && repeat < 0; x++) {
                long bit = 1L << ids[x];
                int w = ids[x] >>> 6;
                if ((seen[w] & bit) != 0) {
                    repeat = x;
                }
                seen[w] |= bit;
            }
            for (int id : ids) {   // back to all zeros: only this sequence's ids set bits
                seen[id >>> 6] = 0;
            }
        } else {   // the same first repeat, for caches too large for a bitset per thread
            java.util.Set<Integer> seen = new java.util.HashSet<>(2 * ids.length);
            for (int x = 0; x < ids.length && repeat < 0; x++) {
                if (!seen.add(ids[x])) {
                    repeat = x;
                }
            }
        }
        if (repeat >= 0) {
            int first = 0;
            while (ids[first] != ids[repeat]) {
                first++;
            }
            throw new InvalidRequestException(sequence(seq) + ".blockIds[" + repeat + "]", ids[repeat],
                    "repeats blockIds[" + first + "] of the same sequence; each position needs a slot "
                            + "of its own (sequences may share blocks, one sequence may not reuse one)");
        }
    }

    /**
     * Validates the arguments of prefill / decode against the plan: plan and cache of this backend
     * and open, the cache's spec equal to the plan's, query and output shapes and dtypes, the LSE.
     */
    public static void validateRun(AttentionBackend backend, Plan plan, Tensor query, KvCache cache, Tensor out,
                                   Tensor lse) {
        if (plan == null) {
            throw new InvalidRequestException("plan", null, "required");
        }
        if (plan.backend() != backend) {
            throw new InvalidRequestException("plan", plan.backend().name(), "was made by another backend instance");
        }
        if (plan.isClosed()) {
            throw new InvalidRequestException("plan", "closed", "the plan has been closed");
        }
        PlanRequest r = plan.request();
        KvCacheSpec spec = r.cacheSpec();
        checkCache(backend, cache, "cache");
        if (!cache.spec().equals(spec)) {
            throw new InvalidRequestException("cache.spec", cache.spec(), "does not match the plan's cacheSpec " + spec);
        }
        int tokens = (int) plan.numTokens();
        checkTensor(backend, query, "query", r.queryDtype(), tokens, r.numQoHeads(), spec.headDim());
        checkTensor(backend, out, "out", r.queryDtype(), tokens, r.numQoHeads(), spec.headDim());
        if (AbstractTensor.overlap(out, query)) {
            throw new InvalidRequestException("out", out, "must not be, or share memory with, the query tensor");
        }
        if (lse != null) {
            checkTensor(backend, lse, "lse", DType.FP32, tokens, r.numQoHeads());
            if (AbstractTensor.overlap(lse, query) || AbstractTensor.overlap(lse, out)) {
                throw new InvalidRequestException("lse", lse, "must not share memory with the query or the output");
            }
            if (!backend.capabilities().features().contains(Feature.LSE)) {
                throw new dev.attn4j.api.UnsupportedConfigurationException(backend.name(),
                        java.util.List.of("feature=LSE not supported"));
            }
        }
    }

    /**
     * Validates an append: cache, K and V tensors ({@code [n][numKvHeads][headDim]}, 16-bit, the
     * cache's dtype for a 16-bit cache), and slots (length n, each -1 or in range, no repeats).
     *
     * @return the number of slots written (not -1)
     */
    public static int validateAppend(AttentionBackend backend, KvCache cache, Tensor keys, Tensor values, int[] slots) {
        checkCache(backend, cache, "cache");
        KvCacheSpec spec = cache.spec();
        checkTensor(backend, keys, "keys");
        int[] ks = keys.shape();
        if (ks.length != 3 || ks[1] != spec.numKvHeads() || ks[2] != spec.headDim()) {
            throw new InvalidRequestException("keys.shape", Arrays.toString(ks),
                    "expected [n][numKvHeads=" + spec.numKvHeads() + "][headDim=" + spec.headDim() + "]");
        }
        if (!keys.dtype().isHalf()) {
            throw new InvalidRequestException("keys.dtype", keys.dtype(), "must be BF16 or FP16");
        }
        if (!spec.kvDtype().isQuantized() && keys.dtype() != spec.kvDtype().storage()) {
            throw new InvalidRequestException("keys.dtype", keys.dtype(),
                    "must equal the cache dtype " + spec.kvDtype() + " (16-bit caches store K and V as given)");
        }
        checkTensor(backend, values, "values", keys.dtype(), ks);
        if (slots == null) {
            throw new InvalidRequestException("slots", null, "required");
        }
        if (slots.length != ks[0]) {
            throw new InvalidRequestException("slots.length", slots.length, "must equal keys rows n=" + ks[0]);
        }
        int numSlots = spec.numSlots();
        int written = 0;
        int[] sorted = new int[slots.length];
        for (int j = 0; j < slots.length; j++) {
            int s = slots[j];
            if (s != -1 && (s < 0 || s >= numSlots)) {
                throw new InvalidRequestException("slots[" + j + "]", s,
                        "must be -1 (padding) or in [0, numSlots=" + numSlots + ")");
            }
            if (s != -1) {
                sorted[written++] = s;
            }
        }
        Arrays.sort(sorted, 0, written);
        for (int j = 1; j < written; j++) {
            if (sorted[j] == sorted[j - 1]) {
                int first = -1;
                int second = -1;
                for (int x = 0; x < slots.length; x++) {
                    if (slots[x] == sorted[j]) {
                        if (first < 0) {
                            first = x;
                        } else {
                            second = x;
                            break;
                        }
                    }
                }
                throw new InvalidRequestException("slots[" + second + "]", sorted[j],
                        "repeats slots[" + first + "]; each slot may be written once per append");
            }
        }
        return written;
    }

    /** A cache argument: present, of this backend, open. */
    public static void checkCache(AttentionBackend backend, KvCache cache, String field) {
        if (cache == null) {
            throw new InvalidRequestException(field, null, "required");
        }
        if (cache.backend() != backend) {
            throw new InvalidRequestException(field, "cache of " + cache.backend().name(),
                    "was made by another backend instance");
        }
        if (cache.isClosed()) {
            throw new InvalidRequestException(field, "closed", "the cache has been closed");
        }
    }

    /** A tensor argument: present, of this backend, open. */
    public static void checkTensor(AttentionBackend backend, Tensor t, String field) {
        if (t == null) {
            throw new InvalidRequestException(field, null, "required");
        }
        if (t.backend() != backend) {
            throw new InvalidRequestException(field, t, "belongs to another backend instance ("
                    + t.backend().name() + "); tensors are usable only with the backend that made them");
        }
        if (t.isClosed()) {
            throw new InvalidRequestException(field, t, "is closed");
        }
    }

    /** A tensor argument with an exact dtype and shape. */
    public static void checkTensor(AttentionBackend backend, Tensor t, String field, DType dtype, int... shape) {
        checkTensor(backend, t, field);
        if (t.dtype() != dtype) {
            throw new InvalidRequestException(field + ".dtype", t.dtype(), "expected " + dtype);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new InvalidRequestException(field + ".shape", Arrays.toString(t.shape()),
                    "expected " + Arrays.toString(shape));
        }
    }
}
