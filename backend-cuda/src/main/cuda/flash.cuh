// The tensor-core attention kernel (FlashAttention-2 style, mma.sync m16n8k16) for head dims 64,
// 128 and 256: prefill, chunked prefill, and decode items of more than 8 rows (decode.cuh takes
// the smaller ones) over the paged, quantized cache.
//
// Work: one block (4 warps) per WorkSplit item (sequence, tile of query rows, KV head, KV range).
// The item's rows are (query token, query head of the KV group) pairs, so every KV byte loaded is
// used by all G heads of the group (GQA packing). A warp owns ROWS = 16 * MT rows: MT = 2 MMA row
// tiles at head dims up to 128 (a 128-row block), so every K and V fragment it decodes feeds two
// MMAs; one tile at 256. Items of fewer rows than the block holds give the spare warps other
// steps of the same KV range instead; the warps' softmax states merge in shared memory.
//
// Loads: the block copies stages of TOKENS tokens of raw K and V (codes as stored, plus per-token
// scales) from the paged cache into a shared-memory ring with 16-byte cp.async, STAGES - 1 stages
// ahead of the math, so many bytes are in flight without holding registers. Each warp then reads
// its fragments from shared memory and decodes them in registers right before the MMA: 8-bit codes
// are never expanded in shared or global memory. (Decoding each stage once per block into a 16-bit
// tile read with ldmatrix, FlashInfer's way, was 9 % slower here: docs/PERF.md.) For 8-bit caches
// the queries wait in shared memory too (Q_SMEM), so the registers hold 32-token steps.
//
// Register layouts. m16n8k16 fragments: lane = 4g + c. Q.K^T sums over the head dim, so any
// permutation of dims applied to both Q and K gives the same scores: lane (g, c) holds the dims
// [c*D/4, (c+1)*D/4) of Q rows g, g+8 and of K token g of each 8-token tile; MMA k-step kk takes
// dims 4kk..4kk+3 of that range (contiguous reads). P.V sums over tokens in the order of the score
// fragment's columns (tokens 2c, 2c+1 of each 8-token tile), and output dims may be permuted as
// long as they are written back in place: lane (g, c) holds V dims [g*D/8, (g+1)*D/8) of tokens
// 2c, 2c+1, 8+2c, 9+2c, and n-tile nt of the product is dim g*D/8 + nt.
//
// 8-bit caches multiply in fp16 whatever the query type: every int8, e4m3 and e5m2 code is exact in
// fp16 and decodes in about one instruction per element (a byte permute into 1024 + code and a
// packed subtract; a paired fp8 convert), where bf16 would need a float round trip. Queries are
// brought into fp16 range exactly by a power of two per row, undone on the fp32 score. Scales
// never touch the codes: a per-token K scale multiplies the fp32 score, a TENSOR or HEAD one joins
// the row's multiplier, applied in the exponent's FMA (with the softmax scale and the query's
// power of two); a per-token V scale multiplies
// the probability relative to a reference scale (ratio <= 64), and the softmax max is a lazy
// reference (rescaled only when a score passes it by 2^8), as in decode.cuh, so the fp16
// probabilities stay below 2^14; TENSOR and HEAD V scales multiply the output. Scales that
// change along the head dim (CHANNEL, TOKEN_GROUP) would have to be rounded into operands: those
// caches use the generic kernel here (CudaKernels.attentionFor; decode.cuh takes CHANNEL decode
// items), as do 16-bit caches of the other 16-bit type than the queries.
#pragma once
#include "ring.cuh"

