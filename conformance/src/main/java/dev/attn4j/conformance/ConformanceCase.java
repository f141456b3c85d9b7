package dev.attn4j.conformance;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * One conformance case: a cache format and shape, a batch, options. Data is not part of the
 * case: {@link CaseData} draws it fresh from a seed at each run.
 *
 * @param tag                what the case is for (its group in the matrix)
 * @param op                 PREFILL or DECODE
 * @param qLens              new tokens per sequence (all 1 for DECODE)
 * @param kvLens             cached tokens per sequence, incl. the new ones
 * @param shuffleBlocks      block ids in random order (else ascending)
 * @param sharedPrefixBlocks full blocks at the start of sequences 0 and 1 that both reference
 * @param withLse            ask for the log-sum-exp
 * @param scaleFactor        caller scales = calibrated absmax / maxCode times this (below 1 saturates)
 * @param vMagnitude         V values are drawn this many times larger than K (so K and V scales differ)
 * @param ramp               V magnitudes change geometrically along each sequence by this factor from its
 *                           first to its last token, K magnitudes by its fourth root (1: no ramp): scores and
 *                           per-token scales that keep growing (or shrinking) test a kernel's rescaling
 * @param nonFinite          some appended K and V elements are NaN, +Inf or -Inf (quantized caches only):
 *                           every backend must store NaN as code 0 and saturate infinities, and leave them
 *                           out of dynamic scales
 */
