package dev.attn4j.cpu;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.AbstractPlan;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;

/** A cpu plan: the validated batch, its {@link WorkSplit} and the loops that will run it. */
final class CpuPlan extends AbstractPlan {
    final WorkSplit split;
    /** The split's items by {@link HeadGroups}: what the kernel runs, one group per task. */
    final int[][] groups;
    private final String loops;

    CpuPlan(CpuBackend backend, PlanRequest request, ValidatedBatch batch, WorkSplit split, String loops) {
        super(backend, request, batch);
        this.split = split;
        this.groups = HeadGroups.of(split);
        this.loops = loops;
    }

    @Override
    public long workspaceBytes() {
        return split.workspaceBytes();
    }

    @Override
    public String describe() {
        return "cpu " + loops + ": " + split.describe() + ", run in " + groups.length + " groups of KV heads";
    }
}