namespace attn4j {

template <int KV, int Q, int D>
struct Flash {
    using Kv = typename KvTraits<KV>::T;
    using QT = typename QTraits<Q>::T;
    static constexpr int E = (int)sizeof(Kv);
    static constexpr int WARPS = 4;
    static constexpr int THREADS = 32 * WARPS;
    // MMA row tiles per warp: two at head dims up to 128, so every K and V fragment decoded from
    // shared memory feeds two MMAs (FlashAttention-2's 128-row blocks); one at 256 (registers).
    static constexpr int MT = D <= 128 ? 2 : 1;
    static constexpr int ROWS = 16 * MT;               // rows of one warp
    static constexpr int K_DIMS = D / 4;              // K dims a lane holds per token
    static constexpr int V_DIMS = D / 8;              // V dims a lane holds per token
    static constexpr int K_WORDS = K_DIMS * E / 4;
    static constexpr int V_WORDS = V_DIMS * E / 4;
    static constexpr int Q_WORDS = K_DIMS / 2;        // 16-bit queries
    static constexpr int KSTEPS = D / 16;
    static constexpr int NTILES = D / 8;
    // The shared-memory ring (ring.cuh).
    static constexpr int TOKENS = D * E <= 256 ? 64 : 32;
    static constexpr int STAGES = D * E <= 128 ? 4 : 3;
    static constexpr int ROW_BYTES = Ring<E, D, TOKENS>::ROW_BYTES;
    static constexpr int STAGE_BYTES = Ring<E, D, TOKENS>::STAGE_BYTES;
    static constexpr int RING_BYTES = STAGES * STAGE_BYTES;
    // The epilogue's use of the same memory: per warp 16 rows of fp32 output (a padding float after
    // every V_DIMS dims, row stride = 8 mod 32: fragment-order stores nearly conflict-free), m, l,
    // and the warp's V reference scale.
    static constexpr int O_STRIDE = D + 8;
    static constexpr int EPILOGUE_BYTES = WARPS * ROWS * O_STRIDE * 4 + 2 * WARPS * ROWS * 4 + WARPS * 4;
    // 8-bit caches at head dims up to 128 keep the queries in shared memory, in MMA fragment order
    // (one conflict-free 16-byte read per lane, row tile and k-step), not in 64 registers: those
    // registers hold 32-token steps instead, twice the independent MMAs per step (+24 % on an
    // H200, docs/PERF.md). 16-bit caches need the shared memory for their twice-as-large ring.
    static constexpr bool Q_SMEM = E == 1 && D <= 128;
    static constexpr int Q_OFFSET = RING_BYTES > EPILOGUE_BYTES ? RING_BYTES : EPILOGUE_BYTES;
    static constexpr int Q_BYTES = Q_SMEM ? WARPS * MT * KSTEPS * 32 * 16 : 0;
    static constexpr int SMEM_BYTES = Q_OFFSET + Q_BYTES;
    static constexpr float LOG2E = 1.4426950408889634f;
    // A warp step is 32 tokens with the queries in shared memory, else 16 (two 8-token tiles): with
    // two row tiles per warp the accumulators fill the registers (about 255 at head dim 128, 2
    // blocks per SM); longer steps with one row tile were slower (docs/PERF.md, history).
    static constexpr int STEP = Q_SMEM ? 32 : 16;
    static constexpr int MIN_BLOCKS = D <= 128 ? 2 : 1;
    static constexpr float HEADROOM = 8.f;      // lazy rescaling, as in decode.cuh
    static constexpr float V_HEADROOM = 64.f;
    // The arrays the step phases pass: a step's scores (then probabilities), one factor per row
    // of this lane, the query fragments in registers.
    using Scores = float[MT][STEP / 8][4];
    using RowFactors = float[MT][2];
    using QueryFragments = uint32_t[MT][KSTEPS][4];
};

// The phases of one warp step, as FlashInfer's prefill.cuh names them: compute_qk (S = Q K^T),
// scale_logits (per-token K scales, soft-capping), mask_logits (causal, window, range end),
// update_mdo_states (the lazy online softmax: S becomes P), weight_by_v_scale (per-token V scales)
// and compute_sfm_v (O += P V). A step covers STEP tokens (NT 8-token tiles) from token k0 of the
// stage in `slot` (t0 in the sequence) against the warp's MT row tiles; each K and V fragment is
// decoded once for all MT tiles. The phases are forced inline into one loop body, so registers
// hold everything between them, as when they were one block of code.

// What the phases read about a warp's lane and rows, fixed for the whole item.
struct FlashLane {
    int g, c;                  // lane = 4g + c
    int rt;                    // the warp's row tile
    int pos0;                  // position of the item's first query row
    int hi;                    // end of the item's KV range
    int warp_pos_min, warp_pos_max;   // positions of the warp's first and last query token
    bool per_token, capped;    // per-token K / V scales; soft-capping
};

// What a warp carries from step to step: its rows' output accumulators, reference max (log2
// units, the same in a row's 4 lanes) and this lane's part of the row sum of 2^(s - m), and the
// per-token V reference scale (warp-uniform).
template <class F>
struct FlashState {
    float o[F::MT][F::NTILES][4];
    float m[F::MT][2], l[F::MT][2];
    float vref, inv_vref;
    __device__ __forceinline__ void init() {
#pragma unroll
        for (int mt = 0; mt < F::MT; mt++)
#pragma unroll
            for (int nt = 0; nt < F::NTILES; nt++) o[mt][nt][0] = o[mt][nt][1] = o[mt][nt][2] = o[mt][nt][3] = 0.f;
#pragma unroll
        for (int mt = 0; mt < F::MT; mt++) m[mt][0] = m[mt][1] = -INFINITY, l[mt][0] = l[mt][1] = 0.f;
        vref = 0.f;
        inv_vref = 0.f;
    }
};


// The phases as one struct, so that what they share (the kernel's shape F, its MMA, the step's
// NT token tiles and MT row tiles) is said once.
template <int KV, int Q, int D>
struct FlashStep {
    using F = Flash<KV, Q, D>;
    using M = FlashMma<KV, Q>;
    using Scores = typename F::Scores;
    using State = FlashState<F>;
    static constexpr bool QUANTIZED = KvTraits<KV>::quantized;
    static constexpr int NT = F::STEP / 8;
    static constexpr int MT = F::MT;

