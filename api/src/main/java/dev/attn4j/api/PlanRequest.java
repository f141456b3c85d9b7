package dev.attn4j.api;


/**
 * What a {@link Plan} is made from: the operation, the batch layout, the cache it will read, the
 * query heads and dtype, and the options. One plan serves every layer of a step whose caches share
 * {@code cacheSpec}.
 *
 * @param kind        PREFILL or DECODE (DECODE requires qLen = 1 for every sequence)
 * @param batch       the host batch layout
 * @param cacheSpec   the spec of the caches the plan will run over
 * @param numQoHeads  query (and output) heads; a multiple of {@code cacheSpec.numKvHeads()}
 * @param queryDtype  BF16 or FP16; the output has the same dtype
 * @param options     causal, scale, window, soft-cap
 */
public record PlanRequest(OpKind kind, BatchLayout batch, KvCacheSpec cacheSpec, int numQoHeads,
                          DType queryDtype, AttentionOptions options) {

    public PlanRequest {
        InvalidRequestException.requireNonNull(kind, "kind");
        InvalidRequestException.requireNonNull(batch, "batch");
        InvalidRequestException.requireNonNull(cacheSpec, "cacheSpec");
        InvalidRequestException.requireNonNull(queryDtype, "queryDtype");
        InvalidRequestException.requireNonNull(options, "options");
    }

    public static PlanRequest prefill(BatchLayout batch, KvCacheSpec spec, int numQoHeads, DType queryDtype,
                                      AttentionOptions options) {
        return new PlanRequest(OpKind.PREFILL, batch, spec, numQoHeads, queryDtype, options);
    }

    public static PlanRequest decode(BatchLayout batch, KvCacheSpec spec, int numQoHeads, DType queryDtype,
                                     AttentionOptions options) {
        return new PlanRequest(OpKind.DECODE, batch, spec, numQoHeads, queryDtype, options);
    }
}
