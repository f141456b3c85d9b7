// Attention over the work items of a host-made WorkSplit (see dev.attn4j.api.support.WorkSplit):
// an item is (sequence, tile of query rows, KV head, KV range). Each warp owns query rows of the
// item (row x query head of the KV group); lanes hold headDim/32 channels each, dequantize their
// channels of every visible K and V row in registers (codes x scale) and keep an online softmax.
// Results go to the output (and LSE) or, for a split unit, to a partial region merged afterwards.
//
// The generic kernel: correct for every KV dtype, granularity, layout, head dim up to 256 and group
// size, in fp32 throughout. Its KV rows are re-read per query row (from L1/L2), so it is far from
// the bandwidth and tensor-core ceilings: prefill and decode use the tensor-core kernel (flash.cuh)
// wherever it applies (CudaKernels.attentionFor); this one serves the rest.
#pragma once
#include "formats.cuh"
#include "kernel_params.cuh"
#include "work_item.cuh"
#include "online_softmax.cuh"

namespace attn4j {

using attn4j_params::AttnParams;
using attn4j_common::WorkItem;

template <int KV>
__device__ __forceinline__ float kv_scale(const AttnParams& p, const float* scales, int block, int off, int head, int c) {
    switch (p.gran) {
        case G_TENSOR: return scales[0];
        case G_HEAD: return scales[head];
        case G_CHANNEL: return scales[head * p.head_dim + c];
        case G_TOKEN:
            return scales[paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, 1)];
        case G_TOKEN_GROUP: {
            int groups = p.head_dim / p.group_size;
            return scales[paged_index(p.layout, block, off, head, c / p.group_size, p.block_size, p.num_kv_heads, groups)];
        }
        default: return 1.f;
    }
}

template <int KV, int Q, int CPL>
__device__ __forceinline__ void attention_kernel(const AttnParams& p) {
    using Kv = typename KvTraits<KV>::T;
    using QT = typename QTraits<Q>::T;
    const WorkItem item(p, blockIdx.x);   // plan metadata only: read before the wait
    await_earlier_kernels();
    const int head = item.head, row0 = item.row0, lo = item.lo, hi = item.hi, part = item.part_out, pos0 = item.pos0;
    const int kv_len = item.kv_len;
    const int* blocks = item.blocks;
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int warps = blockDim.x / 32;
    const int r_total = item.rows;
    const Kv* kc = (const Kv*)p.k_cache;
    const Kv* vc = (const Kv*)p.v_cache;

    for (int qr = warp; qr < r_total; qr += warps) {
        const int i = qr / p.group;
        const int j = qr % p.group;
        const int row = row0 + i;
        const int qh = head * p.group + j;
        const int pos = pos0 + i;
        const int first = max(lo, p.window > 0 ? pos - p.window + 1 : 0);
        const int last = min(hi - 1, p.causal ? pos : kv_len - 1);
        float qv[CPL], acc[CPL];
        const QT* qp = (const QT*)p.q + ((int64_t)row * p.num_qo_heads + qh) * p.head_dim;
#pragma unroll
        for (int x = 0; x < CPL; x++) {
            int c = lane + 32 * x;
            qv[x] = c < p.head_dim ? QTraits<Q>::to_float(qp[c]) * p.sm_scale : 0.f;
            acc[x] = 0.f;
        }
        OnlineSoftmax softmax;
        for (int pidx = first; pidx <= last; pidx++) {
            const int block = blocks[pidx / p.block_size];
            const int off = pidx % p.block_size;
            const int64_t base = paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, p.head_dim);
            float dot = 0.f;
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                int c = lane + 32 * x;
                if (c < p.head_dim) {
                    float kx = KvTraits<KV>::decode(kc[base + c]);
                    if constexpr (KvTraits<KV>::quantized) kx *= kv_scale<KV>(p, p.k_scale, block, off, head, c);
                    dot += qv[x] * kx;
                }
            }
            float s = warp_sum(dot);
            float corr, e;
            softmax.push(soft_capped(p.soft_cap, s), corr, e);
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                int c = lane + 32 * x;
                float vx = 0.f;
                if (c < p.head_dim) {
                    vx = KvTraits<KV>::decode(vc[base + c]);
                    if constexpr (KvTraits<KV>::quantized) vx *= kv_scale<KV>(p, p.v_scale, block, off, head, c);
                }
                acc[x] = acc[x] * corr + e * vx;
            }
        }
        const float m = softmax.m, l = softmax.l;
        if (part >= 0) {
            float* ws = p.workspace + (int64_t)part * p.partial_floats;
            const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                int c = lane + 32 * x;
                if (c < p.head_dim) ws[qr * p.head_dim + c] = acc[x] * inv;
            }
            if (lane == 0) ws[r_total * p.head_dim + qr] = l > 0.f ? m + logf(l) : -INFINITY;
        } else {
            QT* op = (QT*)p.out + ((int64_t)row * p.num_qo_heads + qh) * p.head_dim;
            const float inv = 1.f / l;
#pragma unroll
            for (int x = 0; x < CPL; x++) {
                int c = lane + 32 * x;
                if (c < p.head_dim) op[c] = QTraits<Q>::from_float(acc[x] * inv);
            }
            if (lane == 0 && p.lse != nullptr) p.lse[(int64_t)row * p.num_qo_heads + qh] = m + logf(l);
        }
    }
}

}  // namespace attn4j
