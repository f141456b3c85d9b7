package dev.attn4j.api.support;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.ScaleGranularity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The integer codes native kernels receive for layouts, scale granularities and dtypes: the one
 * definition the Java side uses, spelled out rather than taken from {@code ordinal()}, so that
 * reordering or extending an enum cannot silently change what a kernel is told. The kernels
 * declare the same codes under the names in {@link #all()}: once for the cuda and ilu kernels
 * (cuda-driver's {@code kernel_codes.cuh}) and once for OpenCL (xpu's {@code formats.cl}); the
 * {@code KernelAbiTest}s fail when a declaration disagrees or a backend declares a code again with
 * another value.
 */
public final class KernelCodes {
    private KernelCodes() {
    }

    /** {@code L_NHD = 0}, {@code L_HND = 1}. */
    public static int layout(KvLayout l) {
        return switch (l) {
            case NHD -> 0;
            case HND -> 1;
        };
    }

    /** {@code G_NONE = 0} … {@code G_TOKEN_GROUP = 5}. */
    public static int granularity(ScaleGranularity.Kind k) {
        return switch (k) {
            case NONE -> 0;
            case TENSOR -> 1;
            case HEAD -> 2;
            case CHANNEL -> 3;
            case TOKEN -> 4;
            case TOKEN_GROUP -> 5;
        };
    }

    /** {@code KV_BF16 = 0} … {@code KV_E5M2 = 4}; kernels are instantiated per KV dtype under these codes. */
    public static int kv(KvDType t) {
        return switch (t) {
            case BF16 -> 0;
            case FP16 -> 1;
            case INT8 -> 2;
            case FP8_E4M3 -> 3;
            case FP8_E5M2 -> 4;
        };
    }

    /** {@code Q_BF16 = 0}, {@code Q_FP16 = 1}: the 16-bit query and output dtypes. */
    public static int query(DType t) {
        return switch (t) {
            case BF16 -> 0;
            case FP16 -> 1;
            default -> throw new IllegalArgumentException("no kernel code for query dtype " + t);
        };
    }

    /** Every code under the name the kernel sources give it, e.g. {@code L_HND -> 1}. */
    public static Map<String, Integer> all() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (KvDType t : KvDType.values()) {
            m.put("KV_" + KernelNames.kv(t).toUpperCase(java.util.Locale.ROOT), kv(t));
        }
        m.put("Q_BF16", query(DType.BF16));
        m.put("Q_FP16", query(DType.FP16));
        for (ScaleGranularity.Kind k : ScaleGranularity.Kind.values()) {
            m.put("G_" + k.name(), granularity(k));
        }
        for (KvLayout l : KvLayout.values()) {
            m.put("L_" + l.name(), layout(l));
        }
        return m;
    }
}