    // S = Q K^T for the step's NT token tiles: queries from registers (qa) or, with Q_SMEM, from
    // shared memory (q_smem).
    static __device__ __forceinline__ void compute_qk(const char* slot, int k0, const FlashLane& ln,
                                               const typename F::QueryFragments& qa, const uint4* q_smem, Scores& sc) {
        const int g = ln.g, c = ln.c;
        if constexpr (F::Q_SMEM) {
            // k-steps in groups of four (one 16-byte read of each token's codes); each k-step's
            // query fragments are read once for all NT token tiles.
    #pragma unroll
            for (int mt = 0; mt < MT; mt++)
    #pragma unroll
                for (int n = 0; n < NT; n++) sc[mt][n][0] = sc[mt][n][1] = sc[mt][n][2] = sc[mt][n][3] = 0.f;
    #pragma unroll
            for (int k4 = 0; k4 < F::KSTEPS; k4 += 4) {
                uint32_t kw[NT][4];
    #pragma unroll
                for (int n = 0; n < NT; n++) {
                    lds_words<16>(kw[n], slot + (k0 + 8 * n + g) * F::ROW_BYTES + c * F::K_DIMS + 4 * k4);
                    bias_codes<KV, 4>(kw[n]);
                }
    #pragma unroll
                for (int k = 0; k < 4; k++) {
                    uint32_t qf[MT][4];
    #pragma unroll
                    for (int mt = 0; mt < MT; mt++) {
                        const uint4 v = q_smem[(mt * F::KSTEPS + k4 + k) * 32];
                        qf[mt][0] = v.x, qf[mt][1] = v.y, qf[mt][2] = v.z, qf[mt][3] = v.w;
                    }
    #pragma unroll
                    for (int n = 0; n < NT; n++) {
                        uint32_t b0, b1;
                        codes_to_half2<KV>(kw[n][k], b0, b1);
    #pragma unroll
                        for (int mt = 0; mt < MT; mt++) M::mma(sc[mt][n], qf[mt], b0, b1);
                    }
                }
            }
        } else {
    #pragma unroll
            for (int n = 0; n < NT; n++) {
                uint32_t kw[F::K_WORDS];
                lds_words<F::K_WORDS * 4>(kw, slot + (k0 + 8 * n + g) * F::ROW_BYTES + c * F::K_DIMS * F::E);
                bias_codes<KV, F::K_WORDS>(kw);
    #pragma unroll
                for (int mt = 0; mt < MT; mt++) sc[mt][n][0] = sc[mt][n][1] = sc[mt][n][2] = sc[mt][n][3] = 0.f;
    #pragma unroll
                for (int kk = 0; kk < F::KSTEPS; kk++) {
                    uint32_t b0, b1;
                    if constexpr (!QUANTIZED) {
                        b0 = kw[2 * kk];
                        b1 = kw[2 * kk + 1];
                    } else {
                        codes_to_half2<KV>(kw[kk], b0, b1);
                    }
    #pragma unroll
                    for (int mt = 0; mt < MT; mt++) M::mma(sc[mt][n], qa[mt][kk], b0, b1);
                }
            }
        }
    }

