package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Tensor;

import java.util.Optional;

/** A cpu KV cache: K and V tensors, and FP32 dynamic-scale tensors for TOKEN / TOKEN_GROUP. */
final class CpuKvCache implements KvCache {
    private final CpuBackend backend;
    private final KvCacheSpec spec;
    private final KvScales scales;
    final CpuTensor keys;
    final CpuTensor values;
    final CpuTensor keyScales;
    final CpuTensor valueScales;

    CpuKvCache(CpuBackend backend, KvCacheSpec spec, KvScales scales) {
        this.backend = backend;
        this.spec = spec;
        this.scales = scales;
        this.keys = backend.allocate(spec.kvDtype().storage(), spec.cacheShape());
        this.values = backend.allocate(spec.kvDtype().storage(), spec.cacheShape());
        int[] scaleShape = spec.dynamicScaleShape();
        this.keyScales = scaleShape == null ? null : backend.allocate(dev.attn4j.api.DType.FP32, scaleShape);
        this.valueScales = scaleShape == null ? null : backend.allocate(dev.attn4j.api.DType.FP32, scaleShape);
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    @Override
    public Tensor keys() {
        return keys;
    }

    @Override
    public Tensor values() {
        return values;
    }

    @Override
    public Optional<Tensor> keyScales() {
        return Optional.ofNullable(keyScales);
    }

    @Override
    public Optional<Tensor> valueScales() {
        return Optional.ofNullable(valueScales);
    }

    @Override
    public KvScales callerScales() {
        return scales;
    }

    @Override
    public AttentionBackend backend() {
        return backend;
    }

    @Override
    public boolean isClosed() {
        return keys.isClosed();
    }

    @Override
    public void close() {
        keys.close();
        values.close();
        if (keyScales != null) {
            keyScales.close();
            valueScales.close();
        }
    }
}
