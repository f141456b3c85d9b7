// The tensor-core decode kernel for head dims 64, 128 and 256: work items of at most 8 packed rows
// (query token x query head of the KV group), i.e. decode steps for group sizes up to 8, and short
// speculative steps (query tokens x G <= 8). Larger items run the flash kernel (flash.cuh).
//
// Layout (the one TensorRT-LLM's XQA uses): KV tokens on the MMA's M dimension, the item's rows on
// N. S^T = K Q^T is an m16n8k16 MMA with K as the A operand (16 tokens x 16 dims) and the queries
// as B (16 dims x 8 rows): with G = 4 half of the tile is real work, where queries on M (flash.cuh)
// use 4 of 16 rows. The output is accumulated transposed, O^T = V^T P^T (16 dims x 8 rows per
// MMA), so a lane holds 8 x D / 16 ... D / 4 accumulators instead of D / 2, and the softmax works on
// 4 scores per lane per 16 tokens.
//
// Work: one block (4 warps; 2 for 16-bit caches at head dim 256, Decode::WARPS) per WorkSplit item.
// The block streams stages of 16 tokens per warp, raw K/V codes and per-token scales, through the
// shared-memory ring (ring.cuh); warp w takes tokens 16w ... 16w+15 of every stage. The warps'
// softmax states merge in shared memory at the end.
//
// Register layouts (lane = 4g + t; the m16n8k16 fragment layouts):
// - K (A operand): lane (g, t) holds tokens g and g + 8 of the tile, head dims [t*D/4, (t+1)*D/4)
//   (any permutation of dims applied to both K and Q leaves Q.K unchanged): k-step kk takes dims
//   4kk ... 4kk+3 of that range, read contiguously.
// - Q (B operand): lane (g, t) holds row g, the same dims; loaded once.
// - S^T accumulator: lane (g, t) holds tokens g, g + 8 of rows 2t, 2t + 1.
// - P^T (B operand of the second MMA): lane (g, t) needs row g, tokens 2t, 2t+1, 2t+8, 2t+9: the
//   transpose of the S^T accumulator's 8x8 halves, one movmatrix each.
// - V^T (A operand): lane (g, t) holds tokens 2t, 2t+1, 2t+8, 2t+9 of dims [g*D/8, (g+1)*D/8);
//   m-tile j puts dims g*D/8 + 2j and + 2j + 1 on the tile's rows g and g + 8. Two tokens' bytes of
//   one dim are paired with a byte permute.
//
// Numbers: 8-bit caches multiply in fp16 with exact codes, queries scaled by a power of two per row
// (mma.cuh), as in flash.cuh. The softmax keeps a reference max per row and rescales only when a
// score exceeds it by more than 2^8 (FlashAttention-4's lazy rescaling): probabilities stay <= 256
// and most tiles skip the cross-lane max. A per-token V scale multiplies the probability before it
// becomes an operand, relative to a reference scale kept the same lazy way (ratio <= 64), so the
// fp16 operand stays below 2^14; TENSOR and HEAD V scales multiply the output. CHANNEL scales fold
// into the queries (K's) and the output (V's), see ItemScales; a query times its K channel scale
// is not exact in fp16, so it enters as two operands, the rounded product and its remainder (the
// remainder's MMA is the one extra per k-step such a cache costs), and scores stay exact in fp32.
#pragma once
#include <type_traits>
#include "claimed_stages.cuh"
#include "ring.cuh"
#include "split_merge.cuh"

#ifndef ATTN4J_DECODE_MIN_BLOCKS
#define ATTN4J_DECODE_MIN_BLOCKS 4
#endif

