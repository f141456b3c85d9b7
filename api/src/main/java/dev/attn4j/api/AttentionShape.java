package dev.attn4j.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one attention layer of a model is, said once: the KV cache's format and shape, the query
 * (and output) heads and dtype, and the options (causal, scale, window, soft-cap). Requirements
 * ({@link Requirements#of(AttentionShape, Feature...)}) and every plan ({@link PlanRequest#prefill},
 * {@link PlanRequest#decode}) are made from it, so a host names its heads and dtypes in one place.
 *
 * @param cache      the spec of the caches the layer reads
 * @param numQoHeads query (and output) heads; a positive multiple of {@code cache.numKvHeads()}
 * @param queryDtype BF16 or FP16; the output has the same dtype
 * @param options    causal, scale, window, soft-cap
 */
public record AttentionShape(KvCacheSpec cache, int numQoHeads, DType queryDtype, AttentionOptions options) {

    public AttentionShape {
        InvalidRequestException.requireNonNull(cache, "cache");
        InvalidRequestException.requireNonNull(queryDtype, "queryDtype");
        InvalidRequestException.requireNonNull(options, "options");
        if (numQoHeads < 1 || numQoHeads % cache.numKvHeads() != 0) {
            throw new InvalidRequestException("numQoHeads", numQoHeads,
                    "must be a positive multiple of numKvHeads=" + cache.numKvHeads());
        }
    }

    /** The shape of a layer: {@code AttentionShape.of(spec, 32, DType.BF16, AttentionOptions.CAUSAL)}. */
    public static AttentionShape of(KvCacheSpec cache, int numQoHeads, DType queryDtype, AttentionOptions options) {
        return new AttentionShape(cache, numQoHeads, queryDtype, options);
    }

    /** The same layer with other options (e.g. a model whose layers alternate sliding windows). */
    public AttentionShape withOptions(AttentionOptions other) {
        return new AttentionShape(cache, numQoHeads, queryDtype, other);
    }

    /** Query heads per KV head. */
    public int groupSize() {
        return numQoHeads / cache.numKvHeads();
    }

    /** The features the options use: CAUSAL or NON_CAUSAL, and SLIDING_WINDOW, SOFT_CAP when set. */
    public Set<Feature> optionFeatures() {
        Set<Feature> f = EnumSet.of(options.causal() ? Feature.CAUSAL : Feature.NON_CAUSAL);
        if (options.slidingWindow().isPresent()) {
            f.add(Feature.SLIDING_WINDOW);
        }
        if (options.softCap().isPresent()) {
            f.add(Feature.SOFT_CAP);
        }
        return f;
    }
}
