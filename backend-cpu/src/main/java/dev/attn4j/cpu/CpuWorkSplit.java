package dev.attn4j.cpu;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ValidatedBatch;

import java.util.Arrays;

/**
 * The cpu plan's schedule. The unit of work is (sequence, query tile, KV head): a tile of up to
 * {@link #tileRows} query rows times all G query heads of one KV head, so each dequantized KV row
 * is reused G x rows times. Each unit's visible KV range (after the causal and window bounds) is
 * cut into splits when there are too few units to keep every thread busy (flash decoding); split
 * results are partial outputs plus LSEs in a workspace, merged afterwards.
 */
final class CpuWorkSplit {
    /** Query rows x heads per work item: bounds the per-item scratch. */
    static final int ROWS_TIMES_HEADS = 128;

    final int tileRows;
    // Work items, parallel arrays.
    final int[] seq;
    final int[] kvHead;
    final int[] qRow0;
    final int[] qRows;
    final int[] kvLo;
    final int[] kvHi;
    /** Index of the item's partial-result region, or -1 when it writes the output directly. */
    final int[] partial;
    // Merges: units with more than one split; their items are consecutive.
    final int[] mergeFirstItem;
    final int[] mergeCount;
    final int partialCount;
    /** Floats per partial region: tileRows x G x (headDim + 1). */
    final int partialFloats;

    CpuWorkSplit(PlanRequest r, ValidatedBatch b, int threads, int minSplitTokens) {
        int numKvHeads = r.cacheSpec().numKvHeads();
        int g = r.numQoHeads() / numKvHeads;
        int headDim = r.cacheSpec().headDim();
        this.tileRows = Math.max(1, Math.min(ROWS_TIMES_HEADS / g, b.maxQLen()));
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
        // Second pass: splits per unit so that there are about 4 items per thread.
        int wantItems = threads * 4;
        int perUnit = threads == 1 ? 1 : Math.max(1, ceilDiv(wantItems, units));
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
        mergeFirstItem = new int[merges];
        mergeCount = new int[merges];
        int it = 0;
        int p = 0;
        int m = 0;
        for (u = 0; u < units; u++) {
            int s = splits[u];
            int len = uHi[u] - uLo[u];
            int chunk = ceilDiv(len, s);
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
                kvLo[it] = uLo[u] + k * chunk;
                kvHi[it] = Math.min(uHi[u], uLo[u] + (k + 1) * chunk);
                partial[it] = s > 1 ? p++ : -1;
                it++;
            }
        }
        this.partialCount = p;
        this.partialFloats = tileRows * g * (headDim + 1);
    }

    int items() {
        return seq.length;
    }

    long workspaceBytes() {
        return 4L * partialCount * partialFloats;
    }

    String describe() {
        int maxSplits = Arrays.stream(mergeCount).max().orElse(1);
        return "cpu: " + items() + " items (tile " + tileRows + " rows x heads of a KV group), "
                + mergeCount.length + " units split up to " + maxSplits + " ways";
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