namespace attn4j {

// GROUP_SCALES: whether the ring has room for TOKEN_GROUP scales (head dim / 16 per token, 4 KiB a
// stage at head dim 128). That room costs the other caches a stage (d128: 3 -> 2 at 4 blocks per
// SM) or a block per SM (d256: 3 -> 2), so every head dim has two kernels: attn4j_decode_* without
// it and attn4j_decode_tg_* with it, for TOKEN_GROUP caches only (CudaKernels.attentionFor).
template <int KV, int Q, int D, bool GROUP_SCALES = false>
struct Decode {
    using QT = typename QTraits<Q>::T;
    static constexpr int E = (int)sizeof(typename KvTraits<KV>::T);
    // 16-bit rows at d256 are 512 bytes: a 64-token stage of K and V is 66 KiB, so 4-warp blocks
    // with two stages held one block (4 warps) per SM. Those caches run 2-warp blocks of 32-token
    // stages instead, three per SM: more warps and more bytes in flight. The launcher reads the
    // block size from __launch_bounds__ (LoadedKernels.blockThreads). ATTN4J_DECODE_WIDE16_WARPS
    // and _STAGES override them for kernel experiments.
#ifndef ATTN4J_DECODE_WIDE16_WARPS
#define ATTN4J_DECODE_WIDE16_WARPS 2
#endif
#ifndef ATTN4J_DECODE_WIDE16_STAGES
#define ATTN4J_DECODE_WIDE16_STAGES 2
#endif
    static constexpr bool WIDE16 = E == 2 && D == 256;
    static constexpr int WARPS = WIDE16 ? ATTN4J_DECODE_WIDE16_WARPS : 4;
    static constexpr int THREADS = 32 * WARPS;
    static constexpr int TILE = 16;               // tokens of one warp per stage (the MMA's M)
    static constexpr int TOKENS = TILE * WARPS;   // tokens per stage
    // Scales per token the ring holds: TOKEN_GROUP scales of groups down to 16 dims (the kernel
    // takes groups of 16k dims and at least D / 8, CudaKernels.decodeOnlyScales), else one.
    static constexpr bool GROUPED = KvTraits<KV>::quantized && GROUP_SCALES;
#ifndef ATTN4J_DECODE_TG_MIN_GROUP   // kernel experiments: room for groups of at least this many dims only
#define ATTN4J_DECODE_TG_MIN_GROUP 16
#endif
    static constexpr int SCALES = GROUPED ? D / ATTN4J_DECODE_TG_MIN_GROUP : 1;
    // 4 blocks per SM at head dims up to 128 (more resident warps beat deeper rings that cost a
    // block, docs/PERF.md), and as many stages as fit beside them: 3 for 8-bit rows (two in
    // flight while one is read; 128-byte rows swizzled, not padded, to make room for the third at
    // d128), else 2. Decode reads every byte once, so the bytes in flight per SM set its rate.
    // ATTN4J_DECODE_STAGES, _MIN_BLOCKS and _D256_MIN_BLOCKS override them for kernel experiments
    // (a fatbin built with -D).
    static constexpr bool SWIZZLE = D * E == 128;
#ifdef ATTN4J_DECODE_STAGES
    static constexpr int STAGES = ATTN4J_DECODE_STAGES;
#else
    static constexpr int STAGES = WIDE16 ? ATTN4J_DECODE_WIDE16_STAGES : E == 1 && D <= 128 && !GROUPED ? 3 : 2;
#endif
    // At d256, 3 blocks per SM for 8-bit caches (168 registers, no spills; left to itself the
    // compiler took 192, i.e. 2 blocks); 16-bit ones spill at 168 and TOKEN_GROUP rings fit only 2.
#ifdef ATTN4J_DECODE_D256_MIN_BLOCKS
    static constexpr int WIDE_MIN_BLOCKS = ATTN4J_DECODE_D256_MIN_BLOCKS;
#else
    static constexpr int WIDE_MIN_BLOCKS = E == 1 && !GROUPED ? 3 : WIDE16 && WARPS == 2 ? 3 : 1;
#endif
    static constexpr int MIN_BLOCKS = D <= 128 ? ATTN4J_DECODE_MIN_BLOCKS : WIDE_MIN_BLOCKS;
    using R = Ring<E, D, TOKENS, SCALES, SWIZZLE>;
    // The ring looks up each copy's block ids a stage ahead (stream_through_ring) in the int8
    // kernels at head dims up to 128: their scores on the integer MMA leave the shortest math per
    // stage, and the copy's wait on its block ids showed (H200, llama3-8b 64 x 4096 int8/TOKEN
    // 141.4 -> 139.4 us, one sequence of 131072 tokens 89.2 -> 85.7). fp8 and 16-bit caches at
    // d128, and every cache at d256, were 1-4 % slower with it at 64 x 4096 (docs/PERF.md).
#ifdef ATTN4J_DECODE_LOOKUP_AHEAD   // kernel experiments: 1 for every decode kernel, 0 for none
    static constexpr bool LOOKUP_AHEAD = ATTN4J_DECODE_LOOKUP_AHEAD;
#else
    static constexpr bool LOOKUP_AHEAD = KV == KV_INT8 && D <= 128 && !GROUP_SCALES;
#endif
    static constexpr int K_DIMS = D / 4;          // K (and Q) dims a lane holds per token
    static constexpr int V_DIMS = D / 8;          // V dims a lane holds per token
    static constexpr int K_WORDS = K_DIMS * E / 4;
    static constexpr int V_WORDS = V_DIMS * E / 4;
    static constexpr int Q_WORDS = K_DIMS / 2;
    static constexpr int KSTEPS = D / 16;
    static constexpr int MTILES = D / 16;
    static constexpr int RING_BYTES = STAGES * R::STAGE_BYTES;
    // Epilogue: per warp 8 rows of fp32 output; a lane group's V_DIMS dims plus 2 pad floats.
    static constexpr int SEG = V_DIMS + 2;
    static constexpr int O_STRIDE = 8 * SEG + 4;
    static constexpr int EPILOGUE_BYTES = WARPS * 8 * O_STRIDE * 4 + 2 * WARPS * 8 * 4 + WARPS * 4;
    // After the ring / epilogue union: the queries' fp16 remainders under CHANNEL K scales, one
    // uint2 B fragment per k-step and lane (the same for every warp; warp 0 writes them). Not in
    // the TOKEN_GROUP kernels, which never see CHANNEL scales.
    static constexpr int Q_LO_OFFSET = RING_BYTES > EPILOGUE_BYTES ? RING_BYTES : EPILOGUE_BYTES;
    // int8 caches (but TOKEN_GROUP's) convert their queries to int8 once per block, not once per
    // warp: warp w converts packed rows 2w and 2w + 1, 16 lanes a row, into the same room (the
    // rows' hi codes, [8][D] bytes, then their lo codes; q_lo's size), with the rows' scales after
    // it; every warp reads its operands back after the ring's first barrier. Per warp that was
    // about 500 instructions of an item's 2400 outside the stage loop (docs/PERF.md).
    static constexpr bool SHARED_Q = KV == KV_INT8 && !GROUPED && WARPS == 4;
    // Then the published stage claims (claimed_stages.cuh), read throughout the stage loop.
    static constexpr int CLAIMS_OFFSET = Q_LO_OFFSET + (GROUPED ? 0 : KSTEPS * 32 * 8) + (SHARED_Q ? 8 * 4 : 0);
    static constexpr int SMEM_BYTES = CLAIMS_OFFSET + ClaimedStages<TOKENS, STAGES>::SLOTS * 4;
    static constexpr float LOG2E = 1.4426950408889634f;
    static constexpr float HEADROOM = 8.f;        // log2 of how far a score may exceed the reference max
    static constexpr float V_HEADROOM = 64.f;     // how far a per-token V scale may exceed its reference
    // The same for a TOKEN_GROUP V scale, which multiplies the codes themselves: code x 64 stays
    // below 2^13 for int8 and e4m3 (448 x 64), but e5m2 codes reach 57344, so there the scale may
    // not exceed its reference at all.
    static constexpr float GROUP_V_HEADROOM = KV == KV_E5M2 ? 1.f : 64.f;
};

// Transposes an 8x8 matrix of 16-bit values held in the MMA fragment layout.
__device__ __forceinline__ uint32_t transpose8x8(uint32_t x) {
    uint32_t y;
    asm volatile("movmatrix.sync.aligned.m8n8.trans.b16 %0, %1;\n" : "=r"(y) : "r"(x));
    return y;
}

// The warp's reference V scale, moved lazily: once some lane's largest scale `vmax` passes
// vref x headroom, the largest over the warp (lanes combined from xor offset FIRST_XOR up: the
// lanes that hold other tokens or groups) becomes the reference, and the output accumulated so
// far is rescaled to it.
template <int MTILES, int FIRST_XOR>
__device__ __forceinline__ void move_v_reference(float vmax, float headroom, float (&o)[MTILES][4], float& vref,
                                                 float& inv_vref) {
    if (__any_sync(0xffffffffu, vmax > vref * headroom)) {
#pragma unroll
        for (int x = FIRST_XOR; x < 32; x <<= 1) vmax = fmaxf(vmax, __shfl_xor_sync(0xffffffffu, vmax, x));
        const float v_new = fmaxf(vref, vmax);
        const float corr = v_new > 0.f ? vref / v_new : 1.f;
#pragma unroll
        for (int j = 0; j < MTILES; j++) o[j][0] *= corr, o[j][1] *= corr, o[j][2] *= corr, o[j][3] *= corr;
        vref = v_new;
        inv_vref = v_new > 0.f ? 1.f / v_new : 0.f;
    }
}

// Calls f(std::integral_constant<int, S>) for S = n, a power of two up to MAX: the k-steps per
// TOKEN_GROUP group as a compile-time constant, so the unrolled step loop tests a group's end with
// no division (a runtime `% group_size` and `/ group_size` per step were integer divisions in the loop).
template <int MAX, class F>
__device__ __forceinline__ void with_steps(int n, F&& f) {
    if constexpr (MAX >= 1) {
        if (n == MAX) {
            f(std::integral_constant<int, MAX>{});
            return;
        }
        with_steps<MAX / 2>(n, f);
    }
}

template <int KV, int Q, int D, bool GROUP_SCALES = false>
__device__ __forceinline__ void decode_kernel(const AttnParams& p) {
    using F = Decode<KV, Q, D, GROUP_SCALES>;
    using QT = typename F::QT;
    using M = FlashMma<KV, Q>;
    constexpr bool QUANTIZED = KvTraits<KV>::quantized;
    extern __shared__ __align__(16) char smem[];

    const WorkItem item(p, blockIdx.x);   // plan metadata only: read before the wait
    DecodeStages<F::TOKENS, F::STAGES> stages(p, blockIdx.x, item.lo, item.hi, reinterpret_cast<int*>(smem + F::CLAIMS_OFFSET));
    await_earlier_kernels();
    const int head = item.head, row0 = item.row0, hi = stages.hi, part_out = item.part_out, pos0 = item.pos0;
    const int rows = item.rows;   // <= 8 (CudaKernels.attentionFor)
    const int* blocks = item.blocks;
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int g = lane / 4;
    const int t = lane % 4;

    const ItemScales<KV> scales(p, head);
    const bool per_token = scales.per_token;
    const float ks0 = scales.k, vs0 = scales.v;
    const float inv_block = 1.f / (float)p.block_size;
    // TOKEN_GROUP scales: the K dot product is summed group by group (k-step kk takes dims
    // 16kk ... 16kk + 15, one group's), each group's part scaled by its token's K scale; V codes
    // are multiplied by their token's group scale before the MMA (lane group g's dims lie in one
    // group). `groups` scales per token (0: other granularities).
    const bool grouped = F::GROUPED && p.gran == G_TOKEN_GROUP;
    const int groups = grouped ? D / p.group_size : 0;
    // 16-dim k-steps per group (a power of two: groups divide D), and this lane's V group (its
    // D / 8 dims lie in one): loop constants, so no division is left inside the loop.
    const int group_steps16 = grouped ? p.group_size / 16 : 0;
    const int v_group = grouped ? g * F::V_DIMS / p.group_size : 0;
    const int token_scales = grouped ? groups : per_token ? 1 : 0;
    // Score multiplier into log2 units (soft-capping needs natural units first).
    const float to_log2 = p.soft_cap > 0.f ? 1.f : F::LOG2E;
    const float cap_scale = p.soft_cap > 0.f ? 2.f * F::LOG2E / p.soft_cap : 0.f;   // soft_cap_log2's

    // CHANNEL K scales fold into the queries: hi operands in registers, the remainders in q_lo.
    const bool channel = scales.k_channel != nullptr;
    uint2* const q_lo = reinterpret_cast<uint2*>(smem + F::Q_LO_OFFSET);
    // int8 caches score on the integer MMA: the K codes are its A operand as stored (no decoding,
    // which was a third of the kernel's instructions), the queries two int8 B operands, hi and lo
    // (queries_to_int8; CHANNEL K scales folded in there, no remainder MMA). TOKEN_GROUP caches
    // sum each group's steps exactly in int32 and scale the group's sum by its tokens' K scales.
    constexpr bool IMMA = KV == KV_INT8;
    uint32_t qi[2][F::K_WORDS];   // IMMA: hi, lo words of dims t * K_DIMS ... (4 per word)
    // Queries: row g of the B operand (zeros past the item's rows).
    uint32_t qb[F::KSTEPS][2];
    float q_unscale = 1.f;
    // This lane's score columns: rows 2t and 2t + 1.
    float qk_scale[2];
    int pos[2];
#pragma unroll
    for (int h = 0; h < 2; h++) pos[h] = pos0 + (2 * t + h) / p.group;
    // The queries, loaded and converted once the ring's first copies are issued (its prelude), so
    // their load's latency hides behind those copies instead of coming before them.
    char* const q_codes = smem + F::Q_LO_OFFSET;                               // SHARED_Q: hi [8][D], lo [8][D]
    float* const q_scales = reinterpret_cast<float*>(q_codes + 2 * 8 * D);    // SHARED_Q: [8]
    // SHARED_Q: this warp's rows converted into q_codes and q_scales (the prelude).
    const auto convert_shared_queries = [&]() {
        constexpr int DL = D / 16;   // dims per lane
        const int r = 2 * warp + lane / 16, s = lane % 16;
        uint32_t w[DL / 2], hi[DL / 4], lo[DL / 4];
        if (r < rows) {
            const int i = r / p.group;
            const QT* qp = (const QT*)p.q + ((int64_t)(row0 + i) * p.num_qo_heads + head * p.group + r % p.group) * D;
            load_words<DL * 2>(w, qp + s * DL);
        } else {
#pragma unroll
            for (int x = 0; x < DL / 2; x++) w[x] = 0;
        }
        const float unscale = queries_to_int8<Q, DL, 16>(w, channel ? scales.k_channel + s * DL : nullptr, hi, lo);
#pragma unroll
        for (int x = 0; x < DL / 4; x++) {
            reinterpret_cast<uint32_t*>(q_codes + r * D + s * DL)[x] = hi[x];
            reinterpret_cast<uint32_t*>(q_codes + (8 + r) * D + s * DL)[x] = lo[x];
        }
        if (s == 0) q_scales[r] = unscale;
    };
    // SHARED_Q: this lane's operands and score scales from them (after the ring's first barrier).
    const auto read_shared_queries = [&]() {
#pragma unroll
        for (int h = 0; h < 2; h++)
            lds_words<F::K_WORDS * 4>(qi[h], q_codes + (8 * h + g) * D + t * F::K_DIMS);
#pragma unroll
        for (int h = 0; h < 2; h++) qk_scale[h] = p.sm_scale * to_log2 * (1.f / 254.f) * q_scales[2 * t + h];
    };
    const auto load_queries = [&]() {
        if constexpr (F::SHARED_Q) {
            convert_shared_queries();
            return;
        }
        uint32_t w[F::Q_WORDS];
        if (g < rows) {
            const int i = g / p.group;
            const QT* qp = (const QT*)p.q + ((int64_t)(row0 + i) * p.num_qo_heads + head * p.group + g % p.group) * D;
            if (grouped) {   // k-step kk: dims 16kk + 4t ... + 3
#pragma unroll
                for (int kk = 0; kk < F::KSTEPS; kk++) load_words<8>(w + 2 * kk, qp + 16 * kk + 4 * t);
            } else {
                load_words<F::Q_WORDS * 4>(w, qp + t * F::K_DIMS);
            }
        } else {
#pragma unroll
            for (int x = 0; x < F::Q_WORDS; x++) w[x] = 0;
        }
        if constexpr (IMMA) {
            q_unscale = queries_to_int8<Q, F::K_DIMS>(w, channel ? scales.k_channel + t * F::K_DIMS : nullptr, qi[0], qi[1]);
        } else if constexpr (QUANTIZED) {
            if (channel) {
                uint32_t lo[F::Q_WORDS];
                q_unscale = queries_to_fp16<Q, F::Q_WORDS>(w, scales.k_channel + t * F::K_DIMS, lo);
                if (warp == 0) {   // visible to every warp after the ring's first barrier (the prelude runs before it)
#pragma unroll
                    for (int kk = 0; kk < F::KSTEPS; kk++) q_lo[kk * 32 + lane] = make_uint2(lo[2 * kk], lo[2 * kk + 1]);
                }
            } else {
                q_unscale = queries_to_fp16<Q, F::Q_WORDS>(w);
            }
        }
#pragma unroll
        for (int kk = 0; kk < F::KSTEPS; kk++) {
            qb[kk][0] = w[2 * kk];
            qb[kk][1] = w[2 * kk + 1];
        }
#pragma unroll
        for (int h = 0; h < 2; h++)
            qk_scale[h] = p.sm_scale * to_log2 * (IMMA ? 1.f / 254.f : 1.f) * __shfl_sync(0xffffffffu, q_unscale, 4 * (2 * t + h));
    };
    const int pos_min = pos0;
    const int pos_max = pos0 + (rows - 1) / p.group;

    float o[F::MTILES][4];
#pragma unroll
    for (int j = 0; j < F::MTILES; j++) o[j][0] = o[j][1] = o[j][2] = o[j][3] = 0.f;
    float m[2] = {-INFINITY, -INFINITY};   // reference max per row (log2 units), warp-uniform per row
    float l[2] = {0.f, 0.f};               // this lane's part of the sum of 2^(s - m)
    float vref = 0.f, inv_vref = 0.f;      // reference per-token V scale (warp-uniform)

    stream_stages<KV, D, F::TOKENS, F::STAGES, F::THREADS, F::SCALES, F::SWIZZLE, F::LOOKUP_AHEAD>(p, blocks, head, hi, token_scales, inv_block, smem,
                                                                stages, [&](int s, int stage_t0) {
        const char* slot = ring_slot<F::R::STAGE_BYTES, F::STAGES>(smem, s);
        const int k0 = warp * F::TILE;                 // the warp's first token in the stage
        const int t0 = stage_t0 + k0;                  // and in the sequence
        if (t0 >= hi) return;
        if constexpr (F::SHARED_Q) {
            if (s == 0) read_shared_queries();   // a warp with no first stage has none after it
        }
        const float* sk = reinterpret_cast<const float*>(slot + F::R::SCALE_OFFSET) + k0 * (grouped ? groups : 1);
        const float* sv = reinterpret_cast<const float*>(slot + F::R::V_SCALE_OFFSET) + k0 * (grouped ? groups : 1);

        // S^T = K Q^T; two accumulators (even and odd k-steps) halve the dependent MMA chain.
        float sc[4], sc2[4] = {0.f, 0.f, 0.f, 0.f};
        sc[0] = sc[1] = sc[2] = sc[3] = 0.f;
        {
            uint32_t kw[2][F::K_WORDS];
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const int row = k0 + g + 8 * h;
                if (QUANTIZED && grouped) {   // k-step kk: the 4 codes of dims 16kk + 4t ... + 3
#pragma unroll
                    for (int kk = 0; kk < F::KSTEPS; kk++)
                        kw[h][kk] = *reinterpret_cast<const uint32_t*>(slot + F::R::at(row, 16 * kk + 4 * t));
                } else {
                    lds_row<typename F::R, F::K_WORDS * 4>(kw[h], slot, row, t * F::K_DIMS * F::E);
                }
                if constexpr (!IMMA) bias_codes<KV, F::K_WORDS>(kw[h]);
            }
            if constexpr (IMMA) {
                // acc[0] sums K . hi, acc[1] K . lo; 254 hi + lo is exact in int32 (|.| <= 254 x 127 x
                // 127 x 256 < 2^31), one conversion per score, the 1 / 254 folded into qk_scale.
                int acc[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
                if (!grouped) {
                    // k-step kk of 32: this lane's words 2kk, 2kk + 1 (dims t * K_DIMS + 8kk ... + 7)
                    // of tokens g and g + 8, against the same words of the queries.
#pragma unroll
                    for (int kk = 0; kk < D / 32; kk++) {
                        const uint32_t a[4] = {kw[0][2 * kk], kw[1][2 * kk], kw[0][2 * kk + 1], kw[1][2 * kk + 1]};
                        imma_16832(acc[0], a, qi[0][2 * kk], qi[0][2 * kk + 1]);
                        imma_16832(acc[1], a, qi[1][2 * kk], qi[1][2 * kk + 1]);
                    }
#pragma unroll
                    for (int x = 0; x < 4; x++) sc[x] = (float)(254 * acc[0][x] + acc[1][x]);
                } else {
                    // Word w holds dims 16w + 4t ... + 3: groups of 32k dims take k-steps of 32 (words
                    // 2kk, 2kk + 1), groups of 16 k-steps of 16. At a group's last step its exact sum,
                    // times its tokens' K scales, joins the score.
                    const auto group_done = [&](int gi) {
                        const float s0 = sk[g * groups + gi], s1 = sk[(g + 8) * groups + gi];
#pragma unroll
                        for (int x = 0; x < 4; x++) {
                            sc[x] = fmaf(x < 2 ? s0 : s1, (float)(254 * acc[0][x] + acc[1][x]), sc[x]);
                            acc[0][x] = acc[1][x] = 0;
                        }
                    };
                    if (group_steps16 % 2 == 0) {
                        with_steps<D / 32>(group_steps16 / 2, [&](auto steps) {   // k-steps of 32 per group
                            constexpr int S = decltype(steps)::value;
#pragma unroll
                            for (int kk = 0; kk < D / 32; kk++) {
                                const uint32_t a[4] = {kw[0][2 * kk], kw[1][2 * kk], kw[0][2 * kk + 1], kw[1][2 * kk + 1]};
                                imma_16832(acc[0], a, qi[0][2 * kk], qi[0][2 * kk + 1]);
                                imma_16832(acc[1], a, qi[1][2 * kk], qi[1][2 * kk + 1]);
                                if ((kk + 1) % S == 0) group_done(kk / S);
                            }
                        });
                    } else {   // groups of 16 (the only odd number of 16-dim steps that divides D)
#pragma unroll
                        for (int kk = 0; kk < D / 16; kk++) {
                            imma_16816(acc[0], kw[0][kk], kw[1][kk], qi[0][kk]);
                            imma_16816(acc[1], kw[0][kk], kw[1][kk], qi[1][kk]);
                            group_done(kk);
                        }
                    }
                }
            }
            // The fp16 path: k-step kk's A operand (tokens g, g + 8; 16 dims) from the raw words.
            const auto k_operand = [&](int kk, uint32_t (&a)[4]) {
                if constexpr (!QUANTIZED) {
                    a[0] = kw[0][2 * kk];
                    a[1] = kw[1][2 * kk];
                    a[2] = kw[0][2 * kk + 1];
                    a[3] = kw[1][2 * kk + 1];
                } else {
                    codes_to_half2<KV>(kw[0][kk], a[0], a[2]);
                    codes_to_half2<KV>(kw[1][kk], a[1], a[3]);
                }
            };
            if (!IMMA && grouped) {
                // sc2 sums the group's k-steps; at its last, sc += its tokens' K scales x sc2.
                with_steps<F::KSTEPS>(group_steps16, [&](auto steps) {
                    constexpr int S = decltype(steps)::value;
#pragma unroll
                    for (int kk = 0; kk < F::KSTEPS; kk++) {
                        uint32_t a[4];
                        k_operand(kk, a);
                        M::mma(sc2, a, qb[kk][0], qb[kk][1]);
                        if ((kk + 1) % S == 0) {
                            const int gi = kk / S;
                            const float s0 = sk[g * groups + gi], s1 = sk[(g + 8) * groups + gi];
                            sc[0] += s0 * sc2[0];
                            sc[1] += s0 * sc2[1];
                            sc[2] += s1 * sc2[2];
                            sc[3] += s1 * sc2[3];
                            sc2[0] = sc2[1] = sc2[2] = sc2[3] = 0.f;
                        }
                    }
                });
            } else if (!IMMA) {
#pragma unroll
                for (int kk = 0; kk < F::KSTEPS; kk++) {
                    uint32_t a[4];
                    k_operand(kk, a);
                    M::mma(kk % 2 == 0 ? sc : sc2, a, qb[kk][0], qb[kk][1]);
                    if (channel) {
                        const uint2 lo = q_lo[kk * 32 + lane];
                        M::mma(kk % 2 == 0 ? sc2 : sc, a, lo.x, lo.y);
                    }
                }
            }
        }
        // sc[x]: token g + 8 * (x >> 1), row 2t + (x & 1).
        const float ks[2] = {per_token ? sk[g] : ks0, per_token ? sk[g + 8] : ks0};
#pragma unroll
        for (int x = 0; x < 4; x++) sc[x] = (sc[x] + sc2[x]) * qk_scale[x & 1] * ks[x >> 1];
        if (p.soft_cap > 0.f) {   // one uniform branch, not one per score (flash.cuh)
#pragma unroll
            for (int x = 0; x < 4; x++) sc[x] = soft_cap_log2(sc[x], p.soft_cap, cap_scale);
        }
        const bool unmasked = t0 + F::TILE <= hi && (!p.causal || t0 + F::TILE - 1 <= pos_min)
                && (p.window <= 0 || t0 > pos_max - p.window);
        if (!unmasked) {
#pragma unroll
            for (int x = 0; x < 4; x++) {
                const int tk = t0 + g + 8 * (x >> 1);
                const int pp = pos[x & 1];
                const bool visible = tk < hi && (!p.causal || tk <= pp) && (p.window <= 0 || tk > pp - p.window);
                if (!visible) sc[x] = -INFINITY;
            }
        }
        // Lazy online softmax: the reference max moves only when a score passes it by HEADROOM.
        float mx[2] = {fmaxf(sc[0], sc[2]), fmaxf(sc[1], sc[3])};
        if (__any_sync(0xffffffffu, mx[0] > m[0] + F::HEADROOM || mx[1] > m[1] + F::HEADROOM)) {
            float corr[2];
#pragma unroll
            for (int h = 0; h < 2; h++) {
                mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 4));
                mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 8));
                mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 16));
                const float m_new = fmaxf(m[h], mx[h]);
                corr[h] = m_new == -INFINITY ? 1.f : exp2f(m[h] - m_new);
                m[h] = m_new;
                l[h] *= corr[h];
            }
