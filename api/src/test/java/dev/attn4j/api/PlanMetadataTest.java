package dev.attn4j.api;

import dev.attn4j.api.support.PlanMetadata;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import org.junit.jupiter.api.Test;

import java.nio.IntBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packed plan metadata: every array at its offset, in order, nothing else. */
class PlanMetadataTest {

    @Test
    void arraysSitAtTheirOffsets() {
        KvCacheSpec spec = new KvCacheSpec(8, 4, 2, 16, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD);
        BatchLayout batch = BatchLayout.decode(new int[] {6, 9}, new int[][] {{1, 3}, {0, 2, 5}});
        PlanRequest r = PlanRequest.decode(AttentionShape.of(spec, 4, DType.BF16, AttentionOptions.CAUSAL), batch);
        ValidatedBatch b = validated(r);
        WorkSplit split = new WorkSplit(r, b, 8, 2, 64);
        PlanMetadata m = PlanMetadata.of(b, split);
        IntBuffer ints = m.toBytes().asIntBuffer();
        assertEquals(m.length(), ints.remaining());
        assertEquals(0, m.qIndptr());
        assertEquals(b.kvLens()[1], ints.get(m.kvLens() + 1));
        assertEquals(b.blockIds()[4], ints.get(m.blockIds() + 4));
        assertEquals(split.kvHi[split.items() - 1], ints.get(m.itemHi() + split.items() - 1));
        assertTrue(split.mergeCount.length > 0, "the test's split merges");
        int last = split.items() - 1;
        assertEquals(split.merge[last], ints.get(m.itemMerge() + last));
        assertEquals(split.mergeCount[0], ints.get(m.mergeCount()));
        // The tickets, then the claims close the array, one zero per merge each (kernels that merge in
        // place count on the tickets; kernels whose items claim a unit's last stages on the claims).
        assertEquals(m.mergeTicket() + split.mergeCount.length, m.mergeClaim());
        assertEquals(m.mergeClaim() + split.mergeCount.length, m.length());
        for (int i = 0; i < split.mergeCount.length; i++) {
            assertEquals(0, ints.get(m.mergeTicket() + i));
            assertEquals(0, ints.get(m.mergeClaim() + i));
        }
    }

    /** What RequestValidator.validatePlan makes of the batch above (written out, so this test needs no backend). */
    private static ValidatedBatch validated(PlanRequest r) {
        return new ValidatedBatch(new int[] {0, 1, 2}, new int[] {6, 9}, new int[] {0, 2, 5}, new int[] {1, 3, 0, 2, 5},
                1, 9, r.batch());
    }
}
