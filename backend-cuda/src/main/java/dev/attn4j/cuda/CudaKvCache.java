package dev.attn4j.cuda;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.DeviceKvCache;

/** A KV cache in cuda device memory (what it holds: {@link DeviceKvCache}). */
final class CudaKvCache extends DeviceKvCache<CudaTensor> {
    private CudaKvCache(CudaBackend backend, KvCacheSpec spec, KvScales scales) {
        super(backend, spec, scales, (dtype, zeroed, shape) -> zeroed ? backend.allocateZeroed(dtype, shape)
                : backend.allocate(dtype, shape));
    }

    static CudaKvCache create(CudaBackend backend, KvCacheSpec spec, KvScales scales) {
        return new CudaKvCache(backend, spec, scales);
    }
}
