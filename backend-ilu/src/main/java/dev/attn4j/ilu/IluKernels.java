package dev.attn4j.ilu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.support.KernelNames;

/**
 * The ilu kernels' extern "C" names, as {@code src/main/cuda/attn4j_ilu.cu} declares them, and
 * the choice of kernel a plan makes ({@link PathChoice}).
 */
final class IluKernels {
    /** Threads per block of every ilu kernel (2 warps on Iluvatar, 4 on NVIDIA). */
    static final int THREADS = 128;
    /** Packed rows (query tokens x G) a decode kernel holds at once: its R is 4 or 8. */
    static final int DECODE_ROWS = 8;
    /** Channels a decode lane reads per token: TOKEN_GROUP groups must be a multiple of it. */
    static final int DECODE_LANE_CHANNELS = 8;

    private IluKernels() {
    }

    /** Whether the fast kernels (decode.cuh, flash.cuh) are instantiated for a head dim. */
    static boolean hasFastKernels(int headDim) {
        return headDim == 64 || headDim == 128 || headDim == 256;
    }

    /** Packed rows per flash block ({@code FlashShape::BR}). */
    static int flashRows(int headDim) {
        return headDim <= 128 ? 64 : 32;
    }

    static String decode(KvDType kv, DType q, int headDim, int rows) {
        return "attn4j_decode_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_d" + headDim
                + "_r" + (rows <= 4 ? 4 : 8);
    }

    /** The flash kernel over 16-bit K/V of {@code kv16} (a 16-bit cache, or the fp16 staging). */
    static String flash(KvDType kv16, DType q, int headDim) {
        return "attn4j_flash_" + KernelNames.kv(kv16) + "_" + KernelNames.half(q) + "_d" + headDim;
    }

    /** The staging pass of an 8-bit cache (into fp16). */
    static String stage(KvDType kv) {
        return "attn4j_stage_" + KernelNames.kv(kv);
    }

    /** The scalar fallback for head dims up to 64, 128 or 256. */
    static String generic(KvDType kv, DType q, int headDim) {
        int h = headDim <= 64 ? 64 : headDim <= 128 ? 128 : 256;
        return "attn4j_attention_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_h" + h;
    }

    static String merge(DType q) {
        return "attn4j_merge_" + KernelNames.half(q);
    }

    /** Whether the decode kernel takes this cache's scales (see decode.cuh). */
    static boolean decodeTakesScales(KvCacheSpec spec) {
        ScaleGranularity g = spec.granularity();
        return g.kind() != ScaleGranularity.Kind.TOKEN_GROUP || g.groupSize() % DECODE_LANE_CHANNELS == 0;
    }
}
