package dev.attn4j.cpu;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The plan's check for a block id repeated within a sequence keeps a bitset per planning thread
 * (RequestValidator): what one sequence or one call marks must not leak into the next, so blocks
 * shared across sequences (prefix sharing) and the same ids planned again after a rejected call
 * are accepted, and a repeat is found wherever it sits.
 */
class RepeatedBlockCheckTest {
    private static final KvCacheSpec SPEC = new KvCacheSpec(256, 4, 2, 16, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);

    private static PlanRequest decode(int[] kvLens, int[][] blocks) {
        return PlanRequest.decode(AttentionShape.of(SPEC, 4, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(kvLens, blocks));
    }

    @Test
    void sequencesMayShareBlocksAndARejectedCallLeavesNoMarks() {
        try (CpuBackend b = new CpuBackend(2, 32)) {
            int[] shared = {200, 63, 64, 0, 255};   // ids in five bitset words, two in one
            for (int round = 0; round < 3; round++) {
                try (Plan p = b.plan(decode(new int[] {20, 20, 17}, new int[][] {shared, shared, shared}))) {
                    assertEquals(3, p.request().batch().numSequences());
                }
                InvalidRequestException e = assertThrows(InvalidRequestException.class,
                        () -> b.plan(decode(new int[] {20, 20}, new int[][] {shared, {7, 64, 9, 64, 7}})));
                assertEquals("batch.sequence[1].blockIds[3]", e.field());
            }
        }
    }

    @Test
    void everyRepeatIsFoundWhereverItSits() {
        try (CpuBackend b = new CpuBackend(2, 32)) {
            int n = 64;
            for (int at = 1; at < n; at += 7) {
                int[] ids = new int[n];
                for (int j = 0; j < n; j++) {
                    ids[j] = (j * 37 + 11) % 256;   // distinct: 37 is coprime with 256
                }
                ids[at] = ids[at / 2];
                final int[] row = ids;
                InvalidRequestException e = assertThrows(InvalidRequestException.class,
                        () -> b.plan(decode(new int[] {4 * n}, new int[][] {row})));
                assertEquals("batch.sequence[0].blockIds[" + at + "]", e.field());
                assertEquals(String.valueOf(ids[at]), e.value());
            }
        }
    }
}
