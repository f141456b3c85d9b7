package dev.attn4j.cudadriver;

import dev.attn4j.api.DType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.PlanMetadata;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * A plan of a {@link DriverBackend}: the validated batch and its {@link WorkSplit}, uploaded once as
 * one int32 buffer (batch metadata, work items, merges) plus a float workspace for split partials,
 * reused by every layer the plan runs. Backends subclass it for what they choose per plan (kernels,
 * staging).
 */
public class SplitPlan extends AbstractPlan {
    public final WorkSplit split;
    /** Offsets (in ints) of each array inside {@link #metadata}. */
    public final PlanMetadata layout;
    public final DriverTensor metadata;
    /** The split partials, or null when no item is split. */
    public final DriverTensor workspace;

    public SplitPlan(DriverBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split) {
        super(backend, request, b);
        this.split = split;
        this.layout = new PlanMetadata(b, split);
        DriverTensor meta = backend.allocateDevice(DType.INT32, layout.length());
        DriverTensor ws = null;
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

    /** Device address of the int array at {@code offset}. */
    public long at(int offset) {
        return metadata.ptr().address() + 4L * offset;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return split.describe();
    }

    /** Frees the metadata and workspace; a subclass that holds more calls this too. */
    @Override
    protected void release() {
        metadata.close();
        if (workspace != null) {
            workspace.close();
        }
    }
}
