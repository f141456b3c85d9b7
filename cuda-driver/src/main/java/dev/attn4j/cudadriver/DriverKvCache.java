package dev.attn4j.cudadriver;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.DeviceKvCache;

/**
 * A KV cache in the device memory of a {@link DriverBackend} (what it holds: {@link DeviceKvCache}),
 * so that append and the attention parameter blocks read the same tensors on every such backend.
 */
public final class DriverKvCache extends DeviceKvCache<DriverTensor> {
    private DriverKvCache(DriverBackend backend, KvCacheSpec spec, KvScales scales) {
        super(backend, spec, scales, (dtype, zeroed, shape) -> zeroed ? backend.allocateZeroed(dtype, shape)
                : backend.allocateDevice(dtype, shape));
    }

    public static DriverKvCache create(DriverBackend backend, KvCacheSpec spec, KvScales scales) {
        return new DriverKvCache(backend, spec, scales);
    }
}
