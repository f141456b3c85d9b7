package dev.attn4j.api;

import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan's schedule: every (query row, KV head, visible KV token) is covered exactly once, the
 * items of a split unit are consecutive and listed by its merge, and units come longest visible
 * range first (a GPU launches items in order, so a causal prefill's longest tiles must not be last).
 */
class WorkSplitTest {

    private static final int BLOCK = 16;

    @ParameterizedTest(name = "causal={0} window={1} targetItems={2}")
    @CsvSource({"true, 0, 1", "true, 0, 64", "false, 0, 64", "true, 24, 64", "true, 0, 1000"})
    void coversEveryRowOnceLongestFirst(boolean causal, int window, int targetItems) {
        int[] qLens = {100, 30, 1};
        int[] kvLens = {100, 50, 40};
        int kvHeads = 2;
        int group = 3;
        WorkSplit s = new WorkSplit(request(qLens, kvLens, kvHeads, group, causal, window), validated(qLens, kvLens),
                targetItems, 8, 16 * group);

        // Coverage: count[seq][head][query token][kv token] == 1 exactly where the mask shows it.
        int[][][][] count = new int[qLens.length][kvHeads][][];
        for (int i = 0; i < qLens.length; i++)
            for (int h = 0; h < kvHeads; h++) count[i][h] = new int[qLens[i]][kvLens[i]];
        int[] qStart = {0, 100, 130};
        for (int it = 0; it < s.items(); it++) {
            int i = s.seq[it];
            for (int r = s.qRow0[it] - qStart[i]; r < s.qRow0[it] - qStart[i] + s.qRows[it]; r++)
                for (int t = s.kvLo[it]; t < s.kvHi[it]; t++) {
                    int pos = kvLens[i] - qLens[i] + r;
                    if (visible(t, pos, causal, window)) count[i][s.kvHead[it]][r][t]++;
                }
        }
        for (int i = 0; i < qLens.length; i++)
            for (int h = 0; h < kvHeads; h++)
                for (int r = 0; r < qLens[i]; r++)
                    for (int t = 0; t < kvLens[i]; t++) {
                        int pos = kvLens[i] - qLens[i] + r;
                        assertEquals(visible(t, pos, causal, window) ? 1 : 0, count[i][h][r][t],
                                "seq " + i + " head " + h + " row " + r + " token " + t);
                    }

        // Units (runs of items with the same seq, head, row0) in non-increasing order of visible range;
        // a split unit's items are exactly the run its merge names.
        int prevLen = Integer.MAX_VALUE;
        int merge = 0;
        int mostItems = 1;   // the most items of one unit, counted from the runs
        for (int it = 0; it < s.items(); ) {
            int end = it + 1;
            while (end < s.items() && s.seq[end] == s.seq[it] && s.kvHead[end] == s.kvHead[it] && s.qRow0[end] == s.qRow0[it]) {
                end++;
            }
            int len = s.kvHi[end - 1] - s.kvLo[it];
            assertTrue(len <= prevLen, "unit at item " + it + " (range " + len + ") after a shorter one (" + prevLen + ")");
            prevLen = len;
            mostItems = Math.max(mostItems, end - it);
            if (end - it > 1) {
                assertEquals(it, s.mergeFirstItem[merge]);
                assertEquals(end - it, s.mergeCount[merge]);
                merge++;
                final int first = it;
                assertTrue(IntStream.range(first, end).allMatch(k -> s.partial[k] >= 0), "split items write partials");
                // In-place merges find the unit's partials from its first item's, one per item after it.
                assertTrue(IntStream.range(first, end).allMatch(k -> s.partial[k] == s.partial[first] + (k - first)),
                        "a unit's partials are consecutive");
                final int unitMerge = merge - 1;
                assertTrue(IntStream.range(first, end).allMatch(k -> s.merge[k] == unitMerge), "split items name their merge");
            } else {
                assertEquals(-1, s.partial[it], "an unsplit item writes the output");
                assertEquals(-1, s.merge[it], "an unsplit item has no merge");
            }
            it = end;
        }
        assertEquals(s.mergeFirstItem.length, merge);
        assertEquals(mostItems, s.mostSplits(), "the most items of one unit");
    }

    /** A decode over 2^31-1 cached tokens splits without int overflow: the splits tile [0, kvLen) exactly. */
    @org.junit.jupiter.api.Test
    void aDecodeOverTheLongestCacheSplitsWithoutOverflow() {
        int kvLen = Integer.MAX_VALUE;
        KvCacheSpec spec = new KvCacheSpec(1, kvLen, 1, 8, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD);
        PlanRequest r = PlanRequest.decode(AttentionShape.of(spec, 1, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {kvLen}, new int[][] {{0}}));
        ValidatedBatch b = new ValidatedBatch(new int[] {0, 1}, new int[] {kvLen}, new int[] {0, 1}, new int[] {0},
                1, kvLen, null);
        WorkSplit s = new WorkSplit(r, b, 7, 256, 64);
        assertEquals(7, s.items());
        long covered = 0;
        for (int it = 0; it < s.items(); it++) {
            assertTrue(s.kvLo[it] >= 0 && s.kvHi[it] >= s.kvLo[it], "item " + it + ": " + s.kvLo[it] + ".." + s.kvHi[it]);
            assertEquals(it == 0 ? 0 : s.kvHi[it - 1], s.kvLo[it], "splits are consecutive");
            covered += s.kvHi[it] - s.kvLo[it];
        }
        assertEquals(kvLen, covered);
        assertTrue(s.workspaceBytes() > 0);
    }

    private static boolean visible(int t, int pos, boolean causal, int window) {
        return (!causal || t <= pos) && (window <= 0 || t > pos - window);
    }

    private static PlanRequest request(int[] qLens, int[] kvLens, int kvHeads, int group, boolean causal, int window) {
        int[][] blockIds = new int[qLens.length][];
        int next = 0;
        for (int i = 0; i < qLens.length; i++) {
            blockIds[i] = new int[(kvLens[i] + BLOCK - 1) / BLOCK];
            for (int j = 0; j < blockIds[i].length; j++) blockIds[i][j] = next++;
        }
        KvCacheSpec spec = new KvCacheSpec(next, BLOCK, kvHeads, 64, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD);
        AttentionOptions.Builder o = AttentionOptions.builder().causal(causal);
        if (window > 0) o.slidingWindow(window);
        return PlanRequest.prefill(AttentionShape.of(spec, kvHeads * group, DType.BF16, o.build()), BatchLayout.of(qLens, kvLens, blockIds));
    }

    /** What RequestValidator.validatePlan makes of such a batch (written out: no backend needed). */
    private static ValidatedBatch validated(int[] qLens, int[] kvLens) {
        int n = qLens.length;
        int[] qIndptr = new int[n + 1];
        int[] blockIndptr = new int[n + 1];
        for (int i = 0; i < n; i++) {
            qIndptr[i + 1] = qIndptr[i] + qLens[i];
            blockIndptr[i + 1] = blockIndptr[i] + (kvLens[i] + BLOCK - 1) / BLOCK;
        }
        int[] blockIds = IntStream.range(0, blockIndptr[n]).toArray();
        return new ValidatedBatch(qIndptr, kvLens, blockIndptr, blockIds,
                IntStream.of(qLens).max().orElse(0), IntStream.of(kvLens).max().orElse(0), null);
    }
}
