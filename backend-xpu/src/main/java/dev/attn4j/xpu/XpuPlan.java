package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An xpu plan: the validated batch and its {@link WorkSplit}, uploaded once as one int32 buffer
 * (batch metadata, work items, merges; the kernels get each array's offset, since OpenCL buffers
 * cannot be sliced by pointer arithmetic on the host) plus a float workspace for split partials,
 * reused by every layer the plan runs.
 */
final class XpuPlan extends AbstractPlan {
    final WorkSplit split;
    /** The attention kernel this plan launches. */
    final String kernel;
    final XpuTensor metadata;
    /** Null when no unit is split. */
    final XpuTensor workspace;
    /** Offsets (in ints) of each array inside metadata, in the order the kernels take them. */
    final int qIndptr;
    final int kvLens;
    final int blockIndptr;
    final int blockIds;
    final int itemSeq;
    final int itemHead;
    final int itemRow0;
    final int itemRows;
    final int itemLo;
    final int itemHi;
    final int itemPartial;
    final int mergeFirst;
    final int mergeCount;

    XpuPlan(XpuBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b);
        this.split = split;
        this.kernel = kernel;
        int[][] parts = {b.qIndptr(), b.kvLens(), b.blockIndptr(), b.blockIds(), split.seq, split.kvHead, split.qRow0,
            split.qRows, split.kvLo, split.kvHi, split.partial, split.mergeFirstItem, split.mergeCount};
        int[] offsets = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = total;
            total += parts[i].length;
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1, total) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] part : parts) {
            for (int v : part) {
                buf.putInt(v);
            }
        }
        buf.clear();
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
        XpuTensor meta = backend.allocate(DType.INT32, Math.max(1, total));
        XpuTensor ws = null;
        try {
            meta.copyFromHost(buf);
            ws = split.workspaceBytes() > 0
                    ? backend.allocate(DType.FP32, Math.toIntExact(split.workspaceBytes() / 4)) : null;
        } catch (RuntimeException e) {
            meta.close();
            throw e;
        }
        this.metadata = meta;
        this.workspace = ws;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return "xpu " + kernel + ": " + split.describe();
    }

    @Override
    protected void release() {
        metadata.close();
        if (workspace != null) {
            workspace.close();
        }
    }
}
