package dev.attn4j.xpu;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.DeviceSplitPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/**
 * An xpu plan ({@link DeviceSplitPlan}): the kernels get each array's offset inside the one uploaded
 * buffer, since OpenCL buffers cannot be sliced by pointer arithmetic on the host.
 */
final class XpuPlan extends DeviceSplitPlan<XpuTensor> {
    /** The attention kernel this plan launches. */
    final String kernel;

    XpuPlan(XpuBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b, split, backend::allocateDevice, XpuTensor::copyFromHost);
        this.kernel = kernel;
    }

    @Override
    public String describe() {
        return "xpu " + kernel + ": " + split.describe();
    }
}
