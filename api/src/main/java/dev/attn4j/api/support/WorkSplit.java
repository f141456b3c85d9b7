package dev.attn4j.api.support;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.PlanRequest;

import java.util.Arrays;

/**
 * A plan's schedule, computed once on the host (FlashInfer's plan step) and shared by backends.
 * The unit of work is (sequence, query tile, KV head): a tile of up to {@link #tileRows} query
 * rows times all G query heads of one KV head, so each KV row loaded is reused G x rows times
 * (GQA packing). Each unit's visible KV range (after the causal and window bounds) is cut into
 * splits when there are too few units to fill the machine (flash decoding); split results are
 * partial outputs plus LSEs in a workspace, merged afterwards.
 *
 * <p>Items of one unit are consecutive; the merges list those units that were split. Units come
 * longest visible range first (stable among equals): a GPU starts blocks in index order, so under
 * a causal mask the longest tiles start in the first wave instead of forming a tail in the last
 * (FlashAttention-2 launches causal tiles in reverse for the same reason).
 */
public final class WorkSplit {

    public final int tileRows;
    // Work items, parallel arrays.
    public final int[] seq;
    public final int[] kvHead;
    public final int[] qRow0;
    public final int[] qRows;
    public final int[] kvLo;
    public final int[] kvHi;
    /** Index of the item's partial-result region, or -1 when it writes the output directly. */
    public final int[] partial;
    /**
     * Index of the item's merge (its unit's entry in {@link #mergeFirstItem}), or -1 when its unit is
     * not split: a kernel that merges in place (the last item of a unit to finish) finds its unit's
     * partials and counter by it.
     */
    public final int[] merge;
    // Merges: units with more than one split; their items are consecutive, and so are their
    // partial regions (the first item's partial, then one more per item).
    public final int[] mergeFirstItem;
    public final int[] mergeCount;
    public final int partialCount;
    /**
     * Floats per partial region: tileRows x G x (headDim + 1), rounded up to a multiple of 4 so that
     * every region starts 16-byte aligned (the GPU merge reads partial rows 4 floats at a time).
     */
    public final int partialFloats;

    /**
     * @param targetItems    about how many items keep the machine busy (threads x 4 on cpu,
     *                       multiprocessors x a few on a GPU); 1 disables splitting
     * @param minSplitTokens the shortest KV range a split gets
     * @param rowsTimesHeads query rows x G per item: bounds per-item scratch or registers
     */
    public WorkSplit(PlanRequest r, ValidatedBatch b, int targetItems, int minSplitTokens, int rowsTimesHeads) {
        int numKvHeads = r.cacheSpec().numKvHeads();
        int g = r.numQoHeads() / numKvHeads;
        int headDim = r.cacheSpec().headDim();
        this.tileRows = Math.max(1, Math.min(rowsTimesHeads / g, b.maxQLen()));
        AttentionOptions o = r.options();
        boolean causal = o.causal();
        int window = o.slidingWindow().orElse(0);

        // First pass: units and their visible ranges.
        int units = 0;
        for (int i = 0; i < b.numSequences(); i++) {
            units += ceilDiv(b.qLen(i), tileRows) * numKvHeads;
        }
        int[] uSeq = new int[units];
        int[] uHead = new int[units];
        int[] uRow0 = new int[units];
        int[] uRows = new int[units];
        int[] uLo = new int[units];
        int[] uHi = new int[units];
        int u = 0;
        for (int i = 0; i < b.numSequences(); i++) {
            int qLen = b.qLen(i);
            int kvLen = b.kvLens()[i];
            for (int t0 = 0; t0 < qLen; t0 += tileRows) {
                int rows = Math.min(tileRows, qLen - t0);
                int posFirst = kvLen - qLen + t0;
                int posLast = posFirst + rows - 1;
                int hi = causal ? posLast + 1 : kvLen;
                int lo = window > 0 ? Math.max(0, posFirst - window + 1) : 0;
                for (int h = 0; h < numKvHeads; h++) {
                    uSeq[u] = i;
                    uHead[u] = h;
                    uRow0[u] = b.qIndptr()[i] + t0;
                    uRows[u] = rows;
                    uLo[u] = lo;
                    uHi[u] = hi;
                    u++;
                }
            }
        }
        // Longest range first, stable among equals: the order items are emitted (and launched) in.
        // (Sorted as primitive keys, length descending then index: plans are made every step.)
        long[] keys = new long[units];
        for (int x = 0; x < units; x++) {
            keys[x] = ((long) (Integer.MAX_VALUE - (uHi[x] - uLo[x])) << 32) | x;
        }
        Arrays.sort(keys);
        int[] order = new int[units];
        for (int x = 0; x < units; x++) {
            order[x] = (int) keys[x];
        }
        // Second pass: splits per unit so that there are about targetItems items.
        int perUnit = targetItems <= 1 ? 1 : Math.max(1, ceilDiv(targetItems, units));
        int[] splits = new int[units];
        int items = 0;
        int merges = 0;
        for (u = 0; u < units; u++) {
            int len = uHi[u] - uLo[u];
            splits[u] = Math.max(1, Math.min(perUnit, ceilDiv(len, minSplitTokens)));
            items += splits[u];
            if (splits[u] > 1) {
                merges++;
            }
        }
        seq = new int[items];
        kvHead = new int[items];
        qRow0 = new int[items];
        qRows = new int[items];
        kvLo = new int[items];
        kvHi = new int[items];
        partial = new int[items];
        merge = new int[items];
        mergeFirstItem = new int[merges];
        mergeCount = new int[merges];
        int it = 0;
        int p = 0;
        int m = 0;
        for (int k0 = 0; k0 < units; k0++) {
            u = order[k0];
            int s = splits[u];
            int len = uHi[u] - uLo[u];
            int chunk = ceilDiv(len, s);
            final int unitMerge = s > 1 ? m : -1;
            if (s > 1) {
                mergeFirstItem[m] = it;
                mergeCount[m] = s;
                m++;
            }
            for (int k = 0; k < s; k++) {
                seq[it] = uSeq[u];
                kvHead[it] = uHead[u];
                qRow0[it] = uRow0[u];
                qRows[it] = uRows[u];
                kvLo[it] = (int) Math.min(uHi[u], uLo[u] + (long) k * chunk);
                kvHi[it] = (int) Math.min(uHi[u], uLo[u] + (long) (k + 1) * chunk);
                partial[it] = s > 1 ? p++ : -1;
                merge[it] = unitMerge;
                it++;
            }
        }
        this.partialCount = p;
        this.partialFloats = (tileRows * g * (headDim + 1) + 3) & ~3;
    }

    /** Number of work items. */
    public int items() {
        return seq.length;
    }

    /** Bytes of partial outputs and LSEs the split needs (float32). */
    public long workspaceBytes() {
        return 4L * partialCount * partialFloats;
    }

    /** The most items one unit was split into (1: no unit was split). */
    public int mostSplits() {
        return Arrays.stream(mergeCount).max().orElse(1);
    }

    /** e.g. {@code 96 items (tile 1 rows x heads of a KV group), 32 units split up to 3 ways}. */
    public String describe() {
        int maxSplits = mostSplits();
        return items() + " items (tile " + tileRows + " rows x heads of a KV group), "
                + mergeCount.length + " units split up to " + maxSplits + " ways";
    }

    /** ceil(a / b) for a >= 0, b >= 1, without the overflow of (a + b - 1) / b near 2^31. */
    private static int ceilDiv(int a, int b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
