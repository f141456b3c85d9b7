// The scalar fallback: correct for every KV dtype, granularity, layout, head dim up to 256 and
// group size, in fp32 throughout. One warp per packed query row (row x query head of the KV
// group); each lane holds CPL channels (head dim / WARP, rounded up), dequantizes its channels of
// every visible K and V row and keeps an online softmax. KV rows are re-read per query row, so it is
// slow: plans use it only where the fast kernels (decode.cuh, stage.cuh + flash.cuh) do not apply,
// and say so in their description.
#pragma once
#include "online_softmax.cuh"
#include "params.cuh"

namespace ilu {

// The scale of KV element (block, off, head, channel c), for every granularity.
__device__ __forceinline__ float kv_scale(const AttnParams& p, const float* scales, const HeadRows& hr, int block,
                                          int off, int head, int c) {
    switch (p.gran) {
        case G_TENSOR: return scales[0];
        case G_HEAD: return scales[head];
        case G_CHANNEL: return scales[head * p.head_dim + c];
        case G_TOKEN: return scales[hr.row(block, off)];
        case G_TOKEN_GROUP: return scales[hr.row(block, off) * (p.head_dim / p.group_size) + c / p.group_size];
        default: return 1.f;
    }
}

template <int KV, int Q, int CPL>
__device__ __forceinline__ void generic_kernel(const AttnParams& p) {
    using T = typename Kv<KV>::T;
    const WorkItem item(p, blockIdx.x);
    const int warp = threadIdx.x / WARP;
    const int lane = threadIdx.x % WARP;
    const int warps = blockDim.x / WARP;
    const T* kc = (const T*)p.k_cache;
    const T* vc = (const T*)p.v_cache;
    const HeadRows hr(p.layout, p.block_size, p.num_kv_heads, item.head);

    for (int r = warp; r < item.rows; r += warps) {
        int first, last;
        item.bounds(p, r, first, last);
        const int qh = item.head * p.group + r % p.group;
        const uint16_t* qp = (const uint16_t*)p.q + ((int64_t)(item.row0 + r / p.group) * p.num_qo_heads + qh) * p.head_dim;
        float qv[CPL], acc[CPL];
#pragma unroll
        for (int x = 0; x < CPL; x++) {
            const int c = lane + WARP * x;
            qv[x] = c < p.head_dim ? Half<Q>::to_float(qp[c]) * p.sm_scale : 0.f;
            acc[x] = 0.f;
        }
        OnlineSoftmax softmax;
        for (int pos = first; pos <= last; pos++) {
            const int block = item.blocks[pos / p.block_size];
            const int off = pos % p.block_size;
            const int64_t base = hr.row(block, off) * p.head_dim;
            float dot = 0.f;
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                const int c = lane + WARP * x;
                if (c < p.head_dim) {
                    float k = Kv<KV>::decode(kc[base + c]);
                    if constexpr (Kv<KV>::quantized) k *= kv_scale(p, p.k_scale, hr, block, off, item.head, c);
                    dot += qv[x] * k;
                }
            }
            float s = group_sum<WARP>(dot);
            float corr, e;
            softmax.push(soft_capped(p.soft_cap, s), corr, e);
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                const int c = lane + WARP * x;
                float v = 0.f;
                if (c < p.head_dim) {
                    v = Kv<KV>::decode(vc[base + c]);
                    if constexpr (Kv<KV>::quantized) v *= kv_scale(p, p.v_scale, hr, block, off, item.head, c);
                }
                acc[x] = acc[x] * corr + e * v;
            }
        }
        const float m = softmax.m, l = softmax.l;
        const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
        for (int x = 0; x < CPL; x++) {
            const int c = lane + WARP * x;
            if (c < p.head_dim) write_out<Q>(p, item, r, c, acc[x] * inv);
        }
        if (lane == 0) write_row_lse<Q>(p, item, r, m * 1.4426950408889634f, l);
    }
}

}  // namespace ilu
