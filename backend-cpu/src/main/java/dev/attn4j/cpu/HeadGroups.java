package dev.attn4j.cpu;

import dev.attn4j.api.support.WorkSplit;

import java.util.Arrays;

/**
 * The cpu kernel's unit of work: the {@link WorkSplit} items that differ only in their KV head
 * (same sequence, query rows and KV range), at most {@link #MAX_HEADS} consecutive heads per group,
 * run together so that a tile of tokens is read for all of them at once ({@link
 * CpuAttentionKernel#runGroup}). Groups are listed in the split's order of their first item
 * (longest range first).
 */
final class HeadGroups {
    /** Heads read together: a NHD token's 8 heads are 1 KiB at head dim 128 in int8 (2 KiB in bf16). */
    static final int MAX_HEADS = 8;

    private HeadGroups() {
    }

    /** The groups of {@code split}'s items, each group's items in ascending head order. */
    static int[][] of(WorkSplit split) {
        int n = split.items();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Same work apart from the head next to each other, heads ascending; then by first appearance.
        Arrays.sort(order, (a, b) -> {
            int c = Integer.compare(split.seq[a], split.seq[b]);
            c = c != 0 ? c : Integer.compare(split.qRow0[a], split.qRow0[b]);
            c = c != 0 ? c : Integer.compare(split.kvLo[a], split.kvLo[b]);
            c = c != 0 ? c : Integer.compare(split.kvHi[a], split.kvHi[b]);
            return c != 0 ? c : Integer.compare(split.kvHead[a], split.kvHead[b]);
        });
        int[][] groups = new int[n][];
        int count = 0;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && j - i < MAX_HEADS && sameWork(split, order[i], order[j])
                    && split.kvHead[order[j]] == split.kvHead[order[j - 1]] + 1) {
                j++;
            }
            int[] g = new int[j - i];
            for (int k = i; k < j; k++) {
                g[k - i] = order[k];
            }
            groups[count++] = g;
            i = j;
        }
        int[][] out = Arrays.copyOf(groups, count);
        Arrays.sort(out, (a, b) -> Integer.compare(a[0], b[0]));
        return out;
    }

    private static boolean sameWork(WorkSplit s, int a, int b) {
        return s.seq[a] == s.seq[b] && s.qRow0[a] == s.qRow0[b] && s.qRows[a] == s.qRows[b]
                && s.kvLo[a] == s.kvLo[b] && s.kvHi[a] == s.kvHi[b];
    }
}
