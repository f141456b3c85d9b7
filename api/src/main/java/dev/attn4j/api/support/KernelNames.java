package dev.attn4j.api.support;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;

import java.util.Locale;

/**
 * The dtype words that native kernels' names are made of, shared by the backends that look kernels
 * up by name (cuda's attn4j.cu, xpu's attn4j.cl): bf16, fp16, int8, e4m3, e5m2.
 */
public final class KernelNames {
    private KernelNames() {
    }

    /** A KV dtype's word: bf16, fp16, int8, e4m3, e5m2. */
    public static String kv(KvDType t) {
        switch (t) {
            case FP8_E4M3: return "e4m3";
            case FP8_E5M2: return "e5m2";
            default: return t.name().toLowerCase(Locale.ROOT);
        }
    }

    /** A 16-bit query/output dtype's word: bf16, fp16. */
    public static String half(DType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    /** The append kernel for K/V of {@code input} into a cache of {@code kv}: attn4j_append_&lt;in&gt;_&lt;kv&gt;. */
    public static String append(DType input, KvDType kv) {
        return "attn4j_append_" + half(input) + "_" + kv(kv);
    }
}
