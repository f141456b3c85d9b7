package dev.attn4j.cuda;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * A cuda plan: the validated batch and its {@link WorkSplit}, uploaded once as one int32 buffer
 * (batch metadata, work items, merges) plus a float workspace for split partials, reused by every
 * layer the plan runs.
 */
final class CudaPlan extends AbstractPlan {
    final WorkSplit split;
    /** The attention kernel this plan launches (see {@link CudaKernels#attentionFor}). */
    final String kernel;
    /** The generic kernel, for queries or outputs not aligned to 16 bytes (wrapped memory). */
    final String fallbackKernel;
    final CudaTensor metadata;
    final CudaTensor workspace;
    // Offsets (in ints) of each array inside metadata.
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

    CudaPlan(CudaBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b);
        this.split = split;
        this.kernel = kernel;
        this.fallbackKernel = CudaKernels.genericFor(request);
        int[][] parts = {b.qIndptr(), b.kvLens(), b.blockIndptr(), b.blockIds(), split.seq, split.kvHead, split.qRow0,
            split.qRows, split.kvLo, split.kvHi, split.partial, split.mergeFirstItem, split.mergeCount};
        int[] offsets = new int[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = total;
            total += parts[i].length;
        }
        int[] all = new int[Math.max(1, total)];
        for (int i = 0; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, all, offsets[i], parts[i].length);
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
        CudaTensor meta = backend.allocate(dev.attn4j.api.DType.INT32, all.length);
        CudaTensor ws = null;
        try {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(all.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            buf.asIntBuffer().put(all);
            meta.copyFromHost(buf);
            ws = split.workspaceBytes() > 0
                    ? backend.allocate(dev.attn4j.api.DType.FP32, Math.toIntExact(split.workspaceBytes() / 4)) : null;
        } catch (RuntimeException e) {
            meta.close();
            throw e;
        }
        this.metadata = meta;
        this.workspace = ws;
    }

    /** Device address of the int array at {@code offset}. */
    long at(int offset) {
        return metadata.ptr().address() + 4L * offset;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return "cuda " + kernel + ": " + split.describe();
    }

    @Override
    protected void release() {
        metadata.close();
        if (workspace != null) {
            workspace.close();
        }
    }
}
