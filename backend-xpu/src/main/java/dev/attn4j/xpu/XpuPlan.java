package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.PlanMetadata;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * An xpu plan: the validated batch and its {@link WorkSplit}, uploaded once as one int32 buffer
 * ({@link PlanMetadata}: the kernels get each array's offset, since OpenCL buffers cannot be sliced
 * by pointer arithmetic on the host) plus a float workspace for split partials, reused by every
 * layer the plan runs.
 */
final class XpuPlan extends AbstractPlan {
    final WorkSplit split;
    /** The attention kernel this plan launches. */
    final String kernel;
    /** Offsets of the arrays inside {@link #metadata}. */
    final PlanMetadata layout;
    final XpuTensor metadata;
    /** Null when no unit is split. */
    final XpuTensor workspace;

    XpuPlan(XpuBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b);
        this.split = split;
        this.kernel = kernel;
        this.layout = new PlanMetadata(b, split);
        XpuTensor meta = backend.allocateDevice(DType.INT32, layout.length());
        XpuTensor ws = null;
        try {
            meta.copyFromHost(layout.toBytes());
            ws = split.workspaceBytes() > 0
                    ? backend.allocateDevice(DType.FP32, Math.toIntExact(split.workspaceBytes() / 4)) : null;
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
