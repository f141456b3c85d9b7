package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Tensor;

/**
 * A KV cache in device memory, allocated the same way by every device backend: K and V (zeroed),
 * and per side one FP32 scale tensor the kernels read: the dynamic scales append fills (TOKEN,
 * TOKEN_GROUP, zeroed), or the caller-set scales uploaded once; none for 16-bit caches.
 *
 * @param <T> the backend's tensor type, so its launchers reach device pointers without casts
 */
public abstract class DeviceKvCache<T extends Tensor> extends AbstractKvCache {
    public final T keys;
    public final T values;
    /** Caller scales (TENSOR/HEAD/CHANNEL) or dynamic scales (TOKEN/TOKEN_GROUP); null for 16-bit caches. */
    public final T keyScale;
    public final T valueScale;

    /** How the backend allocates a tensor, zeroed or not. */
    @FunctionalInterface
    public interface Allocator<T extends Tensor> {
        T allocate(DType dtype, boolean zeroed, int... shape);
    }

    protected DeviceKvCache(AttentionBackend backend, KvCacheSpec spec, KvScales scales, Allocator<T> allocator) {
        this(backend, spec, scales, Parts.allocate(spec, scales, allocator));
    }

    private DeviceKvCache(AttentionBackend backend, KvCacheSpec spec, KvScales scales, Parts<T> t) {
        super(backend, spec, scales, t.keys, t.values, t.keyScale, t.valueScale);
        this.keys = t.keys;
        this.values = t.values;
        this.keyScale = t.keyScale;
        this.valueScale = t.valueScale;
    }

    private record Parts<T extends Tensor>(T keys, T values, T keyScale, T valueScale) {
        static <T extends Tensor> Parts<T> allocate(KvCacheSpec spec, KvScales scales, Allocator<T> a) {
            T k = a.allocate(spec.kvDtype().storage(), true, spec.cacheShape());
            T v = a.allocate(spec.kvDtype().storage(), true, spec.cacheShape());
            T ks = null;
            T vs = null;
            if (spec.granularity().isDynamic()) {
                ks = a.allocate(DType.FP32, true, spec.dynamicScaleShape());
                vs = a.allocate(DType.FP32, true, spec.dynamicScaleShape());
            } else if (spec.granularity().isCallerSet()) {
                ks = a.allocate(DType.FP32, false, scales.size());
                ks.copyFrom(scales.k());
                vs = a.allocate(DType.FP32, false, scales.size());
                vs.copyFrom(scales.v());
            }
            return new Parts<>(k, v, ks, vs);
        }
    }
}
