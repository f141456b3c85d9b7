package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.AbstractKvCache;

/**
 * A KV cache in device memory: K and V, and per side one FP32 scale tensor the kernels read: the
 * dynamic scales append fills (TOKEN, TOKEN_GROUP), or the caller-set scales uploaded once.
 */
final class XpuKvCache extends AbstractKvCache {
    final XpuTensor keys;
    final XpuTensor values;
    /** Caller scales (TENSOR/HEAD/CHANNEL) or dynamic scales (TOKEN/TOKEN_GROUP); null for 16-bit caches. */
    final XpuTensor keyScale;
    final XpuTensor valueScale;

    private XpuKvCache(XpuBackend backend, KvCacheSpec spec, KvScales scales, XpuTensor keys, XpuTensor values,
                       XpuTensor keyScale, XpuTensor valueScale) {
        super(backend, spec, scales, keys, values, keyScale, valueScale);
        this.keys = keys;
        this.values = values;
        this.keyScale = keyScale;
        this.valueScale = valueScale;
    }

    static XpuKvCache create(XpuBackend backend, KvCacheSpec spec, KvScales scales) {
        XpuTensor k = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        XpuTensor v = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        XpuTensor ks = null;
        XpuTensor vs = null;
        if (spec.granularity().isDynamic()) {
            ks = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
            vs = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
        } else if (spec.granularity().isCallerSet()) {
            ks = backend.allocate(DType.FP32, scales.size());
            ks.copyFrom(scales.k());
            vs = backend.allocate(DType.FP32, scales.size());
            vs.copyFrom(scales.v());
        }
        return new XpuKvCache(backend, spec, scales, k, v, ks, vs);
    }
}