    static __device__ __forceinline__ void scale_logits(const AttnParams& p, const float* sk, const FlashLane& ln, const typename F::RowFactors& qk_scale,
                                                 Scores& sc) {
        const int c = ln.c;
        const bool capped = ln.capped, per_token = ln.per_token;
        // Per-token K scales (this lane's columns: tokens 8n + 2c + j) and soft-capping, then the
        // mask. Each of the first two is its own branch-free loop behind one uniform branch: a
        // per-score branch here cost the whole step its instruction scheduling (docs/PERF.md).
        if (capped) {
            const float cap_scale = 2.f * F::LOG2E / p.soft_cap;   // soft_cap_log2's, once a tile
    #pragma unroll
            for (int n = 0; n < NT; n++)
    #pragma unroll
                for (int j = 0; j < 2; j++) {
                    const float ks = per_token ? sk[8 * n + 2 * c + j] : 1.f;
    #pragma unroll
                    for (int mt = 0; mt < MT; mt++)
    #pragma unroll
                        for (int h = 0; h < 2; h++) {
                            float& x = sc[mt][n][2 * h + j];
                            x = soft_cap_log2(x * ks * qk_scale[mt][h], p.soft_cap, cap_scale);
                        }
                }
        } else if (per_token) {
    #pragma unroll
            for (int n = 0; n < NT; n++)
    #pragma unroll
                for (int j = 0; j < 2; j++) {
                    const float ks = sk[8 * n + 2 * c + j];
    #pragma unroll
                    for (int mt = 0; mt < MT; mt++) sc[mt][n][j] *= ks, sc[mt][n][2 + j] *= ks;
                }
        }
    }

    // Scores outside a row's visible range to -inf; one uniform test skips steps inside every row's range.
    static __device__ __forceinline__ void mask_logits(const AttnParams& p, int t0, const FlashLane& ln, Scores& sc) {
        const int g = ln.g, c = ln.c, rt = ln.rt, pos0 = ln.pos0, hi = ln.hi;
        const int warp_pos_min = ln.warp_pos_min, warp_pos_max = ln.warp_pos_max;
        const bool unmasked = t0 + 8 * NT <= hi && (!p.causal || t0 + 8 * NT - 1 <= warp_pos_min)
                && (p.window <= 0 || t0 > warp_pos_max - p.window);
        if (!unmasked) {
    #pragma unroll
            for (int mt = 0; mt < MT; mt++)
    #pragma unroll
                for (int n = 0; n < NT; n++)
    #pragma unroll
                    for (int x = 0; x < 4; x++) {
                        const int t = t0 + 8 * n + 2 * c + (x & 1);
                        const int pp = pos0 + (rt * F::ROWS + mt * 16 + g + 8 * (x >> 1)) / p.group;   // the row's position
                        const bool visible = t < hi && (!p.causal || t <= pp) && (p.window <= 0 || t > pp - p.window);
                        if (!visible) sc[mt][n][x] = -INFINITY;
                    }
        }
    }

