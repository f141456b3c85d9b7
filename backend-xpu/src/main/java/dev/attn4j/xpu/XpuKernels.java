package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.support.KernelNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The xpu kernels: the SPIR-V {@code build-kernels.sh} made ({@code dev/attn4j/xpu/attn4j.spv}), the
 * options both paths build with, the work-group size every kernel is written for, and the kernel
 * names as {@code src/main/opencl/attn4j.cl} instantiates them.
 */
final class XpuKernels {
    static final String SPIRV_RESOURCE = "/dev/attn4j/xpu/attn4j.spv";
    /** Quantization divides in float32 and must round like the reference (correctly rounded). */
    static final String BUILD_OPTIONS = "-cl-fp32-correctly-rounded-divide-sqrt";
    /** Work-items per work-group of every kernel: 4 sub-groups of 16 (reqd_work_group_size). */
    static final int GROUP_SIZE = 64;

    private XpuKernels() {
    }

    /** The SPIR-V module's bytes, or empty if the module was built without clang-14 / llvm-spirv-14. */
    static Optional<byte[]> spirv() {
        try (InputStream in = XpuKernels.class.getResourceAsStream(SPIRV_RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + SPIRV_RESOURCE, e);
        }
    }

    /** Channels per lane of a sub-group of 16: 1, 2, 4, 8 or 16 (head dims up to 16, 32, 64, 128, 256). */
    static int channelsPerLane(int headDim) {
        int c = 1;
        while (16 * c < headDim) {
            c *= 2;
        }
        return c;
    }

    static String attention(KvDType kv, DType q, int headDim) {
        return "attn4j_attention_" + KernelNames.kv(kv) + "_" + KernelNames.half(q) + "_c" + channelsPerLane(headDim);
    }

    static String merge(DType q) {
        return "attn4j_merge_" + KernelNames.half(q);
    }
}
