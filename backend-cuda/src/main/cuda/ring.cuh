// The shared-memory ring both tensor-core kernels (flash.cuh, decode.cuh) stream the paged cache
// through: a stage holds TOKENS consecutive tokens of one KV head, raw K rows, then raw V rows
// (codes exactly as stored), then the stage's per-token K and V scales. Rows are padded by 16 bytes
// so that fragment reads at a row stride spread over the shared-memory banks.
#pragma once
#include "attention.cuh"
#include "mma.cuh"

namespace attn4j {

template <int E, int D, int TOKENS>
struct Ring {
    static constexpr int ROW_BYTES = D * E + 16;
    static constexpr int V_OFFSET = TOKENS * ROW_BYTES;          // first V row of a stage
    static constexpr int SCALE_OFFSET = 2 * TOKENS * ROW_BYTES;  // TOKENS K scales, then TOKENS V scales
    static constexpr int STAGE_BYTES = SCALE_OFFSET + 2 * TOKENS * 4;
};

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

// Copies the stage of tokens t0 ... t0 + TOKENS - 1 of KV head `head` (raw K, V and, when
// per_token, their scales) into ring slot `slot` with 16-byte cp.async; the block's THREADS
// threads share the copies. Tokens at or past `hi` are zero-filled.
template <int KV, int D, int TOKENS, int THREADS>
__device__ __forceinline__ void load_stage(const AttnParams& p, const int* blocks, int head, int t0, int hi,
                                           bool per_token, float inv_block, char* slot) {
    using R = Ring<(int)sizeof(typename KvTraits<KV>::T), D, TOKENS>;
    constexpr int E = (int)sizeof(typename KvTraits<KV>::T);
    constexpr int PIECES = D * E / 16;   // 16-byte pieces of one row
    const char* kc = (const char*)p.k_cache;
    const char* vc = (const char*)p.v_cache;
    const int t0_block = t0 / p.block_size;
    const int t0_off = t0 - t0_block * p.block_size;
#pragma unroll
    for (int x = threadIdx.x; x < TOKENS * PIECES; x += THREADS) {
        const int k = x / PIECES;
        const int piece = x % PIECES;
        int64_t off = 0;
        int bytes = 0;
        if (t0 + k < hi) {
            const BlockPos at = block_pos(t0_block, t0_off, k, p.block_size, inv_block);
            off = paged_index(p.layout, __ldg(blocks + at.idx), at.off, head, 0, p.block_size, p.num_kv_heads, D) * E
                    + piece * 16;
            bytes = 16;
        }
        cp_async16(slot + k * R::ROW_BYTES + piece * 16, kc + off, bytes);
        cp_async16(slot + R::V_OFFSET + k * R::ROW_BYTES + piece * 16, vc + off, bytes);
    }
    if (per_token && threadIdx.x < TOKENS) {
        const int k = threadIdx.x;
        int64_t off = 0;
        int bytes = 0;
        if (t0 + k < hi) {
            const BlockPos at = block_pos(t0_block, t0_off, k, p.block_size, inv_block);
            off = paged_index(p.layout, __ldg(blocks + at.idx), at.off, head, 0, p.block_size, p.num_kv_heads, 1);
            bytes = 4;
        }
        float* scales = reinterpret_cast<float*>(slot + R::SCALE_OFFSET);
        cp_async4(scales + k, p.k_scale + off, bytes);
        cp_async4(scales + TOKENS + k, p.v_scale + off, bytes);
    }
}

}  // namespace attn4j
