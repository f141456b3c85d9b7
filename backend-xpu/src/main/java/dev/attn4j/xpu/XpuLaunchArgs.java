package dev.attn4j.xpu;

import dev.attn4j.api.support.ParamLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * One launch's kernel arguments, written by name in the order the OpenCL kernel declares them
 * ({@link ParamLayout}; {@code KernelAbiTest} checks each layout against the kernel's signature):
 * an argument out of order is a programming error, never a kernel reading the wrong one.
 */
final class XpuLaunchArgs {
    /** {@code attn4j_append_*} of append.cl. */
    static final ParamLayout APPEND = ParamLayout.of("attn4j_append_",
            "keys:ptr", "values:ptr", "slots:ptr", "k_cache:ptr", "v_cache:ptr", "k_scale:ptr", "v_scale:ptr",
            "num_kv_heads:i32", "head_dim:i32", "block_size:i32", "layout:i32", "gran:i32", "group_size:i32");
    /** {@code attn4j_attention_*} of attention.cl. */
    static final ParamLayout ATTENTION = ParamLayout.of("attn4j_attention_",
            "q:ptr", "out:ptr", "lse:ptr", "has_lse:i32", "k_cache:ptr", "v_cache:ptr", "k_scale:ptr", "v_scale:ptr",
            "meta:ptr", "o_qindptr:i32", "o_kvlens:i32", "o_blockindptr:i32", "o_blockids:i32",
            "o_seq:i32", "o_head:i32", "o_row0:i32", "o_rows:i32", "o_lo:i32", "o_hi:i32", "o_partial:i32",
            "workspace:ptr", "partial_floats:i32",
            "num_qo_heads:i32", "num_kv_heads:i32", "head_dim:i32", "block_size:i32", "group:i32",
            "layout:i32", "gran:i32", "group_size:i32", "sm_scale:f32", "soft_cap:f32", "causal:i32", "window:i32");
    /** {@code attn4j_merge_*} of merge.cl. */
    static final ParamLayout MERGE = ParamLayout.of("attn4j_merge_",
            "out:ptr", "lse:ptr", "has_lse:i32", "workspace:ptr", "meta:ptr", "o_merge_first:i32",
            "o_merge_count:i32", "o_head:i32", "o_row0:i32", "o_rows:i32", "o_partial:i32", "partial_floats:i32",
            "num_qo_heads:i32", "head_dim:i32", "group:i32");

    private final ParamLayout layout;
    private final List<Object> args = new ArrayList<>();

    XpuLaunchArgs(ParamLayout layout) {
        this.layout = layout;
    }

    XpuLaunchArgs buf(String name, DeviceBuffer b) {
        layout.expect(args.size(), name, "ptr");
        args.add(b);
        return this;
    }

    XpuLaunchArgs i32(String name, int v) {
        layout.expect(args.size(), name, "i32");
        args.add(v);
        return this;
    }

    XpuLaunchArgs f32(String name, float v) {
        layout.expect(args.size(), name, "f32");
        args.add(v);
        return this;
    }

    /** The arguments, in order, as {@link DeviceRuntime#launch} takes them. */
    Object[] values() {
        layout.expectComplete(args.size());
        return args.toArray();
    }
}
