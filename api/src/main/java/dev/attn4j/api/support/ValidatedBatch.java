package dev.attn4j.api.support;

import dev.attn4j.api.BatchLayout;

/**
 * A batch layout after {@link RequestValidator#validatePlan}: compact arrays a kernel can index
 * directly (the metadata a GPU plan uploads). Only the blocks each sequence references
 * ({@code ceil(kvLen / blockSize)}) are kept.
 *
 * <ul>
 *   <li>{@code qIndptr[n + 1]}: sequence {@code i}'s query rows are {@code [qIndptr[i], qIndptr[i+1])}.
 *   <li>{@code kvLens[n]}.
 *   <li>{@code blockIndptr[n + 1]}, {@code blockIds[]}: sequence {@code i}'s referenced blocks are
 *       {@code blockIds[blockIndptr[i] .. blockIndptr[i+1])}, all in {@code [0, numBlocks)}.
 * </ul>
 */
public record ValidatedBatch(int[] qIndptr, int[] kvLens, int[] blockIndptr, int[] blockIds,
                             int maxQLen, int maxKvLen, BatchLayout layout) {

    public int numSequences() {
        return kvLens.length;
    }

    public int numTokens() {
        return qIndptr[qIndptr.length - 1];
    }

    public int qLen(int seq) {
        return qIndptr[seq + 1] - qIndptr[seq];
    }
}
