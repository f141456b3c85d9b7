package dev.attn4j.xpu;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.support.DeviceKvCache;

/** A KV cache in xpu device memory (what it holds: {@link DeviceKvCache}). */
final class XpuKvCache extends DeviceKvCache<XpuTensor> {
    private XpuKvCache(XpuBackend backend, KvCacheSpec spec, KvScales scales) {
        super(backend, spec, scales, (dtype, zeroed, shape) -> zeroed ? backend.allocateZeroed(dtype, shape)
                : backend.allocateDevice(dtype, shape));
    }

    static XpuKvCache create(XpuBackend backend, KvCacheSpec spec, KvScales scales) {
        return new XpuKvCache(backend, spec, scales);
    }
}