    static __device__ __forceinline__ void update_mdo_states(State& st, const typename F::RowFactors& row_mul, Scores& sc) {
        auto& o = st.o;
        auto& m = st.m;
        auto& l = st.l;
        // Lazy online softmax (decode.cuh): the reference max moves only when a score passes it
        // by HEADROOM, so most steps skip the row max across the quad and the output rescale.
        float mx[MT][2];
        bool over = false;
    #pragma unroll
        for (int mt = 0; mt < MT; mt++) {
            mx[mt][0] = mx[mt][1] = -INFINITY;
    #pragma unroll
            for (int n = 0; n < NT; n++)
    #pragma unroll
                for (int x = 0; x < 4; x++) mx[mt][x >> 1] = fmaxf(mx[mt][x >> 1], sc[mt][n][x]);
            mx[mt][0] *= row_mul[mt][0];   // > 0: the max of the scaled scores
            mx[mt][1] *= row_mul[mt][1];
            over = over || mx[mt][0] > m[mt][0] + F::HEADROOM || mx[mt][1] > m[mt][1] + F::HEADROOM;
        }
        if (__any_sync(0xffffffffu, over)) {
    #pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                float corr[2];
    #pragma unroll
                for (int h = 0; h < 2; h++) {
                    float v = mx[mt][h];
                    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
                    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
                    const float m_new = fmaxf(m[mt][h], v);
                    corr[h] = m_new == -INFINITY ? 1.f : exp2f(m[mt][h] - m_new);
                    m[mt][h] = m_new;
                    l[mt][h] *= corr[h];
                }
    #pragma unroll
                for (int nt = 0; nt < F::NTILES; nt++) {
                    o[mt][nt][0] *= corr[0];
                    o[mt][nt][1] *= corr[0];
                    o[mt][nt][2] *= corr[1];
                    o[mt][nt][3] *= corr[1];
                }
            }
        }
    #pragma unroll
        for (int mt = 0; mt < MT; mt++) {
            const float base[2] = {m[mt][0] == -INFINITY ? 0.f : m[mt][0], m[mt][1] == -INFINITY ? 0.f : m[mt][1]};
    #pragma unroll
            for (int n = 0; n < NT; n++)
    #pragma unroll
                for (int x = 0; x < 4; x++) {
                    sc[mt][n][x] = exp2f(fmaf(sc[mt][n][x], row_mul[mt][x >> 1], -base[x >> 1]));
                    l[mt][x >> 1] += sc[mt][n][x];
                }
        }
    }

    // V weights p * vs / vref, the reference scale moved the same lazy way (decode.cuh).
    static __device__ __forceinline__ void weight_by_v_scale(State& st, const float* sv, int c, Scores& sc) {
        auto& o = st.o;
        float& vref = st.vref;
        float& inv_vref = st.inv_vref;
        float vmax = 0.f;
    #pragma unroll
        for (int n = 0; n < NT; n++) vmax = fmaxf(vmax, fmaxf(sv[8 * n + 2 * c], sv[8 * n + 2 * c + 1]));
        if (__any_sync(0xffffffffu, vmax > vref * F::V_HEADROOM)) {
            vmax = fmaxf(vmax, __shfl_xor_sync(0xffffffffu, vmax, 1));
            vmax = fmaxf(vmax, __shfl_xor_sync(0xffffffffu, vmax, 2));
            const float v_new = fmaxf(vref, vmax);
            const float corr = v_new > 0.f ? vref / v_new : 1.f;
    #pragma unroll
            for (int mt = 0; mt < MT; mt++)
    #pragma unroll
                for (int nt = 0; nt < F::NTILES; nt++)
                    o[mt][nt][0] *= corr, o[mt][nt][1] *= corr, o[mt][nt][2] *= corr, o[mt][nt][3] *= corr;
            vref = v_new;
            inv_vref = v_new > 0.f ? 1.f / v_new : 0.f;
        }
    #pragma unroll
        for (int n = 0; n < NT; n++)
    #pragma unroll
            for (int j = 0; j < 2; j++) {
                const float w = sv[8 * n + 2 * c + j] * inv_vref;
    #pragma unroll
                for (int mt = 0; mt < MT; mt++) sc[mt][n][j] *= w, sc[mt][n][2 + j] *= w;
            }
    }

