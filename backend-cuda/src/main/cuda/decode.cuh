// Split-KV decode, GQA-packed (flash decoding as in FlashInfer's decode.cuh, written for attn4j's
// paged formats). One CTA per work item (sequence, KV head, KV split) of a host-made WorkSplit; all
// query heads of the KV group are served from one read of each K/V byte.
//
// Thread mapping: a "row group" of T = HEAD_DIM / VEC threads reads one token's K (or V) row with
// one 16-byte load per thread (VEC = 16 / sizeof(element)), dequantizes it in registers (codes x
// the token's or channel's scale) and scores it against up to GB query heads held in registers.
// Each row group keeps its own online-softmax state over the tokens it visits; states are merged
// across the row groups of a warp with shuffles, then across the four warps in shared memory.
// Groups larger than GB are served in chunks of GB heads (the chunk's K/V re-reads hit L1/L2).
#pragma once
#include "attention.cuh"

namespace attn4j {

template <int KV>
struct Vec16 {
    static constexpr int N = 16 / sizeof(typename KvTraits<KV>::T);
};

// Multiplies a thread's VEC decoded values by their scales (TENSOR and HEAD: the preloaded s0;
// CHANNEL: the head's channel scales, re-read from L1 rather than pinned in registers).
template <int KV>
__device__ __forceinline__ void apply_scale(const AttnParams& p, const float* scales, int block, int off, int head,
                                            int c0, float s0, float* x) {
    constexpr int N = Vec16<KV>::N;
    if constexpr (KvTraits<KV>::quantized) {
        if (p.gran == G_CHANNEL) {
            const float* cs = scales + head * p.head_dim + c0;
#pragma unroll
            for (int i = 0; i < N; i++) x[i] *= __ldg(cs + i);
        } else if (p.gran == G_TOKEN_GROUP) {
            const int groups = p.head_dim / p.group_size;
            const int64_t base = paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, groups);
            float s = 0.f;
#pragma unroll
            for (int i = 0; i < N; i++) {
                if (i == 0 || (c0 + i) % p.group_size == 0) s = scales[base + (c0 + i) / p.group_size];
                x[i] *= s;
            }
        } else {
            const float s = p.gran == G_TOKEN
                    ? scales[paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, 1)] : s0;
#pragma unroll
            for (int i = 0; i < N; i++) x[i] *= s;
        }
    }
}

// The token-independent scale of TENSOR and HEAD caches (1 otherwise).
template <int KV>
__device__ __forceinline__ float preload_scale(const AttnParams& p, const float* scales, int head) {
    if constexpr (KvTraits<KV>::quantized) {
        if (p.gran == G_TENSOR) return scales[0];
        if (p.gran == G_HEAD) return scales[head];
    }
    return 1.f;
}

// Decodes VEC elements from their raw 16 bytes.
template <int KV>
__device__ __forceinline__ void decode16(const uint4& raw, float* dst) {
    using T = typename KvTraits<KV>::T;
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < Vec16<KV>::N; i++) dst[i] = KvTraits<KV>::decode(e[i]);
}

// The per-token scale of a TOKEN cache (1 otherwise: other granularities are applied by apply_scale).
__device__ __forceinline__ float token_scale(const AttnParams& p, const float* scales, int block, int off, int head) {
    return scales[paged_index(p.layout, block, off, head, 0, p.block_size, p.num_kv_heads, 1)];
}

