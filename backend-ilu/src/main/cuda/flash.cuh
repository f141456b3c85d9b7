// The 16-bit flash prefill kernel (FlashAttention-2's loop in plain CUDA C on the FP32 units):
// head dims 64, 128 and 256, over 16-bit K/V (KV16: bf16 or fp16, either query type): a 16-bit
// cache as it is, or the fp16 staging stage.cuh fills from an 8-bit cache. Staged codes come with
// their scales: TENSOR, HEAD and CHANNEL K scales fold into the queries and V scales into the
// output; TOKEN scales (staged per slot) multiply each key's scores and probabilities.
//
// One block of 128 threads per WorkSplit item, BR packed query rows (query tokens x the G heads of
// the KV head: every K/V tile loaded serves all of them) against BC-token K/V tiles. Items with
// more rows than BR are walked in BR-row chunks.
//
// Register tiling (an SGEMM's, twice): thread (rg, kg) = (tid / 16, tid % 16) holds
// - scores S for rows rg + 8i (i < RM) x keys kg + 16j (j < KM): GEMM 1 reads Q and K rows from
//   shared memory as float4 along the head dim, (RM + KM) loads per RM x KM x 4 FMAs;
// - outputs O for the same rows x dims 4(kg + 16j) ... +3 (j < D / 64): GEMM 2 reads P rows as
//   float4 along the keys and V rows as float4 along the dims.
// The 16 threads of a row group are consecutive lanes, so row maxima and sums are 16-lane
// shuffles: correct for 32- and 64-lane warps alike.
//
// Shared memory (fp32: values are converted once, when staged): Q [BR][D], K [BC][D+4] (the pad
// puts 16 consecutive K rows on distinct banks), V [BC][D]; P [BR][BC] reuses K's space once
// GEMM 1 is done. The next tile's K and V are loaded into registers during GEMM 1 and GEMM 2
// (there is no cp.async in portable CUDA C), so global latency hides behind arithmetic.
//
// Softmax: scores in log2 units (queries pre-multiplied by the softmax scale and log2 e; with a
// soft cap the cap applies first), running max per row, per-thread partial sums reduced once at
// the end.
#pragma once
#include "params.cuh"

