package dev.attn4j.api;

import java.nio.ByteBuffer;

/**
 * One opened backend: memory, KV caches, append, plan and the two attention operations. Obtained
 * from {@link dev.attn4j.api.spi.AttentionBackendProvider#open}, usually through the selector.
 *
 * <h2>The per-step loop</h2>
 * <pre>{@code
 * AttentionShape shape = AttentionShape.of(spec, numQoHeads, DType.BF16, AttentionOptions.CAUSAL);
 * try (TensorScope step = backend.newScope()) {
 *     Plan plan = step.plan(PlanRequest.decode(shape, batch));
 *     for (int layer = 0; layer < layers; layer++) {
 *         backend.append(caches[layer], k[layer], v[layer], slots);   // new tokens, quantized
 *         backend.run(plan, q[layer], caches[layer], out[layer]);
 *     }
 * }
 * }</pre>
 *
 * <h2>Validation and faults</h2>
 * Every method validates its arguments on the host before anything runs on the device: bad
 * input raises {@link InvalidRequestException} naming the field and value, an unimplemented
 * configuration raises {@link UnsupportedConfigurationException} with every reason, and a
 * rejected call changes nothing. A driver failure raises {@link DeviceException}; a sticky fault
 * marks the backend failed, after which every call raises {@link BackendUnavailableException}
 * with the first fault as its cause.
 *
 * <h2>Threads</h2>
 * Implementations are safe to share between threads; operations issued from several threads are
 * serialized in some order on the backend's stream.
 */
public interface AttentionBackend extends AutoCloseable {

    /** The provider's name, e.g. {@code cpu}, {@code cuda}. */
    String name();

    /** What this backend implements. */
    Capabilities capabilities();

    /** All reasons {@code requirements} are not supported; by default against {@link #capabilities()}. */
    default CapabilityCheck check(Requirements requirements) {
        return capabilities().check(requirements);
    }

    /** A new tensor of this backend's memory; contents are unspecified until written. */
    Tensor allocate(DType dtype, int... shape);

    /** A new tensor holding a copy of {@code data} (little-endian elements, exactly its byte size). */
    default Tensor upload(DType dtype, int[] shape, ByteBuffer data) {
        InvalidRequestException.requireNonNull(data, "data");
        if (data.remaining() != dev.attn4j.api.support.AbstractTensor.byteSize(dtype, shape)) {
            throw new InvalidRequestException("data.remaining", data.remaining(), "must equal the "
                    + dev.attn4j.api.support.AbstractTensor.byteSize(dtype, shape) + " bytes of " + dtype
                    + java.util.Arrays.toString(shape));
        }
        Tensor t = allocate(dtype, shape);
        try {
            t.copyFromHost(data);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * A tensor over memory the host owns, without copying; closing it does not free the memory.
     *
     * @throws UnsupportedConfigurationException if this backend cannot wrap that kind of memory
     * @throws InvalidRequestException if the memory is smaller than the shape needs
     */
    Tensor wrap(ExternalMemory memory, DType dtype, int... shape);

    /**
     * Copies all of {@code src} into {@code dst} on the device (same dtype and element count),
     * ordered with the backend's other operations. Used to measure the device copy bandwidth that
     * benchmarks report their figures against, and to move cache pages.
     */
    void copy(Tensor src, Tensor dst);

    /**
     * A new, zeroed KV cache. Caller-set scales are validated ({@link KvScales#validateFor}) and the
     * spec is checked against {@link #capabilities()}.
     */
    KvCache createKvCache(KvCacheSpec spec, KvScales scales);

    /**
     * A new, zeroed KV cache without caller-set scales: 16-bit caches, and TOKEN / TOKEN_GROUP
     * scales, which append computes. TENSOR, HEAD and CHANNEL scales are the caller's: use
     * {@link #createKvCache(KvCacheSpec, KvScales)}.
     */
    default KvCache createKvCache(KvCacheSpec spec) {
        return createKvCache(spec, KvScales.none());
    }

    /**
     * Writes new K and V into cache slots, quantizing as the cache's spec says and computing TOKEN /
     * TOKEN_GROUP scales.
     *
     * @param keys   {@code [n][numKvHeads][headDim]}, BF16 or FP16 (the cache dtype for a 16-bit cache)
     * @param values same shape and dtype as {@code keys}
     * @param slots  {@code n} host-side slot ids ({@code block * blockSize + offset}); -1 skips a padding
     *               token; every other id in {@code [0, numSlots)} and distinct within the call
     */
    void append(KvCache cache, Tensor keys, Tensor values, int[] slots);

    /**
     * Validates a batch against a cache spec once, chooses the work split and uploads metadata.
     * Checks: at least one sequence; {@code 1 <= qLen <= kvLen}; qLen = 1 for DECODE; enough block ids
     * for kvLen and each referenced id in {@code [0, numBlocks)}; numQoHeads a positive multiple of
     * numKvHeads; query dtype BF16 or FP16; and every capability.
     */
    Plan plan(PlanRequest request);

    /**
     * Runs a plan over one layer's cache: prefill or decode, as the plan was made.
     *
     * @param query {@code [numTokens][numQoHeads][headDim]} of the plan's query dtype
     * @param out   same shape and dtype; fully overwritten
     * @param lse   {@code [numTokens][numQoHeads]} FP32: natural-log sum of exp of the (scaled,
     *              soft-capped, masked) logits of each row; fully overwritten
     */
    void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse);

    /** Runs a plan over one layer's cache without writing the log-sum-exp; as {@link #run(Plan, Tensor, KvCache, Tensor, Tensor)}. */
    default void run(Plan plan, Tensor query, KvCache cache, Tensor out) {
        run(plan, query, cache, out, null);
    }

    /**
     * A scope for one step's tensors and plans: everything made through it is closed, in reverse
     * order, when it closes (DJL's {@code NDManager} idea), so a step cannot leak device memory.
     */
    default TensorScope newScope() {
        return new TensorScope(this);
    }

    /**
     * This backend as {@code type}, to reach what only one backend offers (e.g. {@code
     * IluBackend.stagingBytes()}), through any wrapper the selector put around it; empty when it
     * is not one. Calls on the unwrapped object bypass the wrapper (the selection's fault latch).
     */
    default <T> java.util.Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
    }

    /** Waits for every operation issued so far. */
    void synchronize();

    /** True once {@link #close()} has run or a device fault has marked the backend failed. */
    boolean isClosed();

    /** Releases the backend's device resources; tensors and caches it made become unusable. */
    @Override
    void close();
}
