package dev.attn4j.cudadriver;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.DeviceSplitPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * A plan of a {@link DriverBackend} ({@link DeviceSplitPlan} on device memory): kernels receive
 * each array as a device address into the uploaded buffer ({@link #at}).
 */
public class DriverPlan extends DeviceSplitPlan<DriverTensor> {

    public DriverPlan(DriverBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split) {
        super(backend, request, b, split, backend::allocateDevice);
    }

    /** Device address of the int array at {@code offset}. */
    public long at(int offset) {
        return metadata.ptr().address() + 4L * offset;
    }
}
