package dev.attn4j.api;


/**
 * The shape and format of one layer's paged KV cache: {@code numBlocks} pages of
 * {@code blockSize} token slots, {@code numKvHeads} heads of {@code headDim} channels, stored as
 * {@code kvDtype} in {@code layout}, with scales of {@code granularity}. Slot {@code s} is token
 * {@code s % blockSize} of block {@code s / blockSize}.
 *
 * <p>The constructor rejects what is wrong on its face (non-positive sizes, a 16-bit cache with
 * scales, a quantized cache without, a TOKEN_GROUP size that does not divide headDim, more than
 * 2^31-1 slots). Whether a backend implements the combination is a separate question, answered
 * by {@link Capabilities#check}.
 */
public record KvCacheSpec(int numBlocks, int blockSize, int numKvHeads, int headDim,
                          KvDType kvDtype, ScaleGranularity granularity, KvLayout layout) {

    public KvCacheSpec {
        InvalidRequestException.requireNonNull(kvDtype, "kvDtype");
        InvalidRequestException.requireNonNull(granularity, "granularity");
        InvalidRequestException.requireNonNull(layout, "layout");
        positive("numBlocks", numBlocks);
        positive("blockSize", blockSize);
        positive("numKvHeads", numKvHeads);
        positive("headDim", headDim);
        if ((long) numBlocks * blockSize > Integer.MAX_VALUE) {
            throw new InvalidRequestException("numBlocks*blockSize", (long) numBlocks * blockSize,
                    "a cache holds at most 2^31-1 slots");
        }
        // Elements of K (and of V): bytes of the largest dtype and the scale tensors must fit a long.
        if (elementsOverflow((long) numBlocks * blockSize, (long) numKvHeads * headDim)) {
            throw new InvalidRequestException("numKvHeads*headDim", (long) numKvHeads * headDim,
                    "with " + (long) numBlocks * blockSize + " slots the cache would hold more than 2^61 elements");
        }
        if (kvDtype.isQuantized() && granularity.kind() == ScaleGranularity.Kind.NONE) {
            throw new InvalidRequestException("granularity", granularity,
                    "KV dtype " + kvDtype + " needs scales: TENSOR, HEAD, CHANNEL, TOKEN or TOKEN_GROUP(g)");
        }
        if (!kvDtype.isQuantized() && granularity.kind() != ScaleGranularity.Kind.NONE) {
            throw new InvalidRequestException("granularity", granularity,
                    "KV dtype " + kvDtype + " is not quantized; use NONE");
        }
        if (granularity.kind() == ScaleGranularity.Kind.TOKEN_GROUP && headDim % granularity.groupSize() != 0) {
            throw new InvalidRequestException("granularity.groupSize", granularity.groupSize(),
                    "TOKEN_GROUP group size must divide headDim=" + headDim);
        }
    }

    private static boolean elementsOverflow(long slots, long perSlot) {
        try {
            return Math.multiplyExact(slots, perSlot) > (1L << 61);
        } catch (ArithmeticException e) {
            return true;
        }
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new InvalidRequestException(field, value, "must be >= 1");
        }
    }

    /** Token slots in the cache: {@code numBlocks * blockSize}. */
    public int numSlots() {
        return numBlocks * blockSize;
    }

    /** Shape of the K (and V) tensor in this layout. */
    public int[] cacheShape() {
        return layout == KvLayout.NHD
                ? new int[] {numBlocks, blockSize, numKvHeads, headDim}
                : new int[] {numBlocks, numKvHeads, blockSize, headDim};
    }

    /** Elements of the K (and V) tensor. */
    public long cacheElements() {
        return (long) numSlots() * numKvHeads * headDim;
    }

    /** Linear element index of (block, offset, head, channel) in the K or V tensor. */
    public long elementIndex(int block, int offset, int head, int channel) {
        return layout.index(block, offset, head, channel, blockSize, numKvHeads, headDim);
    }

    /** Dynamic scales per token and head (1 for TOKEN, headDim/g for TOKEN_GROUP, else 0). */
    public int dynamicScalesPerHead() {
        return granularity.dynamicScalesPerHead(headDim);
    }

    /**
     * Shape of the dynamic-scale tensor (FP32) stored beside the pages, in this layout with the
     * innermost dimension {@link #dynamicScalesPerHead()}; null if the granularity is not dynamic.
     */
    public int[] dynamicScaleShape() {
        if (!granularity.isDynamic()) {
            return null;
        }
        int g = dynamicScalesPerHead();
        return layout == KvLayout.NHD
                ? new int[] {numBlocks, blockSize, numKvHeads, g}
                : new int[] {numBlocks, numKvHeads, blockSize, g};
    }

    /** Linear index of the dynamic scale covering (block, offset, head, channel). */
    public long dynamicScaleIndex(int block, int offset, int head, int channel) {
        int perHead = dynamicScalesPerHead();
        int group = granularity.kind() == ScaleGranularity.Kind.TOKEN ? 0 : channel / granularity.groupSize();
        return layout.index(block, offset, head, group, blockSize, numKvHeads, perHead);
    }

    /** Caller-set scales per K (and per V): 1, numKvHeads or numKvHeads*headDim; 0 otherwise. */
    public int callerScaleCount() {
        return granularity.callerScaleCount(numKvHeads, headDim);
    }

    /** Index into the caller-set scale array for (KV head, channel). */
    public int callerScaleIndex(int head, int channel) {
        switch (granularity.kind()) {
            case TENSOR: return 0;
            case HEAD: return head;
            case CHANNEL: return head * headDim + channel;
            default: throw new IllegalStateException("granularity " + granularity + " has no caller-set scales");
        }
    }

    /** Group size of queries per KV head for a model with {@code numQoHeads} query heads. */
    public int groupSize(int numQoHeads) {
        return numQoHeads / numKvHeads;
    }

    /** A builder with defaults: layout NHD, granularity NONE. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link KvCacheSpec}. */
    public static final class Builder {
        private int numBlocks;
        private int blockSize;
        private int numKvHeads;
        private int headDim;
        private KvDType kvDtype = KvDType.BF16;
        private ScaleGranularity granularity = ScaleGranularity.NONE;
        private KvLayout layout = KvLayout.NHD;

        private Builder() {
        }

        public Builder numBlocks(int v) { numBlocks = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder numKvHeads(int v) { numKvHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder kvDtype(KvDType v) { kvDtype = v; return this; }
        public Builder granularity(ScaleGranularity v) { granularity = v; return this; }
        public Builder layout(KvLayout v) { layout = v; return this; }

        public KvCacheSpec build() {
            return new KvCacheSpec(numBlocks, blockSize, numKvHeads, headDim, kvDtype, granularity, layout);
        }
    }
}
