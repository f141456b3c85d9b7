// The staging pass of the prefill fast path (the Iluvatar int8 prefill strategy): convert only the
// 8-bit cache blocks a plan references into a compact fp16 staging cache in HND layout
// ([slot][numKvHeads][blockSize][headDim]), so the 16-bit flash kernel (flash.cuh) runs over it
// with the plan's remapped block table. One block per (staging slot, K or V); each thread turns 8
// consecutive codes into 8 fp16 values. It reads each referenced block once per layer: a small
// fraction of the attention that follows.
//
// What is staged keeps the numbers exact: every int8, e4m3 and e5m2 code is an fp16 value, so
// TENSOR, HEAD, CHANNEL and TOKEN caches stage their codes and the flash kernel applies the scales
// in fp32 (TOKEN scales are copied beside the codes, [slot][head][offset], after all the codes).
// Staging code x scale rounded to 16 bits instead costs the LSE more than the reference allows
// (measured: bf16 rounding fails the conformance suite), so TOKEN_GROUP caches, whose scales change
// within a row, do not stage (their plans take the scalar fallback).
#pragma once
#include "params.cuh"

namespace ilu {

struct StageParams {
    const void* k_cache;
    const void* v_cache;
    const float* k_scale;     // the cache's scales
    const float* v_scale;
    void* k_stage;            // [slots][numKvHeads][blockSize][headDim] fp16, then TOKEN scales
    void* v_stage;
    const int* stage_blocks;  // [slots]: the cache block each slot holds
    int num_kv_heads, head_dim, block_size, layout, gran, group_size;
    int slots;
};

template <int KV>
__device__ __forceinline__ void stage_kernel(const StageParams& p) {
    using T = typename Kv<KV>::T;
    const int slot = blockIdx.x >> 1;
    const bool is_v = blockIdx.x & 1;
    const int block = p.stage_blocks[slot];
    const T* src = (const T*)(is_v ? p.v_cache : p.k_cache);
    const float* scales = is_v ? p.v_scale : p.k_scale;
    const int64_t slot_rows = (int64_t)p.num_kv_heads * p.block_size;
    uint16_t* stage = (uint16_t*)(is_v ? p.v_stage : p.k_stage);
    uint16_t* dst = stage + slot * slot_rows * p.head_dim;
    const int chunks_per_row = p.head_dim / 8;
    const int chunks = (int)slot_rows * chunks_per_row;
    for (int i = threadIdx.x; i < chunks; i += blockDim.x) {
        const int c0 = (i % chunks_per_row) * 8;
        const int hrow = i / chunks_per_row;   // head * blockSize + offset: the HND row
        const int head = hrow / p.block_size;
        const int off = hrow % p.block_size;
        const HeadRows hr(p.layout, p.block_size, p.num_kv_heads, head);
        uint32_t w[2];
        load_words<2>(src + hr.row(block, off) * p.head_dim + c0, w);
        float x[8];
        decode8<KV>(w, x);
        uint32_t out[4];
#pragma unroll
        for (int e = 0; e < 8; e += 2) {
            out[e / 2] = (uint32_t)float_to_fp16(x[e]) | ((uint32_t)float_to_fp16(x[e + 1]) << 16);
        }
        *(uint4*)(dst + (int64_t)hrow * p.head_dim + c0) = make_uint4(out[0], out[1], out[2], out[3]);
    }
    if (p.gran == G_TOKEN) {
        float* staged_scales = (float*)(stage + (int64_t)p.slots * slot_rows * p.head_dim) + slot * slot_rows;
        for (int hrow = threadIdx.x; hrow < slot_rows; hrow += blockDim.x) {
            const int head = hrow / p.block_size, off = hrow % p.block_size;
            staged_scales[hrow] = scales[HeadRows(p.layout, p.block_size, p.num_kv_heads, head).row(block, off)];
        }
    }
}

}  // namespace ilu
