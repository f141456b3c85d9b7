package dev.attn4j.cudadriver;

import dev.attn4j.api.DType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.DeviceSplitPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plan of a {@link DriverBackend} ({@link DeviceSplitPlan} on device memory): kernels receive
 * each array as a device address into the uploaded buffer ({@link #at}). Its buffers come from the
 * backend's pool and its metadata goes up asynchronously, so planning never waits for the device.
 */
public class DriverPlan extends DeviceSplitPlan<DriverTensor> {
    /** An item's packed rows: its query rows times the query heads of a KV head. */
    public final int itemRows;
    /** Channels of a row per split-merge block ({@link DriverBackend#mergeSlice}), chosen once per plan. */
    final int mergeSlice;

    public DriverPlan(DriverBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split) {
        super(backend, request, b, split, backend::planBuffer, backend::uploadAsync);
        this.itemRows = split.tileRows * (request.numQoHeads() / request.cacheSpec().numKvHeads());
        this.mergeSlice = DriverBackend.mergeSlice(request.cacheSpec().headDim(), split.mostSplits());
    }

    /**
     * A plan buffer (from the backend's pool) holding {@code ints}, uploaded asynchronously: for
     * what a subclass adds to the metadata. Closed with the plan by the subclass.
     */
    protected static DriverTensor uploadInts(DriverBackend<?> backend, int[] ints) {
        DriverTensor t = backend.planBuffer(DType.INT32, Math.max(1, ints.length));
        try {
            ByteBuffer bytes = ByteBuffer.allocate(4 * Math.max(1, ints.length)).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(ints);
            backend.uploadAsync(t, bytes);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Device address of the int array at {@code offset}. */
    public long at(int offset) {
        return metadata.ptr().address() + 4L * offset;
    }
}