public record ConformanceCase(String tag, OpKind op, KvDType kvDtype, ScaleGranularity granularity, KvLayout layout,
                              int headDim, int numKvHeads, int numQoHeads, int blockSize, DType queryDtype,
                              AttentionOptions options, int[] qLens, int[] kvLens, boolean shuffleBlocks,
                              int sharedPrefixBlocks, boolean withLse, double scaleFactor, double vMagnitude,
                              double ramp, boolean nonFinite) {

    /** A stable, readable id: tag, op, format, layout, shape, options. */
    public String id() {
        StringBuilder b = new StringBuilder();
        b.append(tag).append(' ').append(op.name().toLowerCase(Locale.ROOT)).append(' ')
                .append(kvDtype.name().toLowerCase(Locale.ROOT));
        if (granularity.kind() != ScaleGranularity.Kind.NONE) {
            b.append('/').append(granularity.toString().toLowerCase(Locale.ROOT));
        }
        b.append(' ').append(layout).append(" d").append(headDim).append(" h").append(numQoHeads).append('/')
                .append(numKvHeads).append(" bs").append(blockSize).append(' ')
                .append(queryDtype.name().toLowerCase(Locale.ROOT)).append(" q").append(Arrays.toString(qLens))
                .append(" kv").append(Arrays.toString(kvLens));
        if (!options.causal() && op == OpKind.PREFILL) {
            b.append(" noncausal");
        }
        options.slidingWindow().ifPresent(w -> b.append(" window").append(w));
        options.softCap().ifPresent(c -> b.append(" cap").append(c));
        options.softmaxScale().ifPresent(s -> b.append(" scale").append(s));
        if (sharedPrefixBlocks > 0) {
            b.append(" shared").append(sharedPrefixBlocks);
        }
        if (!shuffleBlocks) {
            b.append(" ordered");
        }
        if (!withLse) {
            b.append(" nolse");
        }
        if (scaleFactor != 1.0) {
            b.append(" sf").append(scaleFactor);
        }
        if (vMagnitude != 3.0) {
            b.append(" vmag").append(vMagnitude);
        }
        if (nonFinite) {
            b.append(" nonfinite");
        }
        if (ramp != 1.0) {
            b.append(" ramp").append(ramp);
        }
        return b.toString();
    }

    public int numSequences() {
        return qLens.length;
    }

    /** The requirements a backend must meet to run this case. */
    public Requirements requirements() {
        Set<Feature> f = EnumSet.noneOf(Feature.class);
        if (op == OpKind.DECODE) {
            f.add(Feature.DECODE);
        } else {
            f.add(Feature.PREFILL);
            f.add(options.causal() ? Feature.CAUSAL : Feature.NON_CAUSAL);
            for (int i = 0; i < qLens.length; i++) {
                if (kvLens[i] > qLens[i]) {
                    f.add(Feature.CHUNKED_PREFILL);
                }
            }
        }
        options.slidingWindow().ifPresent(w -> f.add(Feature.SLIDING_WINDOW));
        options.softCap().ifPresent(c -> f.add(Feature.SOFT_CAP));
        if (withLse) {
            f.add(Feature.LSE);
        }
        return new Requirements(headDim, numQoHeads, numKvHeads, kvDtype, granularity, layout, blockSize, queryDtype, f);
    }

    @Override
    public String toString() {
        return id();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder whose defaults are the suite's base case; every field can be changed. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tag = tag;
        b.op = op;
        b.kvDtype = kvDtype;
        b.granularity = granularity;
        b.layout = layout;
        b.headDim = headDim;
        b.numKvHeads = numKvHeads;
        b.numQoHeads = numQoHeads;
        b.blockSize = blockSize;
        b.queryDtype = queryDtype;
        b.options = options;
        b.qLens = qLens.clone();
        b.kvLens = kvLens.clone();
        b.shuffleBlocks = shuffleBlocks;
        b.sharedPrefixBlocks = sharedPrefixBlocks;
        b.withLse = withLse;
        b.scaleFactor = scaleFactor;
        b.vMagnitude = vMagnitude;
        b.ramp = ramp;
        b.nonFinite = nonFinite;
        return b;
    }

    /**
     * Builder. Defaults: base prefill, INT8 per-token, NHD, head dim 128, 8 query / 2 KV heads (group
     * 4), block size 16, BF16 queries, causal, three sequences of mixed length with cached prefixes,
     * shuffled blocks, LSE on, V drawn 3x larger than K.
     */
    public static final class Builder {
        private String tag = "base";
        private OpKind op = OpKind.PREFILL;
        private KvDType kvDtype = KvDType.INT8;
        private ScaleGranularity granularity = ScaleGranularity.TOKEN;
        private KvLayout layout = KvLayout.NHD;
        private int headDim = 128;
        private int numKvHeads = 2;
        private int numQoHeads = 8;
        private int blockSize = 16;
        private DType queryDtype = DType.BF16;
        private AttentionOptions options = AttentionOptions.CAUSAL;
        private int[] qLens = {13, 1, 40};
        private int[] kvLens = {77, 33, 40};
        private boolean shuffleBlocks = true;
        private int sharedPrefixBlocks;
        private boolean withLse = true;
        private double scaleFactor = 1.0;
        private double vMagnitude = 3.0;
        private double ramp = 1.0;
        private boolean nonFinite;

        private Builder() {
        }

        public Builder tag(String v) { tag = v; return this; }
        public Builder op(OpKind v) { op = v; return this; }
        public Builder kvDtype(KvDType v) { kvDtype = v; return this; }
        public Builder granularity(ScaleGranularity v) { granularity = v; return this; }
        public Builder format(KvDType d, ScaleGranularity g) { kvDtype = d; granularity = g; return this; }
        public Builder layout(KvLayout v) { layout = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder heads(int qo, int kv) { numQoHeads = qo; numKvHeads = kv; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder queryDtype(DType v) { queryDtype = v; return this; }
        public Builder options(AttentionOptions v) { options = v; return this; }
        public Builder lens(int[] q, int[] kv) { qLens = q.clone(); kvLens = kv.clone(); return this; }
        public Builder shuffleBlocks(boolean v) { shuffleBlocks = v; return this; }
        public Builder sharedPrefixBlocks(int v) { sharedPrefixBlocks = v; return this; }
        public Builder withLse(boolean v) { withLse = v; return this; }
        public Builder scaleFactor(double v) { scaleFactor = v; return this; }
        public Builder vMagnitude(double v) { vMagnitude = v; return this; }
        public Builder ramp(double v) { ramp = v; return this; }
        public Builder nonFinite(boolean v) { nonFinite = v; return this; }

        /** Decode with these cache lengths (qLen 1 each). */
        public Builder decode(int... kv) {
            op = OpKind.DECODE;
            kvLens = kv.clone();
            qLens = new int[kv.length];
            Arrays.fill(qLens, 1);
            return this;
        }

        /** Prefill with these lengths. */
        public Builder prefill(int[] q, int[] kv) {
            op = OpKind.PREFILL;
            return lens(q, kv);
        }

        public ConformanceCase build() {
            if (qLens.length != kvLens.length) {
                throw new IllegalArgumentException("qLens and kvLens differ in length");
            }
            return new ConformanceCase(tag, op, kvDtype, granularity, layout, headDim, numKvHeads, numQoHeads,
                    blockSize, queryDtype, options, qLens.clone(), kvLens.clone(), shuffleBlocks, sharedPrefixBlocks,
                    withLse, scaleFactor, vMagnitude, ramp, nonFinite);
        }
    }
}
