// The split-KV decode kernel (flash decoding), for head dims 64, 128 and 256: one block of 128
// threads per WorkSplit item (sequence, KV head, KV range; split units merged by split_merge.cuh).
//
// GQA packing: all R packed rows of the item (query tokens x the G query heads of the KV head)
// share every K and V byte the block loads, so a decode step reads the cache once, not G times.
// Items with more rows than R (G > 8) are walked in chunks of R rows.
//
// Work split inside the block: a token is read by a lane group of L = D / 8 lanes, each lane
// loading 8 consecutive channels (8 bytes of 8-bit codes, 16 bytes of 16-bit ones) of K and of V
// and dequantizing them in registers. The 128 / L lane groups take contiguous runs of the item's
// tokens (so a run walks its blocks without divisions), U tokens per step for loads in flight,
// and each keeps an online softmax for the R rows; the groups' states merge in shared memory.
// Lane groups are a power of two no wider than 32 lanes: correct for 32- and 64-lane warps.
//
// Scales: TENSOR, HEAD and CHANNEL K scales fold into the queries and V scales into the output;
// TOKEN and TOKEN_GROUP scales multiply a lane's partial score (K) and the probability (V) per
// token (TOKEN_GROUP needs groups of a multiple of 8 channels, so a lane's channels share one
// scale: the plan sends other group sizes to the generic kernel).
#pragma once
#include "params.cuh"

namespace ilu {

template <int KV, int D, int R>
struct DecodeShape {
    static constexpr int E = (int)sizeof(typename Kv<KV>::T);
    static constexpr int THREADS = 128;
    static constexpr int CH = 8;                 // channels per lane per token
    static constexpr int WORDS = CH * E / 4;     // 32-bit words per lane per token
    static constexpr int L = D / CH;             // lanes per token
    static constexpr int GROUPS = THREADS / L;   // token runs per block
    static constexpr int U = 4;                  // tokens per step of a run (loads in flight)
    // Blocks per SM the register budget is cut for: for R = 4, 4 blocks (128 registers) beat 3
    // (168) and 5 (spills) on an H200 when chosen: int8 0.41 vs 0.36 and 0.36 (docs/PERF.md).
    static constexpr int MIN_BLOCKS = R <= 4 ? 4 : 2;
    static_assert(L <= 32 && L <= WARP, "a token's lane group must fit in a warp");
};

// Element i of a small register array, i known only at run time (selects, not local memory).
template <int N, class T>
__device__ __forceinline__ T pick(const T* a, int i) {
    T x = a[0];
#pragma unroll
    for (int k = 1; k < N; k++) x = i == k ? a[k] : x;
    return x;
}

// Reduce-scatter of N values per lane over L lanes, offsets O, O / 2, ... 1: at each level a lane
// keeps half its values (the upper half if its lane bit is set) and adds the partner's copy of
// them. Afterwards lane li holds the sums of values li * N / L ... (N >= L), or of value
// li / (L / N), held by L / N lanes alike (N < L).
template <int L, int O, int N>
__device__ __forceinline__ void reduce_scatter(float* v, int li) {
    if constexpr (O >= 1) {
        if constexpr (N > 1) {
            const bool upper = (li & O) != 0;
#pragma unroll
            for (int i = 0; i < N / 2; i++) {
                const float send = upper ? v[i] : v[i + N / 2];
                const float keep = upper ? v[i + N / 2] : v[i];
                v[i] = keep + shfl_xor<L>(send, O);
            }
            reduce_scatter<L, O / 2, N / 2>(v, li);
        } else {
            v[0] += shfl_xor<L>(v[0], O);
            reduce_scatter<L, O / 2, 1>(v, li);
        }
    }
}

// The inverse: every lane gets all P values from their finishing lanes (as reduce_scatter leaves
// them: value k at lane k / NV, or k * (L / P) when P < L), one indexed shuffle each.
template <int L, int P, int NV>
__device__ __forceinline__ void gather_pairs(const float* mine, float* all) {
#pragma unroll
    for (int k = 0; k < P; k++) all[k] = shfl_idx<L>(mine[k % NV], P >= L ? k / NV : k * (L / P));
}

// One step of a token run: U tokens' K and V words of this lane, their per-token scales and
// whether each token is in the run. fetch() advances the run's (block index, offset) by U. With
// own_u >= 0 (TOKEN scales, applied by the lane that finishes a score) only that token's scales
// are loaded, into ks_own / vs_own; else (TOKEN_GROUP) all U, into ks / vs.
template <int WORDS, int U>
struct DecodeStep {
    uint32_t kw[U][WORDS], vw[U][WORDS];
    float ks[U], vs[U];
    float ks_own, vs_own;
    bool has[U];

