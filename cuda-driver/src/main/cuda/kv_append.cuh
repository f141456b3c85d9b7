// Append, shared by the cuda and ilu kernels: write new K and V rows into cache slots, quantizing
// as the cache says. The grid's x is the appended token, its y splits the token's (head, scale group,
// side) tasks over that many blocks; each warp (WARP lanes, whatever the device's width) takes tasks
// of its token, so a dynamic scale's absmax is one warp reduction. With one block per token, each of
// its warps walked 4 of llama3-8b's 16 tasks one after another, and the append of a decode step's 64
// tokens took 8.3 us, most of it those walks' load latency (docs/PERF.md).
// Slot -1 is a padding token and is skipped. Append is one token row per sequence and step, far
// from any bandwidth limit, so it uses the portable converters on both backends.
#pragma once
#include "grid_dependency.cuh"
#include "kernel_params.cuh"
#include "lanes.cuh"
#include "paged_rows.cuh"
#include "portable_formats.cuh"

namespace attn4j_common {

template <int IN, int KV>
__device__ __forceinline__ void append_kernel(const attn4j_params::AppendParams& p) {
    using T = typename Kv<KV>::T;
    await_earlier_kernels();   // the new rows, the slots and the cache
    const int token = blockIdx.x;
    const int slot = p.slots != nullptr ? p.slots[token] : p.inline_slots[token];
    if (slot < 0) return;
    const int block = slot / p.block_size;
    const int off = slot % p.block_size;
    const int warp = threadIdx.x / WARP;
    const int lane = threadIdx.x % WARP;
    const int warps = blockDim.x / WARP;
    const int gsize = p.gran == G_TOKEN_GROUP ? p.group_size : p.head_dim;
    const int groups = p.head_dim / gsize;
    const int tasks = p.num_kv_heads * groups * 2;
    for (int t = blockIdx.y * warps + warp; t < tasks; t += warps * gridDim.y) {
        const bool is_v = t & 1;
        const int hg = t >> 1;
        const int head = hg / groups;
        const int group = hg % groups;
        const uint16_t* src = (const uint16_t*)(is_v ? p.values : p.keys) + ((int64_t)token * p.num_kv_heads + head) * p.head_dim;
        T* dst = (T*)(is_v ? p.v_cache : p.k_cache);
        const HeadRows hr(p.layout, p.block_size, p.num_kv_heads, head);
        const int64_t base = hr.row(block, off) * p.head_dim;
        const int c0 = group * gsize;
        if constexpr (!Kv<KV>::quantized) {
            // 16-bit caches store the rows as given (validation rejects another 16-bit type).
            for (int c = c0 + lane; c < c0 + gsize; c += WARP) dst[base + c] = (T)src[c];
        } else {
            float* scales = is_v ? p.v_scale : p.k_scale;
            float s = 1.f;
            if (p.gran == G_TOKEN || p.gran == G_TOKEN_GROUP) {
                float amax = 0.f;
                for (int c = c0 + lane; c < c0 + gsize; c += WARP) {
                    const float a = fabsf(Half<IN>::to_float(src[c]));
                    if (isfinite(a)) amax = fmaxf(amax, a);  // NaN and infinities do not set the scale
                }
                amax = group_max<WARP>(amax);
                s = amax == 0.f ? 1.f : fmaxf(amax / Kv<KV>::max_code, 1.17549435e-38f);
                if (lane == 0) scales[hr.row(block, off) * groups + group] = s;
            } else if (p.gran == G_TENSOR) {
                s = scales[0];
            } else if (p.gran == G_HEAD) {
                s = scales[head];
            }
            for (int c = c0 + lane; c < c0 + gsize; c += WARP) {
                const float sc = p.gran == G_CHANNEL ? scales[head * p.head_dim + c] : s;
                const float r = Half<IN>::to_float(src[c]) / sc;
                dst[base + c] = Kv<KV>::encode(isnan(r) ? 0.f : r);  // NaN stores 0; infinities saturate
            }
        }
    }
}

}  // namespace attn4j_common

// The append kernels under their stable names, attn4j_append_<in>_<kv> (in: bf16|fp16; kv:
// bf16|fp16|int8|e4m3|e5m2), for a backend's one translation unit to instantiate.
#define ATTN4J_APPEND(IN, INNAME, KV, KVNAME)                                                        \
    extern "C" __global__ void __launch_bounds__(128) attn4j_append_##INNAME##_##KVNAME(attn4j_params::AppendParams p) { \
        attn4j_common::append_kernel<attn4j_common::IN, attn4j_common::KV>(p);                      \
    }
#define ATTN4J_APPEND_FROM(IN, INNAME)                                                                   \
    ATTN4J_APPEND(IN, INNAME, KV_BF16, bf16) ATTN4J_APPEND(IN, INNAME, KV_FP16, fp16)                    \
    ATTN4J_APPEND(IN, INNAME, KV_INT8, int8) ATTN4J_APPEND(IN, INNAME, KV_E4M3, e4m3) ATTN4J_APPEND(IN, INNAME, KV_E5M2, e5m2)
#define ATTN4J_APPEND_KERNELS ATTN4J_APPEND_FROM(Q_BF16, bf16) ATTN4J_APPEND_FROM(Q_FP16, fp16)
