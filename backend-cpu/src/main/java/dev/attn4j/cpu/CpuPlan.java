package dev.attn4j.cpu;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.ValidatedBatch;

/** A cpu plan: the validated batch and its {@link CpuWorkSplit}. */
final class CpuPlan extends AbstractPlan {
    final CpuWorkSplit split;

    CpuPlan(CpuBackend backend, PlanRequest request, ValidatedBatch batch, CpuWorkSplit split) {
        super(backend, request, batch);
        this.split = split;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return split.describe();
    }
}