    template <int KV, int D>
    __device__ __forceinline__ void fetch(const AttnParams& p, const WorkItem& item, const HeadRows& hr,
                                          const typename Kv<KV>::T* kc, const typename Kv<KV>::T* vc, int t, int t_end,
                                          int& bi, int& off, int c0, bool per_token, int scale_groups, int my_group,
                                          int own_u) {
        ks_own = vs_own = 1.f;
        if (off + U <= p.block_size && t + U <= t_end) {
            // The common step: U tokens of one block, all in the run: one row lookup, then fixed strides.
            const int64_t row = hr.row(item.blocks[bi], off);
            const typename Kv<KV>::T* kp = kc + row * D + c0;
            const typename Kv<KV>::T* vp = vc + row * D + c0;
            const int64_t stride = (int64_t)hr.off_rows * D;
#pragma unroll
            for (int u = 0; u < U; u++) {
                has[u] = true;
                load_words<WORDS>(kp + u * stride, kw[u]);
                load_words<WORDS>(vp + u * stride, vw[u]);
            }
            if (per_token && own_u >= 0) {
                const int64_t at = row * scale_groups + my_group + own_u * (int64_t)hr.off_rows * scale_groups;
                ks_own = p.k_scale[at];
                vs_own = p.v_scale[at];
#pragma unroll
                for (int u = 0; u < U; u++) ks[u] = vs[u] = 1.f;
            } else if (per_token) {
                const int64_t s0 = row * scale_groups + my_group;
                const int64_t sstride = (int64_t)hr.off_rows * scale_groups;
#pragma unroll
                for (int u = 0; u < U; u++) {
                    ks[u] = p.k_scale[s0 + u * sstride];
                    vs[u] = p.v_scale[s0 + u * sstride];
                }
            } else {
#pragma unroll
                for (int u = 0; u < U; u++) ks[u] = vs[u] = 1.f;
            }
        } else {
#pragma unroll
            for (int u = 0; u < U; u++) {
                has[u] = t + u < t_end;
                int bu = bi, ou = off + u;
                while (ou >= p.block_size) { ou -= p.block_size; bu++; }
                const int64_t row = has[u] ? hr.row(item.blocks[bu], ou) : 0;
                ks[u] = vs[u] = 1.f;
#pragma unroll
                for (int w = 0; w < WORDS; w++) kw[u][w] = vw[u][w] = 0u;
                if (has[u]) {
                    load_words<WORDS>(kc + row * D + c0, kw[u]);
                    load_words<WORDS>(vc + row * D + c0, vw[u]);
                    if (per_token && own_u < 0) {
                        ks[u] = p.k_scale[row * scale_groups + my_group];
                        vs[u] = p.v_scale[row * scale_groups + my_group];
                    } else if (per_token && u == own_u) {
                        ks_own = p.k_scale[row * scale_groups + my_group];
                        vs_own = p.v_scale[row * scale_groups + my_group];
                    }
                }
            }
        }
        off += U;
        while (off >= p.block_size) { off -= p.block_size; bi++; }
    }
};

template <int KV, int Q, int D, int R>
__device__ __forceinline__ void decode_kernel(const AttnParams& p) {
    using S = DecodeShape<KV, D, R>;
    using T = typename Kv<KV>::T;
    constexpr int CH = S::CH, L = S::L, GROUPS = S::GROUPS, U = S::U;
    constexpr int P = U * R;                   // scores per step
    constexpr int NV = P >= L ? P / L : 1;     // of them each lane finishes
    static_assert(R % NV == 0, "a lane's pairs lie in one token");
    constexpr float LOG2E = 1.4426950408889634f;
    constexpr float HEADROOM = 16.f;           // log2 of how far a score may pass its row's reference
    __shared__ float out_s[GROUPS][R][CH * L];
    __shared__ float m_s[GROUPS][R], l_s[GROUPS][R];

    const WorkItem item(p, blockIdx.x);
    const int g = threadIdx.x / L;             // token run
    const int li = threadIdx.x % L;            // lane in the token's group
    const int c0 = li * CH;                    // first channel of this lane
    const int base = li * P / L;               // the first pair this lane finishes (its NV pairs
                                               // share one token: R is a multiple of NV)
    const HeadRows hr(p.layout, p.block_size, p.num_kv_heads, item.head);
    const bool quantized = Kv<KV>::quantized;
    const bool per_token = quantized && (p.gran == G_TOKEN || p.gran == G_TOKEN_GROUP);
    // TOKEN scales apply once per score and probability, by the lane finishing it; TOKEN_GROUP
    // scales differ between a token's lanes, so each lane applies its own.
    const bool token_scales = quantized && p.gran == G_TOKEN;
    const bool lane_scales = quantized && p.gran == G_TOKEN_GROUP;
    const int scale_groups = p.gran == G_TOKEN_GROUP ? D / p.group_size : 1;
    const int my_group = p.gran == G_TOKEN_GROUP ? c0 / p.group_size : 0;
    const bool capped = p.soft_cap > 0.f;
    // Scores are kept in log2 units: exp2 is the hardware's exponential. With soft-capping the
    // cap applies to natural-unit scores first.
    const float q_mul = p.sm_scale * (capped ? 1.f : LOG2E);
    float k_fold[CH];
#pragma unroll
    for (int c = 0; c < CH; c++) {
        float ks = 1.f;
        if (quantized) {
            if (p.gran == G_TENSOR) ks = p.k_scale[0];
            else if (p.gran == G_HEAD) ks = p.k_scale[item.head];
            else if (p.gran == G_CHANNEL) ks = p.k_scale[item.head * D + c0 + c];
        }
        k_fold[c] = ks * q_mul;
    }
    // This run's tokens: a contiguous slice of [lo, hi).
    const int span = item.hi - item.lo;
    // Runs of a multiple of U tokens: steps stay aligned, so with blocks of a multiple of U tokens
    // every full step lies within one block (fetch's common case).
    const int per = ((span + GROUPS - 1) / GROUPS + U - 1) / U * U;
    const int t_begin = item.lo + min(span, g * per);
    const int t_end = item.lo + min(span, (g + 1) * per);
    const T* kc = (const T*)p.k_cache;
    const T* vc = (const T*)p.v_cache;

    for (int rc = 0; rc < item.rows; rc += R) {
        float q[R][CH], acc[R][CH];
        int first[R], last[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int row = rc + r;
            first[r] = 1;
            last[r] = 0;   // empty unless a real row
            if (row < item.rows) item.bounds(p, row, first[r], last[r]);
            const uint16_t* qp = (const uint16_t*)p.q
                + ((int64_t)(item.row0 + row / p.group) * p.num_qo_heads + item.head * p.group + row % p.group) * D;
#pragma unroll
            for (int c = 0; c < CH; c++) {
                q[r][c] = row < item.rows ? Half<Q>::to_float(qp[c0 + c]) * k_fold[c] : 0.f;
                acc[r][c] = 0.f;
            }
        }
        // Every run takes the same number of steps (shuffles need the whole warp): tokens past a
        // run's end are masked and not loaded.
        //
        // A step's U x R scores (pairs u * R + r) are reduced across the L lanes with a
        // reduce-scatter, so each lane finishes NV of them: log2 L shuffles carry P / 2 + ... values
        // instead of P x log2 L. The owner masks its scores and takes their exponentials against
        // the row's reference max, which changes only when a score passes it by HEADROOM (rare
        // after the first step; then the warp rescales in step), and indexed shuffles hand every
        // lane all P probabilities for P.V.
        float m_ref[R], my_m[NV], my_l[NV];
        int my_first[NV], my_last[NV];
#pragma unroll
        for (int r = 0; r < R; r++) m_ref[r] = -INFINITY;
#pragma unroll
        for (int i = 0; i < NV; i++) {
            my_m[i] = -INFINITY;
            my_l[i] = 0.f;
            my_first[i] = pick<R>(first, (base + i) % R);
            my_last[i] = pick<R>(last, (base + i) % R);
        }
        int bi = t_begin / p.block_size;
        int off = t_begin - bi * p.block_size;
        for (int i = 0; i < per; i += U) {
            const int t = t_begin + i;
            DecodeStep<S::WORDS, U> st;
            st.template fetch<KV, D>(p, item, hr, kc, vc, t, t_end, bi, off, c0, per_token, scale_groups, my_group,
                                     token_scales ? base / R : -1);
            float sc[P];
#pragma unroll
            for (int u = 0; u < U; u++) {
                float k[CH];
                decode8<KV>(st.kw[u], k);
#pragma unroll
                for (int r = 0; r < R; r++) {
                    float d = 0.f;
#pragma unroll
                    for (int c = 0; c < CH; c++) d += q[r][c] * k[c];
                    sc[u * R + r] = lane_scales ? d * st.ks[u] : d;
                }
            }
            reduce_scatter<L, L / 2, P>(sc, li);
            bool over = false;
#pragma unroll
            for (int j = 0; j < NV; j++) {
                const int u = (base + j) / R;
                if (token_scales) sc[j] *= st.ks_own;
                if (capped) sc[j] = p.soft_cap * tanhf(sc[j] / p.soft_cap) * LOG2E;
                if (t + u >= t_end || t + u < my_first[j] || t + u > my_last[j]) sc[j] = -INFINITY;
                over |= sc[j] > my_m[j] + HEADROOM;
            }
            if (group_max<WARP>(over ? 1.f : 0.f) > 0.f) {
                // New reference maxima: every lane sees every score, rows rescale.
                float all[P];
                gather_pairs<L, P, NV>(sc, all);
#pragma unroll
                for (int r = 0; r < R; r++) {
                    float mx = m_ref[r];
#pragma unroll
                    for (int u = 0; u < U; u++) mx = fmaxf(mx, all[u * R + r]);
                    const float corr = mx == -INFINITY ? 1.f : exp2f(m_ref[r] - mx);
#pragma unroll
                    for (int c = 0; c < CH; c++) acc[r][c] *= corr;
#pragma unroll
                    for (int j = 0; j < NV; j++) {
                        if ((base + j) % R == r) {
                            my_l[j] *= corr;
                            my_m[j] = mx;
                        }
                    }
                    m_ref[r] = mx;
                }
            }
            float mine[NV], pr[P];
#pragma unroll
            for (int j = 0; j < NV; j++) {
                mine[j] = my_m[j] == -INFINITY ? 0.f : exp2f(sc[j] - my_m[j]);
                my_l[j] += mine[j];
                if (token_scales) mine[j] *= st.vs_own;
            }
            gather_pairs<L, P, NV>(mine, pr);
#pragma unroll
            for (int u = 0; u < U; u++) {
                float v[CH];
                decode8<KV>(st.vw[u], v);
#pragma unroll
                for (int r = 0; r < R; r++) {
                    const float w = lane_scales ? pr[u * R + r] * st.vs[u] : pr[u * R + r];
#pragma unroll
                    for (int c = 0; c < CH; c++) acc[r][c] += w * v[c];
                }
            }
        }
        // Each row's sum: the lanes' partial sums of their pairs (a pair held by several lanes,
        // when P < L, counted once per holder, hence the division).
        float m[R], l[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            float part = 0.f;
#pragma unroll
            for (int j = 0; j < NV; j++) part += (base + j) % R == r ? my_l[j] : 0.f;
            l[r] = group_sum<L>(part) / (float)(L > P ? L / P : 1);
            m[r] = m_ref[r];
        }
        // Merge the runs: shared max, rescaled sums and outputs.
        if (li == 0) {
#pragma unroll
            for (int r = 0; r < R; r++) { m_s[g][r] = m[r]; l_s[g][r] = l[r]; }
        }
        __syncthreads();
#pragma unroll
        for (int r = 0; r < R; r++) {
            float mx = -INFINITY;
            for (int j = 0; j < GROUPS; j++) mx = fmaxf(mx, m_s[j][r]);
            const float f = m[r] == -INFINITY ? 0.f : exp2f(m[r] - mx);
#pragma unroll
            for (int c = 0; c < CH; c++) out_s[g][r][c0 + c] = acc[r][c] * f;
        }
        __syncthreads();
        for (int i = threadIdx.x; i < R * D; i += S::THREADS) {
            const int r = i / D, c = i % D;
            if (rc + r < item.rows) {
                float mx = -INFINITY;
                for (int j = 0; j < GROUPS; j++) mx = fmaxf(mx, m_s[j][r]);
                float sum = 0.f, o = 0.f;
                for (int j = 0; j < GROUPS; j++) {
                    if (m_s[j][r] != -INFINITY) sum += l_s[j][r] * exp2f(m_s[j][r] - mx);
                    o += out_s[j][r][c];
                }
                float vs = 1.f;
                if (quantized) {
                    if (p.gran == G_TENSOR) vs = p.v_scale[0];
                    else if (p.gran == G_HEAD) vs = p.v_scale[item.head];
                    else if (p.gran == G_CHANNEL) vs = p.v_scale[item.head * D + c];
                }
                write_out<Q>(p, item, rc + r, c, sum > 0.f ? o * vs / sum : 0.f);
                if (c == 0) write_row_lse<Q>(p, item, rc + r, mx, sum);
            }
        }
        __syncthreads();
    }
}

}  // namespace ilu
