package dev.attn4j.api;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a backend declares it supports (vLLM's backend capabilities): KV dtypes, scale
 * granularities (and TOKEN_GROUP sizes), layouts, head dims, block sizes, GQA group sizes, query
 * dtypes and features. {@link #check} compares {@link Requirements} against it and returns
 * <em>all</em> the reasons they do not match.
 */
public record Capabilities(String backend, Set<KvDType> kvDtypes, Set<ScaleGranularity.Kind> granularities,
                           SupportedInts tokenGroupSizes, Set<KvLayout> layouts, SupportedInts headDims,
                           SupportedInts blockSizes, SupportedInts groupSizes, Set<DType> queryDtypes,
                           Set<Feature> features) {

    public Capabilities {
        Objects.requireNonNull(backend, "backend");
        kvDtypes = Set.copyOf(kvDtypes);
        granularities = Set.copyOf(granularities);
        layouts = Set.copyOf(layouts);
        queryDtypes = Set.copyOf(queryDtypes);
        features = Set.copyOf(features);
    }

    /** All reasons the requirements are not met; empty when supported. */
    public CapabilityCheck check(Requirements r) {
        List<String> reasons = new ArrayList<>();
        checkCacheInto(reasons, r.kvDtype(), r.granularity(), r.layout(), r.headDim(), r.blockSize());
        if (!groupSizes.contains(r.groupSize())) {
            reasons.add("groupSize=" + r.groupSize() + " (numQoHeads=" + r.numQoHeads() + " / numKvHeads="
                    + r.numKvHeads() + ") not supported; supported: " + groupSizes);
        }
        if (!queryDtypes.contains(r.queryDtype())) {
            reasons.add("queryDtype=" + r.queryDtype() + " not supported; supported: " + queryDtypes);
        }
        for (Feature f : r.features()) {
            if (!features.contains(f)) {
                reasons.add("feature=" + f + " not supported");
            }
        }
        return new CapabilityCheck(backend, reasons);
    }

    /** All reasons a cache of this spec cannot be held by the backend; empty when supported. */
    public CapabilityCheck checkCache(KvCacheSpec spec) {
        List<String> reasons = new ArrayList<>();
        checkCacheInto(reasons, spec.kvDtype(), spec.granularity(), spec.layout(), spec.headDim(), spec.blockSize());
        return new CapabilityCheck(backend, reasons);
    }

    private void checkCacheInto(List<String> reasons, KvDType kv, ScaleGranularity g, KvLayout layout,
                                int headDim, int blockSize) {
        if (!kvDtypes.contains(kv)) {
            reasons.add("kvDtype=" + kv + " not supported; supported: " + kvDtypes);
        }
        if (!granularities.contains(g.kind())) {
            reasons.add("granularity=" + g + " not supported; supported: " + granularities);
        } else if (g.kind() == ScaleGranularity.Kind.TOKEN_GROUP && !tokenGroupSizes.contains(g.groupSize())) {
            reasons.add("granularity=" + g + ": group size not supported; supported: " + tokenGroupSizes);
        }
        if (!layouts.contains(layout)) {
            reasons.add("layout=" + layout + " not supported; supported: " + layouts);
        }
        if (!headDims.contains(headDim)) {
            reasons.add("headDim=" + headDim + " not supported; supported: " + headDims);
        }
        if (!blockSizes.contains(blockSize)) {
            reasons.add("blockSize=" + blockSize + " not supported; supported: " + blockSizes);
        }
    }

    /**
     * A builder holding what attn4j's kernels implement on every device backend: every KV dtype,
     * granularity (any token-group size) and layout; head dims 8 to 256 in steps of 8; block sizes
     * up to 1024; group sizes up to 128; BF16 and FP16 queries; every feature. A backend narrows it
     * where it does less.
     */
    public static Builder everyFormat(String backend) {
        return builder(backend)
                .kvDtypes(EnumSet.allOf(KvDType.class))
                .granularities(EnumSet.allOf(ScaleGranularity.Kind.class))
                .tokenGroupSizes(SupportedInts.any())
                .layouts(EnumSet.allOf(KvLayout.class))
                .headDims(SupportedInts.rangeMultipleOf(8, 256, 8))
                .blockSizes(SupportedInts.range(1, 1024))
                .groupSizes(SupportedInts.range(1, 128))
                .queryDtypes(EnumSet.of(DType.BF16, DType.FP16))
                .features(EnumSet.allOf(Feature.class));
    }

    public static Builder builder(String backend) {
        return new Builder(backend);
    }

    /** Builder starting from nothing supported (except what is set). */
    public static final class Builder {
        private final String backend;
        private Set<KvDType> kvDtypes = EnumSet.noneOf(KvDType.class);
        private Set<ScaleGranularity.Kind> granularities = EnumSet.noneOf(ScaleGranularity.Kind.class);
        private SupportedInts tokenGroupSizes = SupportedInts.of();
        private Set<KvLayout> layouts = EnumSet.noneOf(KvLayout.class);
        private SupportedInts headDims = SupportedInts.of();
        private SupportedInts blockSizes = SupportedInts.of();
        private SupportedInts groupSizes = SupportedInts.of();
        private Set<DType> queryDtypes = EnumSet.noneOf(DType.class);
        private Set<Feature> features = EnumSet.noneOf(Feature.class);

        private Builder(String backend) {
            this.backend = backend;
        }

        public Builder kvDtypes(Set<KvDType> v) { kvDtypes = v; return this; }
        public Builder granularities(Set<ScaleGranularity.Kind> v) { granularities = v; return this; }
        public Builder tokenGroupSizes(SupportedInts v) { tokenGroupSizes = v; return this; }
        public Builder layouts(Set<KvLayout> v) { layouts = v; return this; }
        public Builder headDims(SupportedInts v) { headDims = v; return this; }
        public Builder blockSizes(SupportedInts v) { blockSizes = v; return this; }
        public Builder groupSizes(SupportedInts v) { groupSizes = v; return this; }
        public Builder queryDtypes(Set<DType> v) { queryDtypes = v; return this; }
        public Builder features(Set<Feature> v) { features = v; return this; }

        public Capabilities build() {
            return new Capabilities(backend, kvDtypes, granularities, tokenGroupSizes, layouts, headDims, blockSizes,
                    groupSizes, queryDtypes, features);
        }
    }
}
