// What both tensor-core kernels (flash.cuh, decode.cuh) share around their math: the shared-memory
// ring they stream the paged cache through (its layout, the stage copy and the pipeline loop,
// stream_through_ring), and the store of finished output rows. A ring stage
// holds TOKENS consecutive tokens of one KV head, raw K rows, then raw V rows (codes exactly as
// stored), then the stage's per-token K and V scales. Rows are padded by 16 bytes so that fragment
// reads at a row stride spread over the shared-memory banks.
#pragma once
#include "attention.cuh"
#include "mma.cuh"

namespace attn4j {

// SCALES: room for that many K (and V) scales per token (1: TOKEN scales; the decode kernel's
// TOKEN_GROUP scales need head dim / group size).
// SWIZZLE: rows unpadded, their 16-byte chunks permuted instead (chunk c of row r stored at
// c ^ (r % 8)), which spreads the same reads over the banks without the padding's 16 bytes per row:
// for 128-byte rows (8-bit codes at head dim 128) the padding is what kept the decode ring from a
// third stage at 4 blocks per SM. Rows of at least 128 bytes only.
template <int E, int D, int TOKENS, int SCALES = 1, bool SWIZZLE = false>
struct Ring {
    static_assert(!SWIZZLE || D * E >= 128, "a swizzled row holds at least 8 chunks");
    static constexpr bool SWIZZLED = SWIZZLE;
    static constexpr int MAX_SCALES = SCALES;
    static constexpr int ROW_BYTES = D * E + (SWIZZLE ? 0 : 16);
    static constexpr int V_OFFSET = TOKENS * ROW_BYTES;          // first V row of a stage
    static constexpr int SCALE_OFFSET = 2 * TOKENS * ROW_BYTES;  // K scales [TOKENS][n], then V scales
    static constexpr int V_SCALE_OFFSET = SCALE_OFFSET + TOKENS * SCALES * 4;
    static constexpr int STAGE_BYTES = V_SCALE_OFFSET + TOKENS * SCALES * 4;
    // Where byte `byte` of row `row` (of the K or the V rows) lies, from the rows' start.
    __device__ __forceinline__ static int at(int row, int byte) {
        return SWIZZLE ? row * ROW_BYTES + ((((byte >> 4) ^ row) & 7) | (byte >> 4 & ~7)) * 16 + (byte & 15)
                       : row * ROW_BYTES + byte;
    }
};

// Loads BYTES bytes of row `row` from `byte0` (16-byte aligned where BYTES >= 16) of the K or V
// rows starting at `rows`, into 32-bit words: one load per 16-byte chunk when the ring is swizzled.
template <class R, int BYTES>
__device__ __forceinline__ void lds_row(uint32_t* dst, const char* rows, int row, int byte0) {
    if constexpr (R::SWIZZLED) {
        static_assert(BYTES % 16 == 0, "swizzled rows are read in whole chunks");
#pragma unroll
        for (int c = 0; c < BYTES / 16; c++) lds_words<16>(dst + 4 * c, rows + R::at(row, byte0 + 16 * c));
    } else {
        lds_words<BYTES>(dst, rows + R::at(row, byte0));
    }
}

// Block-table position of token t0 + k given t0's (t0_block, t0_off): a float reciprocal and one
// correction step instead of an integer division per token (k < 2^16, block sizes up to 2^16).
struct BlockPos {
    int idx, off;
};
__device__ __forceinline__ BlockPos block_pos(int t0_block, int t0_off, int k, int block_size, float inv_block) {
    const int o = t0_off + k;
    int q = __float2int_rz((float)o * inv_block);
    int r = o - q * block_size;
    if (r < 0) { q--; r += block_size; }
    if (r >= block_size) { q++; r -= block_size; }
    return {t0_block + q, r};
}

// Byte offsets of one KV head's rows of `row_bytes` bytes in a paged tensor, in 32 bits: a whole
// block's size (every head's rows; below 2^32 for any cache the tensor-core kernels take,
// CudaKernels.blocksAddressable), a token's row within its block (NHD: a row per head apart; HND:
// adjacent) and the head's first row. A row is then one wide multiply-add from its block id. With
// the general 64-bit row arithmetic (HeadRows) and block_pos, a thread's copy of a stage took 185
// instructions (int8, d128, 4 rows of K and V), with BlockBytes and the power-of-two shift 121.
struct BlockBytes {
    uint32_t block, off, head;
    __device__ __forceinline__ BlockBytes(const AttnParams& p, int h, uint32_t row_bytes) {
        const bool nhd = p.layout == L_NHD;
        block = (uint32_t)p.block_size * (uint32_t)p.num_kv_heads * row_bytes;
        off = (nhd ? (uint32_t)p.num_kv_heads : 1u) * row_bytes;
        head = (nhd ? (uint32_t)h : (uint32_t)h * (uint32_t)p.block_size) * row_bytes;
    }
    // Byte `byte` of the row of token slot `slot` of block `blk`, from the tensor's start.
    __device__ __forceinline__ uint64_t at(int blk, int slot, uint32_t byte) const {
        return (uint64_t)(uint32_t)blk * block + ((uint32_t)slot * off + head + byte);
    }
};

// The scales a tensor-core kernel applies outside the ring: whether K and V scales come per token
// (with the stage), else the one K and V scale of the tensor or of this KV head (1 for 16-bit
// caches), and CHANNEL scales, which never touch the codes either: a K scale per channel multiplies
// that channel of every query (q . diag(s) k = (q * s) . k, folded in before the queries go to
// fp16; decode.cuh), a V scale per channel multiplies that dim of the finished output.
template <int KV>
struct ItemScales {
    bool per_token;
    float k, v;
    const float* k_channel;   // this head's D K scales, or null
    const float* v_channel;
    __device__ __forceinline__ ItemScales(const AttnParams& p, int head) {
        constexpr bool QUANTIZED = KvTraits<KV>::quantized;
        per_token = QUANTIZED && p.gran == G_TOKEN;
        k = QUANTIZED && p.gran == G_TENSOR ? p.k_scale[0] : QUANTIZED && p.gran == G_HEAD ? p.k_scale[head] : 1.f;
        v = QUANTIZED && p.gran == G_TENSOR ? p.v_scale[0] : QUANTIZED && p.gran == G_HEAD ? p.v_scale[head] : 1.f;
        const bool channel = QUANTIZED && p.gran == G_CHANNEL;
        k_channel = channel ? p.k_scale + (int64_t)head * p.head_dim : nullptr;
        v_channel = channel ? p.v_scale + (int64_t)head * p.head_dim : nullptr;
    }
    // Output dims d0 ... d0 + 7 times their V channel scales (nothing without them).
    __device__ __forceinline__ void scale_output(int d0, float (&acc)[8]) const {
        if (v_channel != nullptr) {
#pragma unroll
            for (int e = 0; e < 8; e++) acc[e] *= __ldg(v_channel + d0 + e);
        }
    }
};

// Token k's token_scales K and V scales, from byte `at` of the scale tensors (`bytes`: 4, or 0 to
// zero-fill), into its place in ring slot `slot`.
template <class R>
__device__ __forceinline__ void copy_token_scales(const AttnParams& p, uint64_t at, int bytes, int k, int token_scales,
                                                  char* slot) {
    const char* kg = (const char*)p.k_scale + at;
    const char* vg = (const char*)p.v_scale + at;
    float* ks = reinterpret_cast<float*>(slot + R::SCALE_OFFSET) + k * token_scales;
    float* vs = reinterpret_cast<float*>(slot + R::V_SCALE_OFFSET) + k * token_scales;
    if constexpr (R::MAX_SCALES == 1) {   // TOKEN scales: no loop (its test and branches were in every stage's copy)
        cp_async4(ks, kg, bytes);
        cp_async4(vs, vg, bytes);
    } else if (token_scales % 4 == 0) {   // rows of 4n floats are 16-byte aligned in the cache and the ring
        for (int x = 0; x < token_scales; x += 4) {
            cp_async16(ks + x, kg + 4 * x, 4 * bytes);
            cp_async16(vs + x, vg + 4 * x, 4 * bytes);
        }
    } else {
        for (int x = 0; x < token_scales; x++) {
            cp_async4(ks + x, kg + 4 * x, bytes);
            cp_async4(vs + x, vg + 4 * x, bytes);
        }
    }
}

// How a block's THREADS threads share the copy of a stage of TOKENS tokens: 8 consecutive threads
// per 128 bytes of a row (coalesced), each thread the same 16-byte piece of rows k_first,
// k_first + ROWS_APART, ... (ROWS_APART a multiple of 8 wherever rows are swizzled, so all of a
// thread's rows share one swizzled chunk and their ring offsets one base).
template <int E, int D, int TOKENS, int THREADS>
struct StageCopy {
    static constexpr int PIECES = D * E / 16;   // 16-byte pieces of one row
    static_assert(TOKENS * PIECES % THREADS == 0, "every thread copies the same number of pieces");
    static constexpr int PER_THREAD = TOKENS * PIECES / THREADS;
    static constexpr int ROWS_APART = THREADS / PIECES;
};

// Where a stage's tokens lie in the block table: power-of-two block sizes (the usual 16 ... 256)
// find a token's block with a shift and a mask; others divide once per stage and take block_pos's
// float reciprocal per token.
struct StageBase {
    bool pow2;
    int shift, t0_block, t0_off;
    __device__ __forceinline__ StageBase(const AttnParams& p, int t0) {
        pow2 = (p.block_size & (p.block_size - 1)) == 0;
        shift = __ffs(p.block_size) - 1;
        t0_block = pow2 ? t0 >> shift : t0 / p.block_size;
        t0_off = t0 - t0_block * p.block_size;
    }
    __device__ __forceinline__ BlockPos at(const AttnParams& p, int k, float inv_block) const {
        return pow2 ? BlockPos{t0_block + ((t0_off + k) >> shift), (t0_off + k) & (p.block_size - 1)}
                    : block_pos(t0_block, t0_off, k, p.block_size, inv_block);
    }
};

// One thread's block ids for a stage: its rows' (0 past hi: those rows are zero-filled from block
// 0) and, for thread k < TOKENS, token k's, whose scales it copies. Looked up a stage before the
// copy that needs them (stream_through_ring's LOOKUP_AHEAD): in the decode kernel, a copy that
// waited on its block ids' loads right before issuing was where a fifth of the warps' stall
// samples sat (Nsight Compute, llama3-8b 64 x 4096 int8, docs/PERF.md).
// Their slots within those blocks come with them, so the copy does no position arithmetic, and the
// block size's test is taken once per lookup for all rows (each way its own loop: a test per row
// left both ways' arithmetic in the copy, predicated, about 30 instructions a stage).
template <int PER_THREAD>
struct StageBlocks {
    int row[PER_THREAD], off[PER_THREAD];
    int scale, scale_off;
};

template <int KV, int D, int TOKENS, int THREADS>
__device__ __forceinline__ StageBlocks<StageCopy<(int)sizeof(typename KvTraits<KV>::T), D, TOKENS, THREADS>::PER_THREAD>
lookup_stage(const AttnParams& p, const int* blocks, int t0, int hi, int token_scales, float inv_block) {
    using C = StageCopy<(int)sizeof(typename KvTraits<KV>::T), D, TOKENS, THREADS>;
    StageBlocks<C::PER_THREAD> b;
    const StageBase base(p, t0);
    const int k_first = threadIdx.x / C::PIECES;
    const int ks = threadIdx.x;   // the token whose scales this thread copies (if < TOKENS)
    BlockPos at[C::PER_THREAD], at_s;
    if (base.pow2) {
        const int mask = p.block_size - 1;
#pragma unroll
        for (int i = 0; i < C::PER_THREAD; i++) {
            const int o = base.t0_off + k_first + i * C::ROWS_APART;
            at[i] = BlockPos{base.t0_block + (o >> base.shift), o & mask};
        }
        at_s = BlockPos{base.t0_block + ((base.t0_off + ks) >> base.shift), (base.t0_off + ks) & mask};
    } else {
#pragma unroll
        for (int i = 0; i < C::PER_THREAD; i++)
            at[i] = block_pos(base.t0_block, base.t0_off, k_first + i * C::ROWS_APART, p.block_size, inv_block);
        at_s = block_pos(base.t0_block, base.t0_off, ks, p.block_size, inv_block);
    }
#pragma unroll
    for (int i = 0; i < C::PER_THREAD; i++) {
        b.row[i] = t0 + k_first + i * C::ROWS_APART < hi ? __ldg(blocks + at[i].idx) : 0;
        b.off[i] = at[i].off;
    }
    b.scale = token_scales > 0 && ks < TOKENS && t0 + ks < hi ? __ldg(blocks + at_s.idx) : 0;
    b.scale_off = at_s.off;
    return b;
}

// Copies the stage of tokens t0 ... t0 + TOKENS - 1 of KV head `head` (raw K, V and their
// token_scales scales per token: 0, 1 for TOKEN, head dim / group size for TOKEN_GROUP, each
// token's a row of that many floats) into ring slot `slot` with 16-byte cp.async, from the block
// ids and slots `b` (lookup_stage). Tokens at or past `hi` are zero-filled.
template <int KV, int D, int TOKENS, int THREADS, int SCALES, bool SWIZZLE, int PER_THREAD>
__device__ __forceinline__ void copy_stage(const AttnParams& p, int head, int t0, int hi, int token_scales,
                                           const StageBlocks<PER_THREAD>& b, char* slot) {
    constexpr int E = (int)sizeof(typename KvTraits<KV>::T);
    using R = Ring<E, D, TOKENS, SCALES, SWIZZLE>;
    using C = StageCopy<E, D, TOKENS, THREADS>;
    static_assert(C::PER_THREAD == PER_THREAD, "the block ids of this stage's copy");
    static_assert(!R::SWIZZLED || C::ROWS_APART % 8 == 0, "a thread's rows share their swizzle");
    const char* kc = (const char*)p.k_cache;
    const char* vc = (const char*)p.v_cache;
    const BlockBytes rows(p, head, D * E);
    const int piece = threadIdx.x % C::PIECES;   // THREADS is a multiple of PIECES: the same piece every time
    const int k_first = threadIdx.x / C::PIECES;
    char* const k_dst = slot + R::at(k_first, piece * 16);
#pragma unroll
    for (int i = 0; i < PER_THREAD; i++) {
        const int k = k_first + i * C::ROWS_APART;
        const bool in = t0 + k < hi;
        const uint64_t at = rows.at(b.row[i], b.off[i], piece * 16);
        const int bytes = in ? 16 : 0;
        char* const dst = k_dst + i * C::ROWS_APART * R::ROW_BYTES;
        cp_async16(dst, kc + at, bytes);
        cp_async16(dst + R::V_OFFSET, vc + at, bytes);
    }
    if (token_scales > 0 && threadIdx.x < TOKENS) {
        const int k = threadIdx.x;
        uint64_t at = 0;
        int bytes = 0;
        if (t0 + k < hi) {
            at = BlockBytes(p, head, 4 * token_scales).at(b.scale, b.scale_off, 0);
            bytes = 4;
        }
        copy_token_scales<R>(p, at, bytes, k, token_scales, slot);
    }
}

// The same copy as copy_stage, with the block ids looked up here (the rings without LOOKUP_AHEAD):
// the block's THREADS threads share the copies, 8 consecutive threads per 128 bytes of a row
// (coalesced). Each thread looks up the block ids of its tokens, up to 4 at a time (independent
// loads in flight together), then issues their copies. Tokens at or past `hi` are zero-filled.
template <int KV, int D, int TOKENS, int THREADS, int SCALES, bool SWIZZLE>
__device__ __forceinline__ void load_stage(const AttnParams& p, const int* blocks, int head, int t0, int hi,
                                           int token_scales, float inv_block, char* slot) {
    constexpr int E = (int)sizeof(typename KvTraits<KV>::T);
    using R = Ring<E, D, TOKENS, SCALES, SWIZZLE>;
    using C = StageCopy<E, D, TOKENS, THREADS>;
    static_assert(!R::SWIZZLED || C::ROWS_APART % 8 == 0, "a thread's rows share their swizzle");
    constexpr int BATCH = C::PER_THREAD < 4 ? C::PER_THREAD : 4;   // block-id loads in flight per thread
    const char* kc = (const char*)p.k_cache;
    const char* vc = (const char*)p.v_cache;
    const BlockBytes rows(p, head, D * E);
    const StageBase base(p, t0);
    const int piece = threadIdx.x % C::PIECES;   // THREADS is a multiple of PIECES: the same piece every time
    const int k_first = threadIdx.x / C::PIECES;
    char* const k_dst = slot + R::at(k_first, piece * 16);
    const auto copy_rows = [&](auto position) {
#pragma unroll
        for (int i0 = 0; i0 < C::PER_THREAD; i0 += BATCH) {
            int blk[BATCH], off[BATCH];
            bool in[BATCH];
#pragma unroll
            for (int i = 0; i < BATCH; i++) {
                const int k = k_first + (i0 + i) * C::ROWS_APART;
                const BlockPos at = position(k);
                in[i] = t0 + k < hi;
                blk[i] = in[i] ? __ldg(blocks + at.idx) : 0;   // past hi: zero-filled from block 0's row
                off[i] = at.off;
            }
#pragma unroll
            for (int i = 0; i < BATCH; i++) {
                const uint64_t at = rows.at(blk[i], off[i], piece * 16);
                const int bytes = in[i] ? 16 : 0;
                char* const dst = k_dst + (i0 + i) * C::ROWS_APART * R::ROW_BYTES;
                cp_async16(dst, kc + at, bytes);
                cp_async16(dst + R::V_OFFSET, vc + at, bytes);
            }
        }
    };
    // The block-size test taken once for all rows: each way is its own loop.
    if (base.pow2) {
        const int mask = p.block_size - 1;
        copy_rows([&](int k) { return BlockPos{base.t0_block + ((base.t0_off + k) >> base.shift), (base.t0_off + k) & mask}; });
    } else {
        copy_rows([&](int k) { return block_pos(base.t0_block, base.t0_off, k, p.block_size, inv_block); });
    }
    if (token_scales > 0 && threadIdx.x < TOKENS) {
        const int k = threadIdx.x;
        uint64_t at = 0;
        int bytes = 0;
        if (t0 + k < hi) {
            const BlockPos pos = base.at(p, k, inv_block);
            at = BlockBytes(p, head, 4 * token_scales).at(__ldg(blocks + pos.idx), pos.off, 0);
            bytes = 4;
        }
        copy_token_scales<R>(p, at, bytes, k, token_scales, slot);
    }
}

// The ring slot stage s sits in.
template <int STAGE_BYTES, int STAGES>
__device__ __forceinline__ const char* ring_slot(const char* smem, int s) {
    return smem + (s % STAGES) * STAGE_BYTES;
}

// The ring's pipeline, the same in both tensor-core kernels: the stages of TOKENS tokens a block
// streams (`st`: stage s exists if st.has(s), and starts at token st.t0(s); StaticStages, or the
// decode kernel's claimed ones, claimed_stages.cuh) are copied STAGES - 1 ahead of the math; for each
// stage s, once it is visible to every warp and the copy STAGES - 1 ahead is issued, consume(s, t0)
// runs the math on it (every thread calls it; a warp with nothing to do returns before it finds
// its slot with ring_slot: computing the slot for idle warps too cost the d256 flash kernels 12
// bytes of spill). st.advance(s) runs right after stage s's barrier. Stage x is asked for at
// iteration x - STAGES at the earliest (the look-up below) and must be the same in every thread by then. On
// return every copy has landed and the block has passed a barrier, so the ring's memory is free
// for the epilogue. Tokens at or past `hi` are zero-filled and masked.
// LOOKUP_AHEAD: the block ids of the copy issued at stage s are loaded at stage s - 1, so they
// arrive while the math runs (the decode kernel; the flash kernel's longer math hides them).
// prelude() runs once the first copies are issued, before the first stage is waited for: work of
// the kernel's own that needs no stage (the decode kernel's query load), done while they fly.
struct NoPrelude {
    __device__ __forceinline__ void operator()() const {}
};
// The stages covering [lo, hi) in order.
template <int TOKENS>
struct StaticStages {
    int lo, stages;
    __device__ __forceinline__ StaticStages(int lo, int hi) : lo(lo), stages((hi - lo + TOKENS - 1) / TOKENS) {}
    __device__ __forceinline__ bool has(int s) const { return s < stages; }
    __device__ __forceinline__ int t0(int s) const { return lo + s * TOKENS; }
    __device__ __forceinline__ void advance(int) {}
};
template <int KV, int D, int TOKENS, int STAGES, int THREADS, int SCALES, bool SWIZZLE, bool LOOKUP_AHEAD = false, class Stages,
          class Consume, class Prelude = NoPrelude>
__device__ __forceinline__ void stream_stages(const AttnParams& p, const int* blocks, int head, int hi, int token_scales,
                                              float inv_block, char* smem, Stages& st, Consume&& consume,
                                              Prelude&& prelude = Prelude{}) {
    static_assert(!KvTraits<KV>::quantized || sizeof(typename KvTraits<KV>::T) == 1, "quantized caches hold 8-bit codes");
    constexpr int STAGE_BYTES = Ring<(int)sizeof(typename KvTraits<KV>::T), D, TOKENS, SCALES, SWIZZLE>::STAGE_BYTES;
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (st.has(s)) {
            const int t = st.t0(s);
            if constexpr (LOOKUP_AHEAD) {
                const auto b = lookup_stage<KV, D, TOKENS, THREADS>(p, blocks, t, hi, token_scales, inv_block);
                copy_stage<KV, D, TOKENS, THREADS, SCALES, SWIZZLE>(p, head, t, hi, token_scales, b, smem + s * STAGE_BYTES);
            } else {
                load_stage<KV, D, TOKENS, THREADS, SCALES, SWIZZLE>(p, blocks, head, t, hi, token_scales, inv_block,
                                                                    smem + s * STAGE_BYTES);
            }
        }
        cp_async_commit();
    }
    // LOOKUP_AHEAD: the block ids of the next copy (stage `ahead` of the loop below).
    StageBlocks<StageCopy<(int)sizeof(typename KvTraits<KV>::T), D, TOKENS, THREADS>::PER_THREAD> next{};
    if constexpr (LOOKUP_AHEAD) {
        const bool has = st.has(STAGES - 1);
        next = lookup_stage<KV, D, TOKENS, THREADS>(p, blocks, has ? st.t0(STAGES - 1) : 0, has ? hi : 0, token_scales, inv_block);
    }
    prelude();
    for (int s = 0; st.has(s); s++) {   // uniform: the same in every thread
        cp_async_wait<STAGES - 2>();
        __syncthreads();   // stage s is visible to all warps, and slot (s - 1) % STAGES is free again
        st.advance(s);
        const int ahead = s + STAGES - 1;
        if (st.has(ahead)) {
            char* const slot = smem + (ahead % STAGES) * STAGE_BYTES;
            if constexpr (LOOKUP_AHEAD) {
                copy_stage<KV, D, TOKENS, THREADS, SCALES, SWIZZLE>(p, head, st.t0(ahead), hi, token_scales, next, slot);
                if (st.has(ahead + 1))
                    next = lookup_stage<KV, D, TOKENS, THREADS>(p, blocks, st.t0(ahead + 1), hi, token_scales, inv_block);
            } else {
                load_stage<KV, D, TOKENS, THREADS, SCALES, SWIZZLE>(p, blocks, head, st.t0(ahead), hi, token_scales, inv_block, slot);
            }
        }
        cp_async_commit();
        consume(s, st.t0(s));
    }
    cp_async_wait<0>();
    __syncthreads();
}