#pragma unroll
            for (int j = 0; j < F::MTILES; j++) {
                o[j][0] *= corr[0];
                o[j][1] *= corr[1];
                o[j][2] *= corr[0];
                o[j][3] *= corr[1];
            }
        }
#pragma unroll
        for (int x = 0; x < 4; x++) {
            const float base = m[x & 1] == -INFINITY ? 0.f : m[x & 1];
            sc[x] = exp2f(sc[x] - base);
            l[x & 1] += sc[x];
        }
        if (per_token) {
            // V weights p * vs / vref, with the reference scale moved the same lazy way.
            float vt[2] = {sv[g], sv[g + 8]};
            move_v_reference<F::MTILES, 4>(fmaxf(vt[0], vt[1]), F::V_HEADROOM, o, vref, inv_vref);   // lanes of a t share tokens
#pragma unroll
            for (int x = 0; x < 4; x++) sc[x] *= vt[x >> 1] * inv_vref;
        }
        // TOKEN_GROUP: this lane's V dims lie in group gv; its tokens 2t, 2t+1 (n = 0) and 2t+8,
        // 2t+9 (n = 1) get multipliers vs / vref (as fp16 pairs) for their codes, the reference
        // scale moved the same lazy way as per-token V scales, so the fp16 operand stays finite
        // (GROUP_V_HEADROOM).
        uint32_t vmul[2] = {0u, 0u};
        if (grouped) {
            const int gv = v_group;
            float vt[4];
#pragma unroll
            for (int x = 0; x < 4; x++) vt[x] = sv[(2 * t + (x & 1) + 8 * (x >> 1)) * groups + gv];
            move_v_reference<F::MTILES, 1>(fmaxf(fmaxf(vt[0], vt[1]), fmaxf(vt[2], vt[3])), F::GROUP_V_HEADROOM, o, vref,
                                           inv_vref);
#pragma unroll
            for (int n = 0; n < 2; n++) {
                const __half2 h = __floats2half2_rn(vt[2 * n] * inv_vref, vt[2 * n + 1] * inv_vref);
                vmul[n] = *reinterpret_cast<const uint32_t*>(&h);
            }
        }
        // P^T as the B operand: the transposes of the accumulator's two 8-token halves.
        const uint32_t pb0 = transpose8x8(M::pack(sc[0], sc[1]));   // row g, tokens 2t, 2t+1
        const uint32_t pb1 = transpose8x8(M::pack(sc[2], sc[3]));   // row g, tokens 2t+8, 2t+9

        // O^T += V^T P^T. vw[n][j]: token 2t + j + 8n of this lane's dims.
        uint32_t vw[2][2][F::V_WORDS];
