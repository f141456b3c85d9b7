package dev.attn4j.cuda;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import dev.attn4j.cudadriver.DriverPlan;

/** A cuda plan: the uploaded split ({@link DriverPlan}) and the attention kernel chosen for it. */
final class CudaPlan extends DriverPlan {
    /** The attention kernel this plan launches (see {@link CudaKernels#attentionFor}). */
    final String kernel;
    /** The generic kernel, for queries or outputs not aligned to 16 bytes (wrapped memory). */
    final String fallbackKernel;
    /** Whether {@link #kernel} merges this plan's split units in place ({@link CudaKernels#mergesInPlace}). */
    final boolean mergeInPlace;
    /** Whether {@link #kernel}'s items claim their unit's last stages ({@link CudaKernels#claimsStages}). */
    final boolean claimStages;

    CudaPlan(CudaBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, String kernel) {
        super(backend, request, b, split);
        this.kernel = kernel;
        this.fallbackKernel = CudaKernels.genericFor(request.cacheSpec(), request.queryDtype());
        this.mergeInPlace = CudaKernels.mergesInPlace(kernel, split, itemRows, request.cacheSpec().headDim());
        this.claimStages = CudaKernels.claimsStages(kernel, split);
    }

    @Override
    public String describe() {
        return "cuda " + kernel + ": " + split.describe() + (mergeInPlace ? ", merged in place" : "")
                + (claimStages ? ", stages claimed" : "");
    }
}
