package dev.attn4j.api;

/**
 * Order of a paged cache tensor. Both hold {@code numBlocks} pages of {@code blockSize} tokens.
 *
 * <ul>
 *   <li>{@link #NHD}: {@code [numBlocks][blockSize][numKvHeads][headDim]} (vLLM).
 *   <li>{@link #HND}: {@code [numBlocks][numKvHeads][blockSize][headDim]} (FlashInfer, the
 *       Iluvatar kernels): one head's tokens of a page are contiguous.
 * </ul>
 *
 * Dynamic scales ({@link ScaleGranularity.Kind#TOKEN}, {@link ScaleGranularity.Kind#TOKEN_GROUP})
 * follow the same order with {@code headDim} replaced by the number of scale groups per head.
 */
public enum KvLayout {
    NHD,
    HND;

    /**
     * Linear index of element {@code inner} of (block, offset, head) in a tensor of this layout
     * whose innermost dimension has {@code innerSize} elements.
     */
    public long index(int block, int offset, int head, int inner, int blockSize, int numKvHeads, int innerSize) {
        long row = this == NHD
                ? ((long) block * blockSize + offset) * numKvHeads + head
                : ((long) block * numKvHeads + head) * blockSize + offset;
        return row * innerSize + inner;
    }
}