#pragma unroll
        for (int n = 0; n < 2; n++)
#pragma unroll
            for (int j = 0; j < 2; j++) {
                lds_row<typename F::R, F::V_WORDS * 4>(vw[n][j], slot + F::R::V_OFFSET, k0 + 2 * t + j + 8 * n,
                                                       g * F::V_DIMS * F::E);
                bias_codes<KV, F::V_WORDS>(vw[n][j]);
            }
#pragma unroll
        for (int w = 0; w < F::V_WORDS; w++) {
            if constexpr (!QUANTIZED) {
                // Word w holds dims 2w, 2w + 1: m-tile w.
                uint32_t a[4];
#pragma unroll
                for (int n = 0; n < 2; n++) {
                    a[2 * n] = __byte_perm(vw[n][0][w], vw[n][1][w], 0x5410);
                    a[2 * n + 1] = __byte_perm(vw[n][0][w], vw[n][1][w], 0x7632);
                }
                M::mma(o[w], a, pb0, pb1);
            } else {
                // Word w holds dims 4w ... 4w + 3: m-tiles 2w and 2w + 1.
                uint32_t a0[4], a1[4];
#pragma unroll
                for (int n = 0; n < 2; n++) {
                    codes_to_half2<KV>(__byte_perm(vw[n][0][w], vw[n][1][w], 0x5140), a0[2 * n], a0[2 * n + 1]);
                    codes_to_half2<KV>(__byte_perm(vw[n][0][w], vw[n][1][w], 0x7362), a1[2 * n], a1[2 * n + 1]);
                    if (grouped) {   // each pair holds tokens (2t, 2t+1) + 8n of one dim
                        a0[2 * n] = hmul2_bits(a0[2 * n], vmul[n]);
                        a0[2 * n + 1] = hmul2_bits(a0[2 * n + 1], vmul[n]);
                        a1[2 * n] = hmul2_bits(a1[2 * n], vmul[n]);
                        a1[2 * n + 1] = hmul2_bits(a1[2 * n + 1], vmul[n]);
                    }
                }
                M::mma(o[2 * w], a0, pb0, pb1);
                M::mma(o[2 * w + 1], a1, pb0, pb1);
            }
        }
    }, load_queries);   // the ring is free again: the epilogue reuses it

    // Epilogue: each warp's state to shared memory, then the four warps merged per row.
    float* sm_o = reinterpret_cast<float*>(smem);             // [WARPS][8][O_STRIDE]
    float* sm_m = sm_o + F::WARPS * 8 * F::O_STRIDE;          // [WARPS][8]
    float* sm_l = sm_m + F::WARPS * 8;                        // [WARPS][8]
    float* sm_v = sm_l + F::WARPS * 8;                        // [WARPS]
