package dev.attn4j.cudadriver;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * Sizes a plan's {@link WorkSplit} to the device's waves: {@code slots} blocks run at once, and a
 * last wave that is mostly empty wastes its share of the run (decode items are all about equally
 * long). Shared by the GPU backends that launch one block per work item.
 */
public final class WaveSplit {
    /** The shortest KV range a split gets: below it the merge costs more than the split gains. */
    public static final int MIN_SPLIT_TOKENS = 256;

    private WaveSplit() {
    }

    /**
     * The split whose items fill whole waves best: tries no split at all, then 1 to 4 waves' worth
     * of items, and keeps the first clearly better fill. No split comes first because, at an equal
     * fill, it has the fewest items and no merge (512 decode units on 528 slots fill one wave
     * 97 % full; asking for 528 items would split every unit in two, for the same fill, plus a merge).
     *
     * @param slots          blocks resident at once on the whole device (SMs x blocks per SM)
     * @param rowsTimesHeads query rows x G per item (the kernel's row capacity)
     */
    public static WorkSplit forWaves(PlanRequest request, ValidatedBatch batch, int slots, int rowsTimesHeads) {
        WorkSplit best = null;
        double bestFill = -1;
        for (int waves = 0; waves <= 4; waves++) {
            WorkSplit s = new WorkSplit(request, batch, waves == 0 ? 1 : slots * waves, MIN_SPLIT_TOKENS, rowsTimesHeads);
            double w = s.items() / (double) slots;
            double fill = w / Math.ceil(w);
            if (fill > bestFill + 0.02) {
                best = s;
                bestFill = fill;
            }
        }
        return best;
    }
}