namespace ilu {

template <int D>
struct FlashShape {
    static constexpr int THREADS = 128;
    static constexpr int BR = D <= 128 ? 64 : 32;      // packed query rows per chunk
    static constexpr int BC = D <= 128 ? 64 : 32;      // keys per tile
    static constexpr int RM = BR / 8;                  // rows per thread
    static constexpr int KM = BC / 16;                 // keys per thread
    static constexpr int DJ = D / 64;                  // float4 output chunks per thread per row
    static constexpr int KS = D + 4;                   // K row stride (floats)
    static constexpr int CHUNKS = BC * D / 8;          // 16-byte chunks of one K (or V) tile
    static constexpr int PER_THREAD = CHUNKS / THREADS;
    static constexpr int SMEM_BYTES = (BR * D + BC * KS + BC * D + 2 * BC) * 4;
    static constexpr int MIN_BLOCKS = 2;
    static_assert(BR * BC <= BC * KS, "P fits in K's space");
    static_assert(CHUNKS % THREADS == 0, "whole tiles per thread");
};

// Loads one K or V tile's 16-byte chunks (8 values each) into registers; keys past hi read as 0.
template <int D>
__device__ __forceinline__ void load_tile(const AttnParams& p, const WorkItem& item, const HeadRows& hr,
                                          const uint16_t* src, int k0, uint4* regs) {
    using F = FlashShape<D>;
#pragma unroll
    for (int n = 0; n < F::PER_THREAD; n++) {
        const int x = threadIdx.x + n * F::THREADS;
        const int key = x / (D / 8);
        const int c = (x % (D / 8)) * 8;
        const int kv = k0 + key;
        regs[n] = make_uint4(0, 0, 0, 0);
        if (kv < item.hi) {
            const int64_t row = hr.row(item.blocks[kv / p.block_size], kv % p.block_size);
            regs[n] = *(const uint4*)(src + row * D + c);
        }
    }
}

// Stores a tile's registers into shared memory as fp32 rows of stride `stride`.
template <int KV16, int D>
__device__ __forceinline__ void store_tile(const uint4* regs, float* dst, int stride) {
    using F = FlashShape<D>;
#pragma unroll
    for (int n = 0; n < F::PER_THREAD; n++) {
        const int x = threadIdx.x + n * F::THREADS;
        float* d = dst + (x / (D / 8)) * stride + (x % (D / 8)) * 8;
        const uint4 w = regs[n];
        *(float4*)d = make_float4(Half<KV16>::lo(w.x), Half<KV16>::hi(w.x), Half<KV16>::lo(w.y), Half<KV16>::hi(w.y));
        *(float4*)(d + 4) = make_float4(Half<KV16>::lo(w.z), Half<KV16>::hi(w.z), Half<KV16>::lo(w.w), Half<KV16>::hi(w.w));
    }
}

// The fixed K (or V) scale of channel c: TENSOR, HEAD and CHANNEL scales (1 for the others).
__device__ __forceinline__ float fixed_scale(const AttnParams& p, const float* s, int head, int c) {
    return p.gran == G_TENSOR ? s[0] : p.gran == G_HEAD ? s[head] : p.gran == G_CHANNEL ? s[head * p.head_dim + c] : 1.f;
}

template <int KV16, int Q, int D>
__device__ __forceinline__ void flash_kernel(const AttnParams& p) {
    using F = FlashShape<D>;
    constexpr int BR = F::BR, BC = F::BC, RM = F::RM, KM = F::KM, DJ = F::DJ, KS = F::KS;
    constexpr float LOG2E = 1.4426950408889634f;
    extern __shared__ float4 smem4[];
    float* Qs = (float*)smem4;         // [BR][D]
    float* Ks = Qs + BR * D;           // [BC][KS]
    float* Ps = Ks;                    // [BR][BC], after GEMM 1
    float* Vs = Ks + BC * KS;          // [BC][D]
    float* ks_s = Vs + BC * D;         // [BC] TOKEN scales of the tile's keys
    float* vs_s = ks_s + BC;

    const WorkItem item(p, blockIdx.x);
    const int rg = threadIdx.x / 16, kg = threadIdx.x % 16;
    const HeadRows hr(p.layout, p.block_size, p.num_kv_heads, item.head);
    const uint16_t* kc = (const uint16_t*)p.k_cache;
    const uint16_t* vc = (const uint16_t*)p.v_cache;
    const bool capped = p.soft_cap > 0.f;
    const float q_mul = p.sm_scale * (capped ? 1.f : LOG2E);
    const bool token_scales = p.gran == G_TOKEN;
    const int tiles = (item.hi - item.lo + BC - 1) / BC;

    for (int rc = 0; rc < item.rows; rc += BR) {
        // Queries of this chunk, scaled, as fp32 rows; rows past the item's are zero.
        for (int x = threadIdx.x; x < BR * D / 8; x += F::THREADS) {
            const int r = x / (D / 8), c = (x % (D / 8)) * 8;
            const int row = rc + r;
            float* d = Qs + r * D + c;
            if (row < item.rows) {
                const uint16_t* qp = (const uint16_t*)p.q
                    + ((int64_t)(item.row0 + row / p.group) * p.num_qo_heads + item.head * p.group + row % p.group) * D + c;
                float v[8];
#pragma unroll
                for (int e = 0; e < 8; e++) v[e] = Half<Q>::to_float(qp[e]) * q_mul * fixed_scale(p, p.k_scale, item.head, c + e);
                *(float4*)d = make_float4(v[0], v[1], v[2], v[3]);
                *(float4*)(d + 4) = make_float4(v[4], v[5], v[6], v[7]);
            } else {
                *(float4*)d = make_float4(0.f, 0.f, 0.f, 0.f);
                *(float4*)(d + 4) = make_float4(0.f, 0.f, 0.f, 0.f);
            }
        }
        int first[RM], last[RM];
        float m[RM], l[RM], o[RM][DJ][4];
#pragma unroll
        for (int i = 0; i < RM; i++) {
            const int row = rc + rg + 8 * i;
            first[i] = 1;
            last[i] = 0;
            if (row < item.rows) item.bounds(p, row, first[i], last[i]);
            m[i] = -INFINITY;
            l[i] = 0.f;
#pragma unroll
            for (int j = 0; j < DJ; j++) o[i][j][0] = o[i][j][1] = o[i][j][2] = o[i][j][3] = 0.f;
        }
        uint4 kr[F::PER_THREAD], vr[F::PER_THREAD];
        load_tile<D>(p, item, hr, kc, item.lo, kr);
        load_tile<D>(p, item, hr, vc, item.lo, vr);

        for (int t = 0; t < tiles; t++) {
            const int k0 = item.lo + t * BC;
            __syncthreads();   // the previous tile's P and V are read (and Qs written, first time)
            store_tile<KV16, D>(kr, Ks, KS);
            store_tile<KV16, D>(vr, Vs, D);
            if (token_scales) {
                for (int key = threadIdx.x; key < BC; key += F::THREADS) {
                    const int kv = k0 + key;
                    float ks = 0.f, vs = 0.f;
                    if (kv < item.hi) {
                        const int64_t row = hr.row(item.blocks[kv / p.block_size], kv % p.block_size);
                        ks = p.k_scale[row];
                        vs = p.v_scale[row];
                    }
                    ks_s[key] = ks;
                    vs_s[key] = vs;
                }
            }
            __syncthreads();
            if (t + 1 < tiles) load_tile<D>(p, item, hr, kc, k0 + BC, kr);

            // GEMM 1: S = Q K^T for this thread's rows x keys.
            float s[RM][KM];
#pragma unroll
            for (int i = 0; i < RM; i++)
#pragma unroll
                for (int j = 0; j < KM; j++) s[i][j] = 0.f;
#pragma unroll 4
            for (int d = 0; d < D; d += 4) {
                float4 qf[RM], kf[KM];
#pragma unroll
                for (int i = 0; i < RM; i++) qf[i] = *(const float4*)(Qs + (rg + 8 * i) * D + d);
#pragma unroll
                for (int j = 0; j < KM; j++) kf[j] = *(const float4*)(Ks + (kg + 16 * j) * KS + d);
#pragma unroll
                for (int i = 0; i < RM; i++)
#pragma unroll
                    for (int j = 0; j < KM; j++)
                        s[i][j] += qf[i].x * kf[j].x + qf[i].y * kf[j].y + qf[i].z * kf[j].z + qf[i].w * kf[j].w;
            }
            // Online softmax over the tile.
            if (token_scales) {
#pragma unroll
                for (int j = 0; j < KM; j++) {
                    const float ks = ks_s[kg + 16 * j];
#pragma unroll
                    for (int i = 0; i < RM; i++) s[i][j] *= ks;
                }
            }
            if (capped) {
#pragma unroll
                for (int i = 0; i < RM; i++)
#pragma unroll
                    for (int j = 0; j < KM; j++) s[i][j] = p.soft_cap * tanhf(s[i][j] / p.soft_cap) * LOG2E;
            }
#pragma unroll
            for (int i = 0; i < RM; i++) {
                float mx = -INFINITY;
#pragma unroll
                for (int j = 0; j < KM; j++) {
                    const int kv = k0 + kg + 16 * j;
                    if (kv < first[i] || kv > last[i]) s[i][j] = -INFINITY;
                    mx = fmaxf(mx, s[i][j]);
                }
                mx = group_max<16>(mx);
                const float mn = fmaxf(m[i], mx);
                const float ref = mn == -INFINITY ? 0.f : mn;
                const float corr = exp2f(m[i] - ref);
                m[i] = mn;
                float sum = 0.f;
#pragma unroll
                for (int j = 0; j < KM; j++) {
                    s[i][j] = exp2f(s[i][j] - ref);
                    sum += s[i][j];
                }
                l[i] = l[i] * corr + sum;
#pragma unroll
                for (int j = 0; j < DJ; j++) {
                    o[i][j][0] *= corr; o[i][j][1] *= corr; o[i][j][2] *= corr; o[i][j][3] *= corr;
                }
            }
            __syncthreads();   // every warp is done reading K: P takes its space
#pragma unroll
            for (int i = 0; i < RM; i++)
#pragma unroll
                for (int j = 0; j < KM; j++)
                    Ps[(rg + 8 * i) * BC + kg + 16 * j] = token_scales ? s[i][j] * vs_s[kg + 16 * j] : s[i][j];
            __syncthreads();
            if (t + 1 < tiles) load_tile<D>(p, item, hr, vc, k0 + BC, vr);

            // GEMM 2: O += P V.
#pragma unroll 2
            for (int k = 0; k < BC; k += 4) {
                float4 pf[RM];
#pragma unroll
                for (int i = 0; i < RM; i++) pf[i] = *(const float4*)(Ps + (rg + 8 * i) * BC + k);
#pragma unroll
                for (int kk = 0; kk < 4; kk++) {
#pragma unroll
                    for (int j = 0; j < DJ; j++) {
                        const float4 v = *(const float4*)(Vs + (k + kk) * D + 4 * (kg + 16 * j));
#pragma unroll
                        for (int i = 0; i < RM; i++) {
                            const float pk = kk == 0 ? pf[i].x : kk == 1 ? pf[i].y : kk == 2 ? pf[i].z : pf[i].w;
                            o[i][j][0] += pk * v.x;
                            o[i][j][1] += pk * v.y;
                            o[i][j][2] += pk * v.z;
                            o[i][j][3] += pk * v.w;
                        }
                    }
                }
            }
        }
        // Epilogue: the row sums across the row group, then normalized rows out.
#pragma unroll
        for (int i = 0; i < RM; i++) {
            const int r = rc + rg + 8 * i;
            const float lt = group_sum<16>(l[i]);
            if (r < item.rows) {
                const float inv = lt > 0.f ? 1.f / lt : 0.f;
#pragma unroll
                for (int j = 0; j < DJ; j++)
#pragma unroll
                    for (int e = 0; e < 4; e++) {
                        const int c = 4 * (kg + 16 * j) + e;
                        write_out<Q>(p, item, r, c, o[i][j][e] * inv * fixed_scale(p, p.v_scale, item.head, c));
                    }
                if (kg == 0) write_row_lse<Q>(p, item, r, m[i], lt);
            }
        }
        __syncthreads();   // Qs is rewritten by the next chunk
    }
}

}  // namespace ilu
