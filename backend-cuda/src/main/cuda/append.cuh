// Append: write new K and V rows into cache slots, quantizing as the cache says. One thread block
// per appended token; each warp takes (head, scale group, side) tasks, so a dynamic scale's absmax
// is one warp reduction. Slot -1 is a padding token and is skipped.
#pragma once
#include "formats.cuh"
#include "kernel_params.cuh"

namespace attn4j {

using attn4j_params::AppendParams;

template <int IN, int KV>
__device__ __forceinline__ void append_kernel(const AppendParams& p) {
    using In = typename QTraits<IN>::T;
    using Kv = typename KvTraits<KV>::T;
    const int token = blockIdx.x;
    const int slot = p.slots[token];
    if (slot < 0) return;
    const int block = slot / p.block_size;
    const int off = slot % p.block_size;
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int warps = blockDim.x / 32;
    const int gsize = p.gran == G_TOKEN_GROUP ? p.group_size : p.head_dim;
    const int groups = p.head_dim / gsize;
    const int tasks = p.num_kv_heads * groups * 2;
    for (int t = warp; t < tasks; t += warps) {
        const bool is_v = t & 1;
        const int hg = t >> 1;
        const int head = hg / groups;
        const int group = hg % groups;
        const In* src = (const In*)(is_v ? p.values : p.keys) + ((int64_t)token * p.num_kv_heads + head) * p.head_dim;
        Kv* dst = (Kv*)(is_v ? p.v_cache : p.k_cache);
        const int64_t base = paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, p.head_dim);
        const int c0 = group * gsize;
        if constexpr (!KvTraits<KV>::quantized) {
            for (int c = c0 + lane; c < c0 + gsize; c += 32) dst[base + c] = *(const Kv*)&src[c];
        } else {
            float* scales = is_v ? p.v_scale : p.k_scale;
            float s = 1.f;
            if (p.gran == G_TOKEN || p.gran == G_TOKEN_GROUP) {
                float amax = 0.f;
                for (int c = c0 + lane; c < c0 + gsize; c += 32) {
                    const float a = fabsf(QTraits<IN>::to_float(src[c]));
                    if (isfinite(a)) amax = fmaxf(amax, a);  // NaN and infinities do not set the scale
                }
                amax = warp_max(amax);
                s = amax == 0.f ? 1.f : fmaxf(amax / KvTraits<KV>::max_code, 1.17549435e-38f);
                if (lane == 0) scales[paged_index(p.layout, block, off, head, group, p.block_size, p.num_kv_heads, groups)] = s;
            } else if (p.gran == G_TENSOR) {
                s = scales[0];
            } else if (p.gran == G_HEAD) {
                s = scales[head];
            }
            for (int c = c0 + lane; c < c0 + gsize; c += 32) {
                float sc = p.gran == G_CHANNEL ? scales[head * p.head_dim + c] : s;
                const float r = QTraits<IN>::to_float(src[c]) / sc;
                dst[base + c] = KvTraits<KV>::encode(isnan(r) ? 0.f : r);  // NaN stores 0; infinities saturate
            }
        }
    }
}

}  // namespace attn4j
