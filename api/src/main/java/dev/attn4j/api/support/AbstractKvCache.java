package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Tensor;

import java.util.Optional;

/**
 * What every backend's KV cache holds the same way: spec, caller scales, backend, K and V, and
 * one scale tensor per side (the dynamic scales for TOKEN / TOKEN_GROUP, which the API exposes;
 * for caller-set granularities a backend may keep a device copy of the caller scales there, which
 * stays internal). Closing closes all four.
 */
public abstract class AbstractKvCache implements KvCache {
    private final AttentionBackend backend;
    private final KvCacheSpec spec;
    private final KvScales scales;
    private final Tensor keys;
    private final Tensor values;
    private final Tensor keyScale;
    private final Tensor valueScale;

    protected AbstractKvCache(AttentionBackend backend, KvCacheSpec spec, KvScales scales, Tensor keys, Tensor values,
                              Tensor keyScale, Tensor valueScale) {
        this.backend = backend;
        this.spec = spec;
        this.scales = scales;
        this.keys = keys;
        this.values = values;
        this.keyScale = keyScale;
        this.valueScale = valueScale;
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

    /** Closed as soon as any of its tensors is: one closed by hand leaves a cache no call may use. */
    @Override
    public boolean isClosed() {
        return keys.isClosed() || values.isClosed() || (keyScale != null && keyScale.isClosed())
                || (valueScale != null && valueScale.isClosed());
    }

    @Override
    public void close() {
        keys.close();
        values.close();
        if (keyScale != null) {
            keyScale.close();
        }
        if (valueScale != null) {
            valueScale.close();
        }
    }
}
