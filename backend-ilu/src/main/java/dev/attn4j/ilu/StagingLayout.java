package dev.attn4j.ilu;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

import java.util.Arrays;

/**
 * Which cache blocks a staged plan dequantizes, and where they go: only the blocks its work items
 * can see (a sliding window leaves older blocks out), each once even when several sequences share
 * it (a common prefix), in compact staging slots. The plan's block table is remapped to those
 * slots, so the flash kernel reads the staging exactly as it would read the cache.
 */
final class StagingLayout {
    /** The cache block each staging slot holds, in order of first use. */
    final int[] slotBlocks;
    /** Parallel to the batch's block ids: the slot of each entry, or -1 where no item sees it. */
    final int[] remapped;
    /**
     * Bytes of one side (K or V) of one slot: blockSize x numKvHeads x headDim fp16 values, plus
     * blockSize x numKvHeads float scales for a TOKEN cache (stage.cuh).
     */
    final long slotBytes;
    /** Bytes of one side's values (the TOKEN scales follow them). */
    final long valueBytes;

    private StagingLayout(int[] slotBlocks, int[] remapped, long slotBytes, long valueBytes) {
        this.slotBlocks = slotBlocks;
        this.remapped = remapped;
        this.slotBytes = slotBytes;
        this.valueBytes = valueBytes;
    }

    static StagingLayout of(ValidatedBatch b, WorkSplit s, KvCacheSpec spec) {
        int bs = spec.blockSize();
        int[] remapped = new int[b.blockIds().length];
        Arrays.fill(remapped, -1);
        int[] slotOf = new int[spec.numBlocks()];
        Arrays.fill(slotOf, -1);
        int[] slotBlocks = new int[Math.min(remapped.length, spec.numBlocks())];
        int slots = 0;
        for (int it = 0; it < s.items(); it++) {
            if (s.kvHi[it] <= s.kvLo[it]) {
                continue;
            }
            int base = b.blockIndptr()[s.seq[it]];
            for (int j = s.kvLo[it] / bs; j <= (s.kvHi[it] - 1) / bs; j++) {
                int entry = base + j;
                if (remapped[entry] >= 0) {
                    continue;
                }
                int block = b.blockIds()[entry];
                if (slotOf[block] < 0) {
                    slotOf[block] = slots;
                    slotBlocks[slots++] = block;
                }
                remapped[entry] = slotOf[block];
            }
        }
        long rows = (long) bs * spec.numKvHeads();
        boolean tokenScales = spec.granularity().kind() == ScaleGranularity.Kind.TOKEN;
        long slotBytes = 2 * rows * spec.headDim() + (tokenScales ? 4 * rows : 0);
        return new StagingLayout(Arrays.copyOf(slotBlocks, slots), remapped, slotBytes, 2 * rows * spec.headDim() * slots);
    }

    int slots() {
        return slotBlocks.length;
    }

    /** Staging bytes the plan needs: K and V of every slot. */
    long bytes() {
        return 2 * slotBytes * slots();
    }

    /** What the plan uploads for the staging pass and the flash kernel: the remapped table, then the slots' blocks. */
    int[] deviceTable() {
        int[] t = Arrays.copyOf(remapped, remapped.length + slotBlocks.length);
        System.arraycopy(slotBlocks, 0, t, remapped.length, slotBlocks.length);
        return t;
    }
}
