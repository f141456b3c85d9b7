package dev.attn4j.cudadriver;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a decode batch is split to fill the device's waves (no GPU needed). */
class WaveSplitTest {
    private static final int BS = 16;
    private static final KvCacheSpec SPEC = KvCacheSpec.builder().numBlocks(64 * 256).blockSize(BS).numKvHeads(8)
            .headDim(128).kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();

    /** A decode step of {@code n} sequences of {@code kvLen} tokens, 32 query heads (G = 4). */
    private static WorkSplit decode(int n, int kvLen, int slots) {
        return decode(n, kvLen, slots, SPEC, 32);
    }

    private static WorkSplit decode(int n, int kvLen, int slots, KvCacheSpec spec, int qoHeads) {
        int blocks = kvLen / BS;
        int[] qIndptr = new int[n + 1];
        int[] blockIndptr = new int[n + 1];
        int[] kvLens = new int[n];
        int[] ids = new int[n * blocks];
        int[][] rows = new int[n][blocks];
        for (int i = 0; i < n; i++) {
            qIndptr[i + 1] = i + 1;
            blockIndptr[i + 1] = (i + 1) * blocks;
            kvLens[i] = kvLen;
            for (int j = 0; j < blocks; j++) {
                ids[i * blocks + j] = rows[i][j] = i * blocks + j;
            }
        }
        BatchLayout layout = BatchLayout.decode(kvLens, rows);
        ValidatedBatch b = new ValidatedBatch(qIndptr, kvLens, blockIndptr, ids, 1, kvLen, layout);
        return WaveSplit.forWaves(PlanRequest.decode(AttentionShape.of(spec, qoHeads, DType.BF16, AttentionOptions.CAUSAL), layout), b, slots, 8);
    }

    @Test
    void aBatchThatFillsOneWaveIsNotSplit() {
        WorkSplit s = decode(64, 4096, 528);   // 512 units on 528 slots: 97 % of one wave
        assertEquals(512, s.items());
        assertEquals(0, s.mergeCount.length);
    }

    @Test
    void aSmallBatchIsSplitToFillTheDevice() {
        WorkSplit s = decode(2, 4096, 528);    // 16 units
        assertTrue(s.items() >= 16 * 8, "items " + s.items());
        assertEquals(16, s.mergeCount.length);
    }

    @Test
    void aBatchJustOverOneWaveIsSplitRatherThanLeaveALastWaveMostlyEmpty() {
        WorkSplit s = decode(72, 4096, 528);   // 576 units: unsplit, the second wave would be 9 % full
        double waves = s.items() / 528.0;
        assertTrue(waves / Math.ceil(waves) > 0.8, "items " + s.items());
    }

    @Test
    void unitsThatDoNotDivideTheSlotsAreCutIntoTheFewestPiecesThatFillAWave() {
        KvCacheSpec fourHeads = KvCacheSpec.builder().numBlocks(64 * 256).blockSize(BS).numKvHeads(4).headDim(128)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
        // qwen2-7b's 28/4 heads: 64 x 4096 is 256 units, 2 pieces each fill one wave 97 % full
        // (one wave's worth of items, 528, would take 3 pieces each and 1.45 waves).
        WorkSplit s = decode(64, 4096, 528, fourHeads, 28);
        assertEquals(512, s.items());
        assertEquals(256, s.mergeCount.length);
        // 8 x 32768 is 32 units: 16 pieces of 2048 tokens, one wave, rather than two waves of 1024.
        assertEquals(512, decode(8, 32768, 528, fourHeads, 28).items());
    }

    @Test
    void unitsThatFillMostOfOneWaveStayWholeRatherThanRunTwoWavesOfPieces() {
        KvCacheSpec fourHeads = KvCacheSpec.builder().numBlocks(64 * 256).blockSize(BS).numKvHeads(4).headDim(128)
                .kvDtype(KvDType.BF16).build();
        // 256 units on 396 slots (3 blocks a SM, bf16 d128): 65 % of a wave whole, where 3 pieces
        // each would be 768 items in two waves.
        WorkSplit s = decode(64, 4096, 396, fourHeads, 28);
        assertEquals(256, s.items());
        assertEquals(0, s.mergeCount.length);
        // Under the fill that streams as fast as a whole wave, the units are still split: 256 on 528
        // slots is 48 % (the test above), 200 on 396 is 51 %.
        assertTrue(decode(50, 4096, 396, fourHeads, 28).items() > 200);
    }
}
