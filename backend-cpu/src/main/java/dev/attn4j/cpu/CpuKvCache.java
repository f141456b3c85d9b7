package dev.attn4j.cpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.AbstractKvCache;

/** A cpu KV cache: K and V tensors, and FP32 dynamic-scale tensors for TOKEN / TOKEN_GROUP. */
final class CpuKvCache extends AbstractKvCache {
    final CpuTensor keys;
    final CpuTensor values;
    /** Dynamic scales, or null (caller scales are read from {@link #callerScales()}). */
    final CpuTensor keyScales;
    final CpuTensor valueScales;

    private CpuKvCache(CpuBackend backend, KvCacheSpec spec, KvScales scales, CpuTensor keys, CpuTensor values,
                       CpuTensor keyScales, CpuTensor valueScales) {
        super(backend, spec, scales, keys, values, keyScales, valueScales);
        this.keys = keys;
        this.values = values;
        this.keyScales = keyScales;
        this.valueScales = valueScales;
    }

    static CpuKvCache create(CpuBackend backend, KvCacheSpec spec, KvScales scales) {
        int[] scaleShape = spec.dynamicScaleShape();
        return new CpuKvCache(backend, spec, scales,
                backend.allocateHost(spec.kvDtype().storage(), spec.cacheShape()),
                backend.allocateHost(spec.kvDtype().storage(), spec.cacheShape()),
                scaleShape == null ? null : backend.allocateHost(DType.FP32, scaleShape),
                scaleShape == null ? null : backend.allocateHost(DType.FP32, scaleShape));
    }
}
