package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Tensor;

import java.util.Optional;

/**
 * A KV cache in device memory: K and V, the caller-set scales uploaded once (K and V separately),
 * or the dynamic-scale tensors append fills.
 */
final class CudaKvCache implements KvCache {
    private final CudaBackend backend;
    private final KvCacheSpec spec;
    private final KvScales scales;
    final CudaTensor keys;
    final CudaTensor values;
    /** Caller scales (TENSOR/HEAD/CHANNEL) or dynamic scales (TOKEN/TOKEN_GROUP); null for 16-bit caches. */
    final CudaTensor keyScale;
    final CudaTensor valueScale;

    CudaKvCache(CudaBackend backend, KvCacheSpec spec, KvScales scales) {
        this.backend = backend;
        this.spec = spec;
        this.scales = scales;
        this.keys = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        this.values = backend.allocateZeroed(spec.kvDtype().storage(), spec.cacheShape());
        if (spec.granularity().isDynamic()) {
            keyScale = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
            valueScale = backend.allocateZeroed(DType.FP32, spec.dynamicScaleShape());
        } else if (spec.granularity().isCallerSet()) {
            keyScale = backend.allocate(DType.FP32, scales.size());
            keyScale.copyFrom(scales.k());
            valueScale = backend.allocate(DType.FP32, scales.size());
            valueScale.copyFrom(scales.v());
        } else {
            keyScale = null;
            valueScale = null;
        }
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
        return spec.granularity().isDynamic() ? Optional.of(keyScale) : Optional.empty();
    }

    @Override
    public Optional<Tensor> valueScales() {
        return spec.granularity().isDynamic() ? Optional.of(valueScale) : Optional.empty();
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
        if (keyScale != null) {
            keyScale.close();
            valueScale.close();
        }
    }
}
