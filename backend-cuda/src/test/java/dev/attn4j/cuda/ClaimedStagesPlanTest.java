package dev.attn4j.cuda;

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
import dev.attn4j.cudadriver.WaveSplit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which decode plans let their items claim their units' last stages (no GPU needed), on an H200's
 * 528 decode slots (132 SMs, 4 blocks each): one long sequence does, batches whose units split a
 * few ways do not, and the conformance suite's long-split case meant to reach claiming does, with
 * units long enough for the int8 kernels at head dims up to 128 to claim in (claimed_stages.cuh:
 * stages / items - 2 of its own per item, at least STAGES + 2 = 5).
 */
class ClaimedStagesPlanTest {
    private static final int BS = 16;
    private static final int SLOTS = 528;

    private static WorkSplit decode(int headDim, int kvHeads, int qoHeads, int... lens) {
        int n = lens.length;
        int[] qIndptr = new int[n + 1];
        int[] blockIndptr = new int[n + 1];
        int[][] rows = new int[n][];
        int total = 0;
        for (int i = 0; i < n; i++) {
            qIndptr[i + 1] = i + 1;
            rows[i] = new int[(lens[i] + BS - 1) / BS];
            for (int j = 0; j < rows[i].length; j++) {
                rows[i][j] = total + j;
            }
            total += rows[i].length;
            blockIndptr[i + 1] = total;
        }
        int[] ids = new int[total];
        for (int i = 0; i < total; i++) {
            ids[i] = i;
        }
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(total).blockSize(BS).numKvHeads(kvHeads).headDim(headDim)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
        BatchLayout layout = BatchLayout.decode(lens, rows);
        ValidatedBatch b = new ValidatedBatch(qIndptr, lens, blockIndptr, ids, 1,
                java.util.Arrays.stream(lens).max().getAsInt(), layout);
        return WaveSplit.forWaves(PlanRequest.decode(AttentionShape.of(spec, qoHeads, DType.BF16, AttentionOptions.CAUSAL),
                layout), b, SLOTS, 8);
    }

    /** Whether the int8 decode kernel of the split's head dim would claim stages in it. */
    private static boolean claims(WorkSplit s, int headDim) {
        return CudaKernels.claimsStages("attn4j_decode_int8_bf16_d" + headDim, s);
    }

    /** Whether every split unit is long enough for the int8 d128 kernel's items to claim. */
    private static boolean everyUnitLongEnough(WorkSplit s) {
        for (int m = 0; m < s.mergeCount.length; m++) {
            int first = s.mergeFirstItem[m], n = s.mergeCount[m];
            int stages = (s.kvHi[first + n - 1] - s.kvLo[first] + 63) / 64;
            if (stages / n - 2 < 5) {
                return false;
            }
        }
        return s.mergeCount.length > 0;
    }

    @Test
    void oneLongSequenceClaims() {
        WorkSplit s = decode(128, 8, 32, 131072);
        assertTrue(claims(s, 128), s.describe());
        assertTrue(everyUnitLongEnough(s), s.describe());
    }

    @Test
    void unitsSplitAFewWaysDoNot() {
        assertFalse(claims(decode(128, 8, 32, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768), 128));   // 8 items a unit
        int[] sixtyFour = new int[64];
        java.util.Arrays.fill(sixtyFour, 4096);
        assertFalse(claims(decode(128, 4, 28, sixtyFour), 128));   // qwen2-7b 64 x 4096: 2 items a unit
        assertFalse(CudaKernels.claimsStages("attn4j_flash_int8_bf16_d128", decode(128, 8, 32, 131072)));
    }

    @Test
    void theConformanceCaseMeantToClaimDoesOnALargeGpu() {
        WorkSplit s = decode(64, 8, 8, 20000, 16000);   // ConformanceSuite's long-split int8/TOKEN case
        assertTrue(claims(s, 64), s.describe());
        assertTrue(everyUnitLongEnough(s), s.describe());
    }
}
