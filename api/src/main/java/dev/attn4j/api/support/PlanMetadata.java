package dev.attn4j.api.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plan's batch metadata and work split packed into one int32 array, the form a GPU backend
 * uploads once per plan and its kernels index: each array at a fixed offset (in ints). Kernels
 * that cannot offset pointers on the host (OpenCL buffers) take the offsets as arguments; the
 * others add them to the buffer's address.
 */
public final class PlanMetadata {
    /** Every array, in this order: batch (qIndptr, kvLens, blockIndptr, blockIds), items, merges. */
    private final int[] packed;
    public final int qIndptr;
    public final int kvLens;
    public final int blockIndptr;
    public final int blockIds;
    public final int itemSeq;
    public final int itemHead;
    public final int itemRow0;
    public final int itemRows;
    public final int itemLo;
    public final int itemHi;
    public final int itemPartial;
    public final int mergeFirst;
    public final int mergeCount;

    public PlanMetadata(ValidatedBatch b, WorkSplit split) {
        int[][] parts = {b.qIndptr(), b.kvLens(), b.blockIndptr(), b.blockIds(), split.seq, split.kvHead, split.qRow0,
            split.qRows, split.kvLo, split.kvHi, split.partial, split.mergeFirstItem, split.mergeCount};
        int[] offsets = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = total;
            total += parts[i].length;
        }
        packed = new int[Math.max(1, total)];
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, packed, offsets[i], parts[i].length);
        }
        qIndptr = offsets[0];
        kvLens = offsets[1];
        blockIndptr = offsets[2];
        blockIds = offsets[3];
        itemSeq = offsets[4];
        itemHead = offsets[5];
        itemRow0 = offsets[6];
        itemRows = offsets[7];
        itemLo = offsets[8];
        itemHi = offsets[9];
        itemPartial = offsets[10];
        mergeFirst = offsets[11];
        mergeCount = offsets[12];
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
