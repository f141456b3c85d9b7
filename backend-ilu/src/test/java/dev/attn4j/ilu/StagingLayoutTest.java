package dev.attn4j.ilu;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A staged plan dequantizes only what its items can see, each block once (no GPU needed): the
 * review of the Iluvatar work this grows from found staging buffers sized to the whole cache.
 */
class StagingLayoutTest {
    private static final KvCacheSpec SPEC = KvCacheSpec.builder().numBlocks(1000).blockSize(16).numKvHeads(2)
            .headDim(128).kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
    /** K and V of one block: fp16 codes plus TOKEN scales. */
    private static final long BLOCK_BYTES = 2L * (2 * 16 * 2 * 128 + 4 * 16 * 2);

    /** Two sequences of 8 new tokens over 40 cached, sharing their first two blocks (a common prefix). */
    private static StagingLayout layout(AttentionOptions options) {
        int[][] rows = {{10, 11, 12, 999}, {10, 11, 20}};   // 999: padding past kvLen, never referenced
        BatchLayout batch = BatchLayout.of(new int[] {8, 8}, new int[] {40, 40}, rows);
        ValidatedBatch b = new ValidatedBatch(new int[] {0, 8, 16}, new int[] {40, 40}, new int[] {0, 3, 6},
                new int[] {10, 11, 12, 10, 11, 20}, 8, 40, batch);
        PlanRequest r = PlanRequest.prefill(AttentionShape.of(SPEC, 8, DType.BF16, options), batch);
        return StagingLayout.of(b, new WorkSplit(r, b, 1, 256, 64), SPEC);
    }

    @Test
    void stagesEachReferencedBlockOnceInCompactSlots() {
        StagingLayout s = layout(AttentionOptions.CAUSAL);
        assertArrayEquals(new int[] {10, 11, 12, 20}, s.slotBlocks);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 3}, s.remapped);
        assertEquals(4 * BLOCK_BYTES, s.bytes());   // not the cache's 1000 blocks
    }

    @Test
    void blocksNoItemCanSeeAreNotStaged() {
        // A window of 8 tokens: rows at positions 32..39 see 25..39, i.e. blocks 1 and 2 of each sequence.
        StagingLayout s = layout(AttentionOptions.builder().slidingWindow(8).build());
        assertArrayEquals(new int[] {11, 12, 20}, s.slotBlocks);
        assertArrayEquals(new int[] {-1, 0, 1, -1, 0, 2}, s.remapped);
        assertEquals(3 * BLOCK_BYTES, s.bytes());
        assertArrayEquals(new int[] {-1, 0, 1, -1, 0, 2, 11, 12, 20}, s.deviceTable());
    }
}