template <int KV, int Q, int HEAD_DIM>
__device__ __forceinline__ void decode_kernel(const AttnParams& p) {
    using Kv = typename KvTraits<KV>::T;
    using QT = typename QTraits<Q>::T;
    constexpr int VEC = Vec16<KV>::N;
    constexpr int T = HEAD_DIM / VEC;            // threads per token row
    constexpr int ROWS_PER_WARP = 32 / T;
    constexpr int WARPS = 4;
    constexpr int U = sizeof(Kv) == 1 ? 2 : 4;   // tokens per row group per step: 2U loads in flight
    constexpr int STEP = ROWS_PER_WARP * WARPS * U;
    constexpr int GB = sizeof(Kv) == 1 ? 4 : 8;  // query heads per pass (register budget)
    constexpr float LOG2E = 1.4426950408889634f;

    __shared__ float sm_m[WARPS][GB];
    __shared__ float sm_l[WARPS][GB];
    __shared__ float sm_acc[WARPS][GB][HEAD_DIM];

    const int it = blockIdx.x;
    const int seq = p.item_seq[it];
    const int head = p.item_head[it];
    const int row = p.item_row0[it];
    const int lo = p.item_lo[it];
    const int hi = p.item_hi[it];
    const int part = p.item_partial[it];
    const int* blocks = p.block_ids + p.block_indptr[seq];
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int rg = lane / T;                     // row group within the warp
    const int c0 = (lane % T) * VEC;             // this thread's channels
    const Kv* kc = (const Kv*)p.k_cache;
    const Kv* vc = (const Kv*)p.v_cache;
    const bool per_token = KvTraits<KV>::quantized && p.gran == G_TOKEN;
    const bool per_group = KvTraits<KV>::quantized && p.gran == G_TOKEN_GROUP;

    const float kscale0 = preload_scale<KV>(p, p.k_scale, head);
    const float vscale0 = preload_scale<KV>(p, p.v_scale, head);

    for (int g0 = 0; g0 < p.group; g0 += GB) {
        const int gn = min(GB, p.group - g0);
        float q[GB][VEC], acc[GB][VEC], m[GB], l[GB];
#pragma unroll
        for (int g = 0; g < GB; g++) {
            m[g] = -INFINITY;
            l[g] = 0.f;
            const QT* qp = (const QT*)p.q + ((int64_t)row * p.num_qo_heads + head * p.group + g0 + min(g, gn - 1)) * HEAD_DIM + c0;
#pragma unroll
            for (int i = 0; i < VEC; i++) {
                q[g][i] = QTraits<Q>::to_float(qp[i]) * (p.sm_scale * LOG2E);
                acc[g][i] = 0.f;
            }
        }
        const float cap = p.soft_cap * LOG2E;    // logits are kept in log2 units
        for (int t0 = lo; t0 < hi; t0 += STEP) {
            uint4 kr[U], vr[U];
            int blk[U], off[U];
            float ks[U], vs[U];
            bool valid[U];
            // Issue every load of the step before using any.
#pragma unroll
            for (int u = 0; u < U; u++) {
                const int t = t0 + (u * WARPS + warp) * ROWS_PER_WARP + rg;
                valid[u] = t < hi;
                blk[u] = valid[u] ? blocks[t / p.block_size] : 0;
                off[u] = t % p.block_size;
                ks[u] = 1.f;
                vs[u] = 1.f;
                if (valid[u]) {
                    const int64_t base = paged_index(p.layout, blk[u], off[u], head, 0, p.block_size, p.num_kv_heads, HEAD_DIM) + c0;
                    kr[u] = *reinterpret_cast<const uint4*>(kc + base);
                    vr[u] = *reinterpret_cast<const uint4*>(vc + base);
                    if (per_token) {
                        ks[u] = token_scale(p, p.k_scale, blk[u], off[u], head);
                        vs[u] = token_scale(p, p.v_scale, blk[u], off[u], head);
                    }
                } else {
                    kr[u] = make_uint4(0, 0, 0, 0);
                    vr[u] = make_uint4(0, 0, 0, 0);
                }
            }
            float s[U][GB];
#pragma unroll
            for (int u = 0; u < U; u++) {
                float kx[VEC];
                decode16<KV>(kr[u], kx);
                if (per_token) {
#pragma unroll
                    for (int i = 0; i < VEC; i++) kx[i] *= ks[u];
                } else if (per_group) {
                    apply_scale<KV>(p, p.k_scale, blk[u], off[u], head, c0, kscale0, kx);
                } else if constexpr (KvTraits<KV>::quantized) {
                    apply_scale<KV>(p, p.k_scale, blk[u], off[u], head, c0, kscale0, kx);
                }
#pragma unroll
                for (int g = 0; g < GB; g++) {
                    float dot = 0.f;
#pragma unroll
                    for (int i = 0; i < VEC; i++) dot += q[g][i] * kx[i];
#pragma unroll
                    for (int o = T / 2; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
                    if (p.soft_cap > 0.f) dot = cap * tanhf(dot / cap);
                    s[u][g] = valid[u] ? dot : -INFINITY;
                }
            }
            float e[U][GB];
#pragma unroll
            for (int g = 0; g < GB; g++) {
                float mt = s[0][g];
#pragma unroll
                for (int u = 1; u < U; u++) mt = fmaxf(mt, s[u][g]);
                const float m_new = fmaxf(m[g], mt);
                const float corr = m_new == -INFINITY ? 1.f : exp2f(m[g] - m_new);
                float sum = 0.f;
#pragma unroll
                for (int u = 0; u < U; u++) {
                    e[u][g] = m_new == -INFINITY ? 0.f : exp2f(s[u][g] - m_new);
                    sum += e[u][g];
                }
                l[g] = l[g] * corr + sum;
                m[g] = m_new;
#pragma unroll
                for (int i = 0; i < VEC; i++) acc[g][i] *= corr;
            }
#pragma unroll
            for (int u = 0; u < U; u++) {
                float vx[VEC];
                decode16<KV>(vr[u], vx);
                if (per_token) {
#pragma unroll
                    for (int i = 0; i < VEC; i++) vx[i] *= vs[u];
                } else if constexpr (KvTraits<KV>::quantized) {
                    apply_scale<KV>(p, p.v_scale, blk[u], off[u], head, c0, vscale0, vx);
                }
#pragma unroll
                for (int g = 0; g < GB; g++) {
#pragma unroll
                    for (int i = 0; i < VEC; i++) acc[g][i] += e[u][g] * vx[i];
                }
            }
        }
        // Merge the row groups of this warp (lanes with the same channels, T apart).
#pragma unroll
        for (int g = 0; g < GB; g++) {
#pragma unroll
            for (int o = T; o < 32; o <<= 1) {
                const float mo = __shfl_xor_sync(0xffffffffu, m[g], o);
                const float lo_ = __shfl_xor_sync(0xffffffffu, l[g], o);
                const float mx = fmaxf(m[g], mo);
                const float a = mx == -INFINITY ? 0.f : exp2f(m[g] - mx);
                const float b = mx == -INFINITY ? 0.f : exp2f(mo - mx);
                l[g] = l[g] * a + lo_ * b;
#pragma unroll
                for (int i = 0; i < VEC; i++) {
                    const float ao = __shfl_xor_sync(0xffffffffu, acc[g][i], o);
                    acc[g][i] = acc[g][i] * a + ao * b;
                }
                m[g] = mx;
            }
        }
        // Then the four warps, through shared memory.
        if (rg == 0) {
#pragma unroll
            for (int g = 0; g < GB; g++) {
                if (lane == 0) {
                    sm_m[warp][g] = m[g];
                    sm_l[warp][g] = l[g];
                }
#pragma unroll
                for (int i = 0; i < VEC; i++) sm_acc[warp][g][c0 + i] = acc[g][i];
            }
        }
        __syncthreads();
        for (int x = threadIdx.x; x < gn * HEAD_DIM; x += blockDim.x) {
            const int g = x / HEAD_DIM;
            const int c = x % HEAD_DIM;
            float mx = -INFINITY;
#pragma unroll
            for (int w = 0; w < WARPS; w++) mx = fmaxf(mx, sm_m[w][g]);
            float lsum = 0.f, o = 0.f;
#pragma unroll
            for (int w = 0; w < WARPS; w++) {
                const float wgt = sm_m[w][g] == -INFINITY ? 0.f : exp2f(sm_m[w][g] - mx);
                lsum += sm_l[w][g] * wgt;
                o += sm_acc[w][g][c] * wgt;
            }
            // Back from log2 units to the natural-log LSE the API promises.
            const float lse = mx / LOG2E + logf(lsum);
            const int qh = head * p.group + g0 + g;
            if (part >= 0) {
                float* ws = p.workspace + (int64_t)part * p.partial_floats;
                ws[(g0 + g) * HEAD_DIM + c] = lsum > 0.f ? o / lsum : 0.f;
                if (c == 0) ws[p.group * HEAD_DIM + g0 + g] = lsum > 0.f ? lse : -INFINITY;
            } else {
                ((QT*)p.out)[((int64_t)row * p.num_qo_heads + qh) * HEAD_DIM + c] = QTraits<Q>::from_float(o / lsum);
                if (c == 0 && p.lse != nullptr) p.lse[(int64_t)row * p.num_qo_heads + qh] = lse;
            }
        }
        __syncthreads();
    }
}

}  // namespace attn4j
