package dev.attn4j.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a host application needs from a backend: the cache format and shape, the query heads and
 * dtype, and the features it will use; usually made from an {@link AttentionShape}. Matched against {@link Capabilities} during selection and
 * used to build the exact validation run for the chosen backend.
 */
public record Requirements(int headDim, int numQoHeads, int numKvHeads, KvDType kvDtype,
                           ScaleGranularity granularity, KvLayout layout, int blockSize,
                           DType queryDtype, Set<Feature> features) {

    public Requirements {
        InvalidRequestException.requireNonNull(kvDtype, "kvDtype");
        InvalidRequestException.requireNonNull(granularity, "granularity");
        InvalidRequestException.requireNonNull(layout, "layout");
        InvalidRequestException.requireNonNull(queryDtype, "queryDtype");
        // An unmodifiable EnumSet: iteration (and so toString, and every report) in declaration order.
        features = java.util.Collections.unmodifiableSet(
                features.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(features));
        if (numKvHeads < 1) {
            throw new InvalidRequestException("numKvHeads", numKvHeads, "must be >= 1");
        }
        if (numQoHeads < 1 || numQoHeads % numKvHeads != 0) {
            throw new InvalidRequestException("numQoHeads", numQoHeads,
                    "must be a positive multiple of numKvHeads=" + numKvHeads);
        }
    }

    /**
     * What running layers of {@code shape} needs: its cache format, heads and query dtype, the
     * operations asked for (PREFILL, DECODE, CHUNKED_PREFILL, LSE, EXTERNAL_MEMORY), and the
     * features its options use ({@link AttentionShape#optionFeatures()}: CAUSAL or NON_CAUSAL,
     * SLIDING_WINDOW, SOFT_CAP), added here so that selection checks and validates them.
     */
    public static Requirements of(AttentionShape shape, Feature... features) {
        InvalidRequestException.requireNonNull(shape, "shape");
        InvalidRequestException.requireNonNull(features, "features");
        Set<Feature> f = EnumSet.noneOf(Feature.class);
        for (int i = 0; i < features.length; i++) {
            f.add(InvalidRequestException.requireNonNull(features[i], "features[" + i + "]"));
        }
        f.addAll(shape.optionFeatures());
        KvCacheSpec spec = shape.cache();
        return new Requirements(spec.headDim(), shape.numQoHeads(), spec.numKvHeads(), spec.kvDtype(),
                spec.granularity(), spec.layout(), spec.blockSize(), shape.queryDtype(), f);
    }

    /** Query heads per KV head. */
    public int groupSize() {
        return numQoHeads / numKvHeads;
    }

    @Override
    public String toString() {
        return "headDim=" + headDim + " heads=" + numQoHeads + "/" + numKvHeads + " kv=" + kvDtype + "/" + granularity
                + " layout=" + layout + " blockSize=" + blockSize + " q=" + queryDtype + " features=" + features;
    }
}