// stream_stages over the stages covering [lo, hi) in order.
template <int KV, int D, int TOKENS, int STAGES, int THREADS, int SCALES, bool SWIZZLE, bool LOOKUP_AHEAD = false, class Consume,
          class Prelude = NoPrelude>
__device__ __forceinline__ void stream_through_ring(const AttnParams& p, const int* blocks, int head, int lo, int hi,
                                                    int token_scales, float inv_block, char* smem, Consume&& consume,
                                                    Prelude&& prelude = Prelude{}) {
    StaticStages<TOKENS> st(lo, hi);
    stream_stages<KV, D, TOKENS, STAGES, THREADS, SCALES, SWIZZLE, LOOKUP_AHEAD>(p, blocks, head, hi, token_scales, inv_block, smem,
                                                                                st, consume, prelude);
}

// A soft-capped logit in log2 units, cap * tanh(s / cap) * log2(e), from one exponential and one
// fast division: tanh(x) = 1 - 2 / (1 + e^(2x)). tanhf took about 45 instructions a score (its
// polynomial, a division and their special cases); this alone took gemma2's bf16 decode from 0.61
// to 0.78 of the read ceiling (docs/PERF.md).
// The error is about 2^-22 of the cap in absolute terms, which is what the softmax sees (the form
// loses tanh's relative precision near 0, where the score is tiny anyway); 2x / ln 2 stops at 64,
// where tanh is 1 in float, so the division never meets an infinity (NaN stays NaN).
__device__ __forceinline__ float soft_cap_log2(float s, float cap, float two_log2e_over_cap) {
    constexpr float LOG2E = 1.4426950408889634f;
    float x = s * two_log2e_over_cap;
    x = x > 64.f ? 64.f : x;
    return cap * LOG2E * (1.f - __fdividef(2.f, 1.f + exp2f(x)));
}