    static __device__ __forceinline__ void compute_sfm_v(State& st, const char* slot, int k0, const FlashLane& ln, Scores& sc) {
        auto& o = st.o;
        const int g = ln.g, c = ln.c;
        // O += P V, 16 tokens per k-step; P as the A operand (the score fragment's layout is the
        // A fragment's); n-tile nt of the product is dim g*V_DIMS + nt of this lane's tokens.
    #pragma unroll
        for (int kt = 0; kt < NT / 2; kt++) {
            uint32_t pa[MT][4];
    #pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                pa[mt][0] = M::pack(sc[mt][2 * kt][0], sc[mt][2 * kt][1]);
                pa[mt][1] = M::pack(sc[mt][2 * kt][2], sc[mt][2 * kt][3]);
                pa[mt][2] = M::pack(sc[mt][2 * kt + 1][0], sc[mt][2 * kt + 1][1]);
                pa[mt][3] = M::pack(sc[mt][2 * kt + 1][2], sc[mt][2 * kt + 1][3]);
            }
            uint32_t vw[2][2][F::V_WORDS];
    #pragma unroll
            for (int n = 0; n < 2; n++)
    #pragma unroll
                for (int j = 0; j < 2; j++) {
                    lds_words<F::V_WORDS * 4>(vw[n][j], slot + (F::TOKENS + k0 + 16 * kt + 8 * n + 2 * c + j) * F::ROW_BYTES
                                                           + g * F::V_DIMS * F::E);
                    bias_codes<KV, F::V_WORDS>(vw[n][j]);
                }
    #pragma unroll
            for (int nt = 0; nt < F::NTILES; nt++) {
                uint32_t b[2];
    #pragma unroll
                for (int n = 0; n < 2; n++) {
                    if constexpr (!QUANTIZED) {
                        b[n] = __byte_perm(vw[n][0][nt / 2], vw[n][1][nt / 2], nt % 2 == 0 ? 0x5410 : 0x7632);
                    } else {
                        b[n] = code_pair_to_half2<KV>(vw[n][0][nt / 4], vw[n][1][nt / 4], nt % 4);
                    }
                }
    #pragma unroll
                for (int mt = 0; mt < MT; mt++) M::mma(o[mt][nt], pa[mt], b[0], b[1]);
            }
        }
    }
};