#pragma unroll
    for (int h = 0; h < 2; h++) {
        l[h] += __shfl_xor_sync(0xffffffffu, l[h], 4);
        l[h] += __shfl_xor_sync(0xffffffffu, l[h], 8);
        l[h] += __shfl_xor_sync(0xffffffffu, l[h], 16);
    }
    {
        float* so = sm_o + warp * 8 * F::O_STRIDE;
#pragma unroll
        for (int j = 0; j < F::MTILES; j++) {
            // o[j]: dims g*V_DIMS + 2j (+1 for x >= 2) of rows 2t (x even) and 2t + 1.
            const int at = g * F::SEG + 2 * j;
            *reinterpret_cast<float2*>(so + (2 * t) * F::O_STRIDE + at) = make_float2(o[j][0], o[j][2]);
            *reinterpret_cast<float2*>(so + (2 * t + 1) * F::O_STRIDE + at) = make_float2(o[j][1], o[j][3]);
        }
        if (g == 0) {
            sm_m[warp * 8 + 2 * t] = m[0];
            sm_m[warp * 8 + 2 * t + 1] = m[1];
            sm_l[warp * 8 + 2 * t] = l[0];
            sm_l[warp * 8 + 2 * t + 1] = l[1];
        }
        if (lane == 0) sm_v[warp] = per_token || grouped ? vref : 1.f;
    }
    __syncthreads();
    constexpr int PER_ROW = D / 8;
    for (int x = threadIdx.x; x < rows * PER_ROW; x += F::THREADS) {
        const int r = x / PER_ROW;
        const int d0 = (x % PER_ROW) * 8;
        float mx = -INFINITY;
#pragma unroll
        for (int w = 0; w < F::WARPS; w++) mx = fmaxf(mx, sm_m[w * 8 + r]);
        const float base = mx == -INFINITY ? 0.f : mx;
        float lsum = 0.f, acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
#pragma unroll
        for (int w = 0; w < F::WARPS; w++) {
            const float e = exp2f(sm_m[w * 8 + r] - base);
            lsum += e * sm_l[w * 8 + r];
            const float wt = e * sm_v[w];
            const float* so = sm_o + (w * 8 + r) * F::O_STRIDE;
#pragma unroll
            for (int k = 0; k < 8; k++) {
                const int d = d0 + k;
                acc[k] += wt * so[(d / F::V_DIMS) * F::SEG + d % F::V_DIMS];
            }
        }
        const float inv = lsum > 0.f ? (per_token ? 1.f : vs0) / lsum : 0.f;
        const float lse = lsum > 0.f ? mx / F::LOG2E + logf(lsum) : -INFINITY;
        scales.scale_output(d0, acc);
        store_row8<Q, D>(p, part_out, rows, row0, head, r, d0, acc, inv, lse);
    }
    // A split unit's last item to finish merges the unit (split_merge.cuh); the epilogue's shared
    // memory is free once last_of_unit's first barrier is passed.
    if (part_out >= 0 && p.tickets != nullptr
        && attn4j_common::last_of_unit(p, blockIdx.x, reinterpret_cast<int*>(smem))) {
        attn4j_common::merge_in_place<Q, D, F::THREADS>(p, blockIdx.x, rows, row0, head, reinterpret_cast<float*>(smem + 16));
    }
}

}  // namespace attn4j
