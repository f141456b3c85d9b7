package dev.attn4j.cuda;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.AbstractKvCache;

/**
 * A KV cache in device memory: K and V, and per side one FP32 scale tensor the kernels read:
 * the dynamic scales append fills (TOKEN, TOKEN_GROUP), or the caller-set scales uploaded once.
 */
final class CudaKvCache extends AbstractKvCache {
    final CudaTensor keys;
    final CudaTensor values;
    /** Caller scales (TENSOR/HEAD/CHANNEL) or dynamic scales (TOKEN/TOKEN_GROUP); null for 16-bit caches. */
    final CudaTensor keyScale;
    final CudaTensor valueScale;

    private CudaKvCache(CudaBackend backend, KvCacheSpec spec, KvScales scales, CudaTensor keys, CudaTensor values,
                        CudaTensor keyScale, CudaTensor valueScale) {
        super(backend, spec, scales, keys, values, keyScale, valueScale);
        this.keys = keys;
        this.values = values;
        this.keyScale = keyScale;
        this.valueScale = valueScale;
    }

    static CudaKvCache create(CudaBackend backend, KvCacheSpec spec, KvScales scales) {
        CudaTensor k = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        CudaTensor v = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        CudaTensor ks = null;
        CudaTensor vs = null;
        if (spec.granularity().isDynamic()) {
            ks = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
            vs = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
        } else if (spec.granularity().isCallerSet()) {
            ks = backend.allocate(DType.FP32, scales.size());
            ks.copyFrom(scales.k());
            vs = backend.allocate(DType.FP32, scales.size());
            vs.copyFrom(scales.v());
        }
        return new CudaKvCache(backend, spec, scales, k, v, ks, vs);
    }
}
