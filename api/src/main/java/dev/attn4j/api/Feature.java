package dev.attn4j.api;

/** Optional behaviours a backend declares in {@link Capabilities} and a host asks for in {@link Requirements}. */
public enum Feature {
    PREFILL,
    DECODE,
    /** Prefill whose kvLen exceeds qLen: a prefix already in the cache. */
    CHUNKED_PREFILL,
    CAUSAL,
    NON_CAUSAL,
    SLIDING_WINDOW,
    SOFT_CAP,
    /** Writing the log-sum-exp of each query row. */
    LSE,
    /** Wrapping memory the host owns ({@link AttentionBackend#wrap}). */
    EXTERNAL_MEMORY
}
