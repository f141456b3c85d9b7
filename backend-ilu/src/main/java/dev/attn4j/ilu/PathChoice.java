package dev.attn4j.ilu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;

/**
 * What a plan runs, chosen once per plan and reported by {@link IluPlan#describe()}: the split-KV
 * decode kernel, the flash kernel straight over a 16-bit cache, the flash kernel over the fp16
 * staging the plan's referenced 8-bit blocks are converted into, or the scalar fallback, each with
 * the reason.
 *
 * @param path   which of the four
 * @param kernel the attention kernel's name
 * @param rows   packed rows (query tokens x G) per work item the kernel is given
 * @param why    why this path, in words
 */
record PathChoice(Path path, String kernel, int rows, String why) {

    enum Path {
        DECODE, FLASH, STAGED_FLASH, GENERIC;

        /** Whether plans on this path need the staging cache. */
        boolean stages() {
            return this == STAGED_FLASH;
        }
    }

    /** The property bounding one plan's staging (K plus V bytes); above it a plan takes the fallback. */
    static final String MAX_STAGING_PROPERTY = "attn4j.ilu.maxStagingBytes";
    /** Its default: 4 GiB. */
    static final long DEFAULT_MAX_STAGING_BYTES = 4L << 30;

    static long maxStagingBytes() {
        return Long.getLong(MAX_STAGING_PROPERTY, DEFAULT_MAX_STAGING_BYTES);
    }

    /**
     * Decode-shaped plans (one query token per sequence, or at most {@link IluKernels#DECODE_ROWS}
     * packed rows per item) take the decode kernel; others the flash kernel, over the cache itself
     * when it is 16-bit, else over the fp16 staging of its referenced blocks (not for TOKEN_GROUP
     * scales). Head dims without fast kernels, and scales a fast kernel cannot apply, take the
     * scalar fallback.
     */
    static PathChoice forShape(KvCacheSpec spec, DType q, int maxQLen, int group) {
        int d = spec.headDim();
        String generic = IluKernels.generic(spec.kvDtype(), q, d);
        if (!IluKernels.hasFastKernels(d)) {
            return new PathChoice(Path.GENERIC, generic, 64, "head dim " + d + " has no fast kernel (64, 128, 256)");
        }
        if (maxQLen == 1 || maxQLen * group <= IluKernels.DECODE_ROWS) {
            if (!IluKernels.decodeTakesScales(spec)) {
                return new PathChoice(Path.GENERIC, generic, 64, "TOKEN_GROUP(" + spec.granularity().groupSize()
                        + ") scales: the decode kernel needs groups of a multiple of "
                        + IluKernels.DECODE_LANE_CHANNELS + " channels");
            }
            int rows = Math.max(1, Math.min(IluKernels.DECODE_ROWS / group, maxQLen)) * group;
            return new PathChoice(Path.DECODE, IluKernels.decode(spec.kvDtype(), q, d, rows),
                    IluKernels.DECODE_ROWS, "decode-shaped: " + maxQLen + " query token(s) x G " + group);
        }
        if (!spec.kvDtype().isQuantized()) {
            return new PathChoice(Path.FLASH, IluKernels.flash(spec.kvDtype(), q, d), IluKernels.flashRows(d),
                    "prefill over the " + spec.kvDtype() + " cache as is");
        }
        if (spec.granularity().kind() == ScaleGranularity.Kind.TOKEN_GROUP) {
            return new PathChoice(Path.GENERIC, generic, 64, "TOKEN_GROUP scales change within a row: staged "
                    + "codes cannot carry them, and scaled values rounded to fp16 miss the reference's accuracy");
        }
        return new PathChoice(Path.STAGED_FLASH, IluKernels.flash(KvDType.FP16, q, d), IluKernels.flashRows(d),
                "prefill: referenced " + spec.kvDtype() + " blocks staged as fp16");
    }

    /** The fallback instead of a staged plan whose staging is above the budget. */
    PathChoice overBudget(KvCacheSpec spec, DType q, long stagingBytes, long budget) {
        return new PathChoice(Path.GENERIC, IluKernels.generic(spec.kvDtype(), q, spec.headDim()), rows,
                "staging of " + stagingBytes + " bytes would exceed " + MAX_STAGING_PROPERTY + "=" + budget);
    }
}
