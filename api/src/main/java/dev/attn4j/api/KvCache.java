package dev.attn4j.api;

import java.util.Optional;

/**
 * One layer's paged KV cache in a backend's memory, made by
 * {@link AttentionBackend#createKvCache}. K and V are separate tensors of
 * {@code spec().kvDtype().storage()} with shape {@link KvCacheSpec#cacheShape()}. Caller-set
 * scales are held as given; dynamic (TOKEN, TOKEN_GROUP) scales live in FP32 tensors of shape
 * {@link KvCacheSpec#dynamicScaleShape()} that {@link AttentionBackend#append} fills.
 *
 * <p>The tensors are exposed so a host can inspect, save or restore a cache; writing them
 * directly bypasses quantization and is the caller's responsibility.
 */
public interface KvCache extends AutoCloseable {

    KvCacheSpec spec();

    /** K codes or values, shape {@link KvCacheSpec#cacheShape()}. */
    Tensor keys();

    /** V codes or values, shape {@link KvCacheSpec#cacheShape()}. */
    Tensor values();

    /** Dynamic K scales (TOKEN, TOKEN_GROUP), else empty. */
    Optional<Tensor> keyScales();

    /** Dynamic V scales (TOKEN, TOKEN_GROUP), else empty. */
    Optional<Tensor> valueScales();

    /** The caller-set scales given at creation ({@link KvScales#none()} if there are none). */
    KvScales callerScales();

    /** The backend that made this cache. */
    AttentionBackend backend();

    boolean isClosed();

    /** Frees the cache's tensors; idempotent. */
    @Override
    void close();
}
