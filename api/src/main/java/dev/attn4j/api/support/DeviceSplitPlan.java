package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A device backend's plan: the validated batch and its {@link WorkSplit}, uploaded once as one
 * int32 buffer ({@link PlanMetadata}: batch arrays, work items, merges, each at an offset) plus a
 * float workspace for split partials, reused by every layer the plan runs. The cuda-driver
 * backends and xpu subclass it for what they choose per plan (kernels, staging).
 *
 * @param <T> the backend's tensor type
 */
public abstract class DeviceSplitPlan<T extends Tensor> extends AbstractPlan {
    public final WorkSplit split;
    /** Where each array sits inside {@link #metadata} (in ints). */
    public final PlanMetadata offsets;
    public final T metadata;
    /** The split partials, or null when no item is split. */
    public final T workspace;

    /**
     * Allocates the metadata and the workspace with {@code allocate} (dtype, elements) and uploads
     * the batch's arrays with {@code upload} (a backend that queues uploads asynchronously passes its
     * own; otherwise {@link Tensor#copyFromHost}); nothing is left allocated when this throws.
     */
    protected DeviceSplitPlan(AttentionBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split,
                              BiFunction<DType, Integer, T> allocate, BiConsumer<T, ByteBuffer> upload) {
        super(backend, request, b);
        this.split = split;
        this.offsets = PlanMetadata.of(b, split);
        T meta = allocate.apply(DType.INT32, offsets.length());
        T ws = null;
        try {
            upload.accept(meta, offsets.toBytes());
            ws = split.workspaceBytes() > 0 ? allocate.apply(DType.FP32, Math.toIntExact(split.workspaceBytes() / 4)) : null;
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
