package dev.attn4j.cpu;

import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.support.ForwardingBackend;

/**
 * A deliberately broken backend for testing the tests: the cpu backend, except that attention
 * dequantizes with the wrong scales, reproducing bugs found in peer kernels' reviews. Append is
 * left correct (as it was in those kernels), so only the attention check can catch them.
 */
final class ScaleMutantBackend extends ForwardingBackend {
    /** The reproduced bugs. */
    enum Bug {
        /** The V path reads K's scale (FP8 chunked prefill for Intel GPUs). */
        V_USES_K_SCALE,
        /** Per-head scales indexed by query head instead of KV head (Iluvatar int8 prefill). */
        SCALE_BY_QUERY_HEAD
    }

    private final Bug bug;

    ScaleMutantBackend(CpuBackend delegate, Bug bug) {
        super(delegate);
        this.bug = bug;
    }

    /** True if the bug changes anything for this cache and group size. */
    static boolean bites(Bug bug, KvCacheSpec spec, int group) {
        if (!spec.kvDtype().isQuantized()) {
            return false;
        }
        if (bug == Bug.V_USES_K_SCALE) {
            return true;
        }
        ScaleGranularity.Kind k = spec.granularity().kind();
        if (k != ScaleGranularity.Kind.HEAD && k != ScaleGranularity.Kind.CHANNEL) {
            return false;
        }
        for (int h = 0; h < spec.numKvHeads(); h++) {
            if (wrongHead(h, group, spec.numKvHeads()) != h) {
                return true;
            }
        }
        return false;
    }

    /** The head whose scale the buggy kernel reads for KV head h: the group's first query head, wrapped. */
    private static int wrongHead(int h, int group, int numKvHeads) {
        return (h * group) % numKvHeads;
    }

    @Override
    public void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        try (KvCache shadow = shadow(cache, plan.request().numQoHeads() / cache.spec().numKvHeads())) {
            delegate.run(plan, query, shadow, out, lse);
        }
    }

    /** A copy of the cache's codes with the scales the buggy kernel would have used. */
    private KvCache shadow(KvCache cache, int group) {
        KvCacheSpec spec = cache.spec();
        float[] k = cache.callerScales().k();
        float[] v = cache.callerScales().v();
        if (bug == Bug.V_USES_K_SCALE) {
            v = k.clone();
        } else if (spec.granularity().isCallerSet()) {
            int per = spec.granularity().kind() == ScaleGranularity.Kind.HEAD ? 1 : spec.headDim();
            float[] k2 = k.clone();
            float[] v2 = v.clone();
            for (int h = 0; h < spec.numKvHeads() && spec.granularity().kind() != ScaleGranularity.Kind.TENSOR; h++) {
                int from = wrongHead(h, group, spec.numKvHeads());
                System.arraycopy(k, from * per, k2, h * per, per);
                System.arraycopy(v, from * per, v2, h * per, per);
            }
            k = k2;
            v = v2;
        }
        KvScales scales = spec.granularity().isCallerSet() ? KvScales.of(k, v) : KvScales.none();
        KvCache shadow = delegate.createKvCache(spec, scales);
        shadow.keys().copyFromHost(cache.keys().toHostBuffer());
        shadow.values().copyFromHost(cache.values().toHostBuffer());
        if (cache.keyScales().isPresent()) {
            shadow.keyScales().get().copyFromHost(cache.keyScales().get().toHostBuffer());
            Tensor vFrom = bug == Bug.V_USES_K_SCALE ? cache.keyScales().get() : cache.valueScales().get();
            shadow.valueScales().get().copyFromHost(vFrom.toHostBuffer());
        }
        return shadow;
    }

    @Override
    public String name() {
        return "cpu-mutant";
    }
}
