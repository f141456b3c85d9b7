package dev.attn4j.cli;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.Tensor;

/**
 * Fills a cache the way an engine does, through {@link AttentionBackend#append} (so quantization and
 * dynamic scales are the backend's own), in chunks of about 4 Mi elements per K and V tensor: large
 * enough that per-call overhead does not dominate, small enough for the host to generate quickly.
 */
final class CacheFiller {
    private static final long CHUNK_ELEMENTS = 1L << 22;
    private final AttentionBackend backend;
    private final RandomData random;

    CacheFiller(AttentionBackend backend, RandomData random) {
        this.backend = backend;
        this.random = random;
    }

    /** Tokens per append call for a cache of this row size. */
    static int chunkTokens(int numKvHeads, int headDim) {
        return (int) Math.max(1, CHUNK_ELEMENTS / ((long) numKvHeads * headDim));
    }

    /** Number of append calls {@link #fill} makes for {@code tokens} tokens. */
    static int chunks(long tokens, int numKvHeads, int headDim) {
        int c = chunkTokens(numKvHeads, headDim);
        return (int) ((tokens + c - 1) / c);
    }

    /**
     * Appends fresh random K and V for every slot in {@code slots} (one per token), calling
     * {@code afterChunk} after each append.
     */
    void fill(KvCache cache, DType dtype, int[] slots, Runnable afterChunk) {
        int heads = cache.spec().numKvHeads();
        int dim = cache.spec().headDim();
        int chunk = chunkTokens(heads, dim);
        for (int start = 0; start < slots.length; start += chunk) {
            int n = Math.min(chunk, slots.length - start);
            int[] shape = {n, heads, dim};
            long elements = (long) n * heads * dim;
            int[] part = java.util.Arrays.copyOfRange(slots, start, start + n);
            try (Tensor k = backend.upload(dtype, shape, random.half(dtype, elements));
                 Tensor v = backend.upload(dtype, shape, random.half(dtype, elements))) {
                backend.append(cache, k, v, part);
            }
            afterChunk.run();
        }
    }
}
