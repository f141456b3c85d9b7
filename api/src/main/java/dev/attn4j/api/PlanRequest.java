package dev.attn4j.api;

/**
 * What a {@link Plan} is made from: the operation, the layer's {@link AttentionShape} (cache spec,
 * query heads and dtype, options) and the step's batch layout. One plan serves every layer of a
 * step whose caches share the shape's spec.
 *
 * @param kind  PREFILL or DECODE (DECODE requires qLen = 1 for every sequence)
 * @param shape the layer's cache spec, query heads and dtype, and options
 * @param batch the host batch layout of this step
 */
public record PlanRequest(OpKind kind, AttentionShape shape, BatchLayout batch) {

    public PlanRequest {
        InvalidRequestException.requireNonNull(kind, "kind");
        InvalidRequestException.requireNonNull(shape, "shape");
        InvalidRequestException.requireNonNull(batch, "batch");
    }

    /** A prefill (or chunked prefill) of {@code batch}: the new tokens of each sequence attend to its cache. */
    public static PlanRequest prefill(AttentionShape shape, BatchLayout batch) {
        return new PlanRequest(OpKind.PREFILL, shape, batch);
    }

    /** A decode step of {@code batch}: one new token per sequence. */
    public static PlanRequest decode(AttentionShape shape, BatchLayout batch) {
        return new PlanRequest(OpKind.DECODE, shape, batch);
    }

    /** The spec of the caches the plan runs over. */
    public KvCacheSpec cacheSpec() {
        return shape.cache();
    }

    public int numQoHeads() {
        return shape.numQoHeads();
    }

    public DType queryDtype() {
        return shape.queryDtype();
    }

    public AttentionOptions options() {
        return shape.options();
    }
}