template <int KV, int Q, int D>
__device__ __forceinline__ void flash_kernel(const AttnParams& p) {
    using F = Flash<KV, Q, D>;
    using QT = typename F::QT;
    constexpr bool QUANTIZED = KvTraits<KV>::quantized;
    static_assert(QUANTIZED || (KV == KV_BF16) == (Q == Q_BF16), "16-bit caches match the query type");
    extern __shared__ __align__(16) char smem[];

    const WorkItem item(p, blockIdx.x);   // plan metadata only: read before the wait
    await_earlier_kernels();
    const int head = item.head, row0 = item.row0, rows = item.rows, lo = item.lo, hi = item.hi;
    const int part_out = item.part_out, pos0 = item.pos0;
    const int* blocks = item.blocks;
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int g = lane / 4;
    const int c = lane % 4;

    const int row_tiles = (rows + F::ROWS - 1) / F::ROWS;
    const int kv_parts = row_tiles == 1 ? 4 : row_tiles == 2 ? 2 : 1;
    const bool active = warp < row_tiles * kv_parts;
    const int rt = warp % row_tiles;
    const int kv_part = warp / row_tiles;

    const ItemScales<KV> scales(p, head);
    const bool per_token = scales.per_token;
    const float ks0 = scales.k, vs0 = scales.v;

    const float inv_block = 1.f / (float)p.block_size;
    const float vs_out = per_token ? 1.f : vs0;
    // Positions of the first and last query token of the warp's rows: a 16-token step entirely
    // inside every row's visible range skips the per-element mask.
    const int warp_pos_min = pos0 + (rt * F::ROWS) / p.group;
    const int warp_pos_max = pos0 + (min(rows, rt * F::ROWS + F::ROWS) - 1) / p.group;
    // Score multiplier into log2 units (soft-capping needs natural units first).
    const float to_log2 = p.soft_cap > 0.f ? 1.f : F::LOG2E;

    // This lane's rows (g and g + 8 of each of the warp's MMA row tiles): queries and their scales.
    uint32_t qa[F::MT][F::KSTEPS][4];
    float q_unscale[F::MT][2];   // undoes the power of two that brought the row into fp16 range
#pragma unroll
    for (int x = 0; x < 2 * F::MT; x++) {
        const int mt = x / 2, h = x % 2;
        const int r = rt * F::ROWS + mt * 16 + g + 8 * h;
        const int i = r / p.group;
        uint32_t w[F::Q_WORDS];
        if (active && r < rows) {
            const QT* qp = (const QT*)p.q + ((int64_t)(row0 + i) * p.num_qo_heads + head * p.group + r % p.group) * D;
            load_words<F::Q_WORDS * 4>(w, qp + c * F::K_DIMS);
        } else {
#pragma unroll
            for (int x = 0; x < F::Q_WORDS; x++) w[x] = 0;
        }
        q_unscale[mt][h] = 1.f;
        if constexpr (QUANTIZED) q_unscale[mt][h] = queries_to_fp16<Q, F::Q_WORDS>(w);
#pragma unroll
        for (int kk = 0; kk < F::KSTEPS; kk++) {
            qa[mt][kk][h] = w[2 * kk];          // a0 / a1: row g / g+8, dims 4kk, 4kk+1
            qa[mt][kk][2 + h] = w[2 * kk + 1];  // a2 / a3: dims 4kk+2, 4kk+3
        }
    }
    // With Q_SMEM the warp's query fragments go to shared memory, [MT][KSTEPS][lane] x 16 bytes;
    // each lane reads back only what it wrote, so no barrier is needed.
    uint4* const q_smem = reinterpret_cast<uint4*>(smem + F::Q_OFFSET) + warp * F::MT * F::KSTEPS * 32 + lane;
    if constexpr (F::Q_SMEM) {
#pragma unroll
        for (int mt = 0; mt < F::MT; mt++)
#pragma unroll
            for (int kk = 0; kk < F::KSTEPS; kk++)
                q_smem[(mt * F::KSTEPS + kk) * 32] = make_uint4(qa[mt][kk][0], qa[mt][kk][1], qa[mt][kk][2], qa[mt][kk][3]);
    }
    // Per row: the score multiplier (softmax scale, log2 units, the row's query unscale and a
    // TENSOR / HEAD K scale); a per-token K scale multiplies each score. Without soft-capping the
    // row multiplier is applied inside the exponent's FMA (row_mul), not to every score.
    const bool capped = p.soft_cap > 0.f;
    float qk_scale[F::MT][2], row_mul[F::MT][2];
#pragma unroll
    for (int mt = 0; mt < F::MT; mt++)
        for (int h = 0; h < 2; h++) {
            qk_scale[mt][h] = p.sm_scale * to_log2 * q_unscale[mt][h] * (per_token ? 1.f : ks0);
            row_mul[mt][h] = capped ? 1.f : qk_scale[mt][h];
        }

    using Step = FlashStep<KV, Q, D>;
    typename Step::State st;
    st.init();
    auto& o = st.o;
    auto& m = st.m;
    auto& l = st.l;
    const FlashLane lane_info{g, c, rt, pos0, hi, warp_pos_min, warp_pos_max, per_token, capped};

    // One step of a warp, phase by phase (see compute_qk ... compute_sfm_v above).
    auto step = [&](const char* slot, int k0, int t0) {
        const float* sk = reinterpret_cast<const float*>(slot + Ring<F::E, D, F::TOKENS>::SCALE_OFFSET) + k0;
        const float* sv = sk + F::TOKENS;
        typename F::Scores sc;
        Step::compute_qk(slot, k0, lane_info, qa, q_smem, sc);
        Step::scale_logits(p, sk, lane_info, qk_scale, sc);
        Step::mask_logits(p, t0, lane_info, sc);
        Step::update_mdo_states(st, row_mul, sc);
        if (per_token) Step::weight_by_v_scale(st, sv, c, sc);
        Step::compute_sfm_v(st, slot, k0, lane_info, sc);
    };

    stream_through_ring<KV, D, F::TOKENS, F::STAGES, F::THREADS, 1, false>(p, blocks, head, lo, hi, per_token ? 1 : 0, inv_block, smem,
                                                                [&](int s, int) {
        if (!active) return;
        const char* slot = ring_slot<F::STAGE_BYTES, F::STAGES>(smem, s);
        const int ts = lo + s * F::TOKENS;
        // The warp's steps of this stage: all of them, or with spare warps (items of fewer rows
        // than the block holds) every kv_parts-th step, interleaved.
#pragma unroll 1
        for (int sub = 0; sub < F::TOKENS / F::STEP; sub++) {
            if ((s * (F::TOKENS / F::STEP) + sub) % kv_parts != kv_part) continue;
            const int k0 = sub * F::STEP;
            if (ts + k0 >= hi) continue;
            step(slot, k0, ts + k0);
        }
    });   // the ring is free again: the epilogue reuses it

    // Epilogue: row sums over the row's four lanes, then every warp's state to shared memory.
    float* sm_o = reinterpret_cast<float*>(smem);             // [WARPS][ROWS][O_STRIDE]
    float* sm_m = sm_o + F::WARPS * F::ROWS * F::O_STRIDE;    // [WARPS][ROWS]
    float* sm_l = sm_m + F::WARPS * F::ROWS;                  // [WARPS][ROWS]
    float* sm_v = sm_l + F::WARPS * F::ROWS;                  // [WARPS]: the warp's V reference scale
#pragma unroll
    for (int mt = 0; mt < F::MT; mt++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            l[mt][h] += __shfl_xor_sync(0xffffffffu, l[mt][h], 1);
            l[mt][h] += __shfl_xor_sync(0xffffffffu, l[mt][h], 2);
        }
    if (active) {
        float* so = sm_o + warp * F::ROWS * F::O_STRIDE;
#pragma unroll
        for (int mt = 0; mt < F::MT; mt++)
#pragma unroll
            for (int nt = 0; nt < F::NTILES; nt++) {
#pragma unroll
                for (int x = 0; x < 4; x++) {
                    const int r = mt * 16 + g + 8 * (x >> 1);
                    const int seg = 2 * c + (x & 1);   // dim = seg * V_DIMS + nt; one pad float per segment
                    so[r * F::O_STRIDE + seg * (F::V_DIMS + 1) + nt] = o[mt][nt][x];
                }
            }
        if (c == 0) {
#pragma unroll
            for (int mt = 0; mt < F::MT; mt++) {
                sm_m[warp * F::ROWS + mt * 16 + g] = m[mt][0];
                sm_m[warp * F::ROWS + mt * 16 + g + 8] = m[mt][1];
                sm_l[warp * F::ROWS + mt * 16 + g] = l[mt][0];
                sm_l[warp * F::ROWS + mt * 16 + g + 8] = l[mt][1];
            }
        }
        if (lane == 0) sm_v[warp] = per_token ? st.vref : 1.f;
    }
    __syncthreads();
    // Merge the KV parts of each row and write 8 consecutive dims per thread.
    constexpr int PER_ROW = D / 8;
    for (int x = threadIdx.x; x < rows * PER_ROW; x += blockDim.x) {
        const int r = x / PER_ROW;
        const int d0 = (x % PER_ROW) * 8;
        const int tile = r / F::ROWS, rr = r % F::ROWS;
        float mx = -INFINITY;
        for (int k = 0; k < kv_parts; k++) mx = fmaxf(mx, sm_m[(tile + k * row_tiles) * F::ROWS + rr]);
        const float base = mx == -INFINITY ? 0.f : mx;
        float lsum = 0.f, acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
        for (int k = 0; k < kv_parts; k++) {
            const int w = tile + k * row_tiles;
            const float e = exp2f(sm_m[w * F::ROWS + rr] - base);
            lsum += e * sm_l[w * F::ROWS + rr];
            const float wt = e * sm_v[w];
            const float* so = sm_o + (w * F::ROWS + rr) * F::O_STRIDE;
#pragma unroll
            for (int e = 0; e < 8; e++) {
                const int d = d0 + e;
                acc[e] += wt * so[(d / F::V_DIMS) * (F::V_DIMS + 1) + d % F::V_DIMS];
            }
        }
        // O / l, with a TENSOR / HEAD V scale.
        const float inv = lsum > 0.f ? vs_out / lsum : 0.f;
        const float lse = lsum > 0.f ? mx / F::LOG2E + logf(lsum) : -INFINITY;
        store_row8<Q, D>(p, part_out, rows, row0, head, r, d0, acc, inv, lse);
    }
}

}  // namespace attn4j
