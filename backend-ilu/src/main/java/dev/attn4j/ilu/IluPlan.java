package dev.attn4j.ilu;

import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import dev.attn4j.cudadriver.DriverPlan;
import dev.attn4j.cudadriver.DriverTensor;

/**
 * An ilu plan: the split and metadata every GPU plan has ({@link DriverPlan}), the kernel path it
 * chose ({@link PathChoice}), and for a staged plan its {@link StagingLayout} with the remapped
 * block table uploaded. {@link #workspaceBytes()} counts the staging a staged plan needs; the
 * staging itself belongs to the backend and is shared by all plans.
 */
final class IluPlan extends DriverPlan {
    final PathChoice choice;
    /** Null unless the plan stages. */
    final StagingLayout staging;
    /** The remapped block table, then the slots' blocks ({@link StagingLayout#deviceTable()}); null unless staging. */
    final DriverTensor stageTable;

    IluPlan(IluBackend backend, PlanRequest request, ValidatedBatch b, WorkSplit split, PathChoice choice,
            StagingLayout staging) {
        super(backend, request, b, split);
        this.choice = choice;
        this.staging = staging;
        DriverTensor table = null;
        if (staging != null) {
            try {
                int[] t = staging.deviceTable();
                table = uploadInts(backend, t);
            } catch (RuntimeException e) {
                if (table != null) {
                    table.close();
                }
                super.release();
                throw e;
            }
        }
        this.stageTable = table;
    }

    /** Device address of the remapped block table. */
    long remappedTable() {
        return stageTable.ptr().address();
    }

    /** Device address of the slots' cache blocks. */
    long slotBlocks() {
        return stageTable.ptr().address() + 4L * staging.remapped.length;
    }

    @Override
    public long workspaceBytes() {
        return super.workspaceBytes() + (staging == null ? 0 : staging.bytes());
    }

    @Override
    public String describe() {
        String stage = staging == null ? ""
                : ", staging " + staging.slots() + " referenced blocks = " + staging.bytes() + " bytes";
        return "ilu " + choice.path() + " " + choice.kernel() + " (" + choice.why() + stage + "): " + split.describe();
    }

    @Override
    protected void release() {
        if (stageTable != null) {
            stageTable.close();
        }
        super.release();
    }
}
