package dev.attn4j.cudadriver;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * Sizes a plan's {@link WorkSplit} to the device's waves: {@code slots} blocks run at once, a
 * last wave that is mostly empty wastes its share of the run, and every item has a fixed cost on
 * top of its tokens. Shared by the GPU backends that launch one block per work item.
 */
public final class WaveSplit {
    /** The shortest KV range a split gets: below it the merge costs more than the split gains. */
    public static final int MIN_SPLIT_TOKENS = 256;

    private WaveSplit() {
    }

    /**
     * What an item costs beyond its tokens, in tokens: its start (queries loaded, the first stage's
     * latency with nothing else of the block in flight) and its end (the warps' states merged, the
     * row written), about the time a block takes to stream this many tokens.
     */
    static final int ITEM_OVERHEAD_TOKENS = 128;

    /**
     * The share of the slots whose blocks already read memory about as fast as a full wave: an
     * unsplit plan that fills at least this much of one wave is costed at its share of a wave, not a
     * whole one (its items are the longest and it merges nothing). Measured on an H200 (docs/PERF.md,
     * 2026-12-04): qwen2-7b's 256 bf16 units at 64 x 4096 on 396 slots (65 %) ran unsplit in 140 us
     * against 150 us as 3 pieces in two waves; 256 int8 units on 528 slots (48 %) ran unsplit 7 %
     * slower than as 2 pieces in one wave, and half a wave of one long sequence's pieces 22 %
     * slower than a whole one.
     */
    static final double SATURATING_FILL = 0.6;

    /**
     * The split that should finish first: every unit (sequence x query tile x KV head) cut into the
     * same number of pieces, 1 (no split), 2, 3, ... up to 4 waves' worth of items, each estimated
     * as waves x (longest item + {@link #ITEM_OVERHEAD_TOKENS}); the first of the cheapest wins, so
     * between equals the one with fewer, longer items and fewer merges. Counting pieces per unit,
     * not items per wave, matters when units do not divide the slots: 256 units on 528 slots run in
     * one wave as 2 pieces each, where one wave's worth of items (528) would take 3 pieces each and
     * 1.45 waves. 512 decode units on 528 slots stay whole, and so do 256 units on 396 slots (an
     * unsplit plan that fills most of a wave streams about as fast as a full one: {@link #unsplitCost}).
     *
     * @param slots          blocks resident at once on the whole device (SMs x blocks per SM)
     * @param rowsTimesHeads query rows x G per item (the kernel's row capacity)
     */
    public static WorkSplit forWaves(PlanRequest request, ValidatedBatch batch, int slots, int rowsTimesHeads) {
        WorkSplit whole = new WorkSplit(request, batch, 1, MIN_SPLIT_TOKENS, rowsTimesHeads);
        int units = whole.items();
        int[] lens = new int[units];
        for (int u = 0; u < units; u++) {
            lens[u] = whole.kvHi[u] - whole.kvLo[u];
        }
        // The candidates' costs from the units' lengths alone (WorkSplit cuts a unit of length
        // len into min(pieces, ceil(len / MIN_SPLIT_TOKENS)) ranges of ceil(len / splits) tokens).
        int bestPieces = 1;
        long bestCost = unsplitCost(units, maxLen(lens), slots);
        long previousItems = units;
        for (int pieces = 2; (long) pieces * units <= 4L * slots; pieces++) {
            long items = 0;
            int longest = 0;
            for (int len : lens) {
                int splits = Math.max(1, Math.min(pieces, ceilDiv(len, MIN_SPLIT_TOKENS)));
                items += splits;
                longest = Math.max(longest, ceilDiv(len, splits));
            }
            if (items == previousItems) {
                break;   // no unit is long enough for more pieces
            }
            previousItems = items;
            long c = cost(items, longest, slots);
            if (c < bestCost) {
                bestPieces = pieces;
                bestCost = c;
            }
        }
        return bestPieces == 1 ? whole : new WorkSplit(request, batch, bestPieces * units, MIN_SPLIT_TOKENS, rowsTimesHeads);
    }

    /**
     * The unsplit plan's cost: as {@link #cost}, but one wave filled at least {@link #SATURATING_FILL}
     * costs its share of a wave.
     */
    static long unsplitCost(int units, int longest, int slots) {
        double fill = units / (double) Math.max(1, slots);
        if (fill < SATURATING_FILL || fill >= 1) {
            return cost(units, longest, slots);
        }
        return (long) Math.ceil(fill * (longest + ITEM_OVERHEAD_TOKENS));
    }

    /** Waves of {@code items} items times the longest item plus the per-item overhead, in tokens. */
    static long cost(long items, int longest, int slots) {
        long waves = (items + slots - 1) / Math.max(1, slots);
        return waves * (longest + ITEM_OVERHEAD_TOKENS);
    }

    private static int maxLen(int[] lens) {
        int m = 0;
        for (int len : lens) {
            m = Math.max(m, len);
        }
        return m;
    }

    private static int ceilDiv(int a, int b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
