package dev.attn4j.cpu;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/** A cpu plan: the validated batch and its {@link WorkSplit}. */
final class CpuPlan extends AbstractPlan {
    final WorkSplit split;

    CpuPlan(CpuBackend backend, PlanRequest request, ValidatedBatch batch, WorkSplit split) {
        super(backend, request, batch);
        this.split = split;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return "cpu: " + split.describe();
    }
}
