package dev.attn4j.api.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plan's batch metadata and work split packed into one int32 array, the form a GPU backend
 * uploads once per plan and its kernels index: each array at a fixed offset (in ints). Kernels
 * that cannot offset pointers on the host (OpenCL buffers) take the offsets as arguments; the
 * others add them to the buffer's address. Arrays, in this order: batch (qIndptr, kvLens,
 * blockIndptr, blockIds), work items (seq, head, row0, rows, lo, hi, partial, merge), merges (first,
 * count, ticket, claim). The tickets are zeros: one counter per merge, for kernels that merge in place
 * (each item of a split unit counts itself in when its partial is written; the last merges and
 * puts the counter back to zero, so the uploaded zeros hold for every launch of the plan). The
 * claims are zeros too: one counter per merge, for kernels whose items take a split unit's last
 * stages as they free up (cuda's decode kernel, claimed_stages.cuh); whoever merges the unit puts it
 * back to zero.
 */
public record PlanMetadata(int[] packed, int qIndptr, int kvLens, int blockIndptr, int blockIds, int itemSeq,
                           int itemHead, int itemRow0, int itemRows, int itemLo, int itemHi, int itemPartial,
                           int itemMerge, int mergeFirst, int mergeCount, int mergeTicket, int mergeClaim) {

    /** The arrays of a validated batch and its split, packed. */
    public static PlanMetadata of(ValidatedBatch b, WorkSplit split) {
        int[][] parts = {b.qIndptr(), b.kvLens(), b.blockIndptr(), b.blockIds(), split.seq, split.kvHead, split.qRow0,
            split.qRows, split.kvLo, split.kvHi, split.partial, split.merge, split.mergeFirstItem, split.mergeCount,
            new int[split.mergeCount.length], new int[split.mergeCount.length]};
        int[] o = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            o[i] = total;
            total += parts[i].length;
        }
        int[] packed = new int[Math.max(1, total)];
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, packed, o[i], parts[i].length);
        }
        return new PlanMetadata(packed, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9], o[10], o[11], o[12], o[13],
                o[14], o[15]);
    }

    /** Ints in the packed array (at least 1, so an upload is never empty). */
    public int length() {
        return packed.length;
    }

    /** The packed array as little-endian bytes, ready to upload. */
    public ByteBuffer toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(packed.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asIntBuffer().put(packed);
        return buf;
    }
}