// The epilogue's last step, shared by both tensor-core kernels: 8 consecutive dims (from d0) of
// packed row r of a work item, already divided by the row sum (`inv`), and the row's LSE, written
// to the item's split partial (fp32, merged later) or to the output (16-bit) and the LSE tensor.
template <int Q, int D>
__device__ __forceinline__ void store_row8(const AttnParams& p, int part_out, int rows, int row0, int head, int r,
                                           int d0, const float (&acc)[8], float inv, float lse) {
    if (part_out >= 0) {
        float* ws = p.workspace + (int64_t)part_out * p.partial_floats;
#pragma unroll
        for (int k = 0; k < 8; k++) ws[r * D + d0 + k] = acc[k] * inv;
        if (d0 == 0) ws[rows * D + r] = lse;
    } else {
        const int i = r / p.group;
        const int64_t orow = (int64_t)(row0 + i) * p.num_qo_heads + head * p.group + r % p.group;
        uint32_t packed[4];
#pragma unroll
        for (int k = 0; k < 4; k++) packed[k] = Mma<Q>::pack(acc[2 * k] * inv, acc[2 * k + 1] * inv);
        *reinterpret_cast<uint4*>((typename QTraits<Q>::T*)p.out + orow * D + d0) =
                make_uint4(packed[0], packed[1], packed[2], packed[3]);
        if (d0 == 0 && p.lse != nullptr) p.lse[orow] = lse;
    }
}

}  // namespace attn4j
