package dev.attn4j.cuda;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.PlanMetadata;
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
    /** Offsets (in ints) of each array inside {@link #metadata}. */
    final PlanMetadata layout;
    final CudaTensor metadata;
    final CudaTensor workspace;

    CudaPlan(CudaBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b);
        this.split = split;
        this.kernel = kernel;
        this.fallbackKernel = CudaKernels.genericFor(request.cacheSpec(), request.queryDtype());
        this.layout = new PlanMetadata(b, split);
        CudaTensor meta = backend.allocate(dev.attn4j.api.DType.INT32, layout.length());
        CudaTensor ws = null;
        try {
            meta.copyFromHost(layout.toBytes());
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
