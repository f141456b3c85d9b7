// What every ilu kernel builds on, so the rest is plain, portable CUDA C. The warp width and
// lane-group shuffles (lanes.cuh), the element formats in plain integer and float arithmetic
// (portable_formats.cuh), the ABI codes and the paged-cache row arithmetic come from cuda-driver's
// shared headers (also used by the cuda kernels); this file adds the wide-load helpers of the ilu
// kernels. No inline PTX, no mma.sync, no cp.async anywhere in this module.
#pragma once
#include <stdint.h>
#include "kernel_codes.cuh"
#include "lanes.cuh"
#include "paged_rows.cuh"
#include "portable_formats.cuh"

namespace ilu {

using namespace attn4j_common;

// Eight consecutive codes (two or four 32-bit words) to floats, in channel order.
template <int KV>
__device__ __forceinline__ void decode8(const uint32_t* w, float* f) {
    if constexpr (sizeof(typename Kv<KV>::T) == 1) {
#pragma unroll
        for (int i = 0; i < 8; i++) f[i] = Kv<KV>::decode(w[i / 4] >> (8 * (i % 4)));
    } else {
#pragma unroll
        for (int i = 0; i < 8; i++) f[i] = Kv<KV>::decode(w[i / 2] >> (16 * (i % 2)));
    }
}

// One lane's 8 or 16 bytes (WORDS 32-bit words) in one load; the address is aligned to its size.
template <int WORDS>
__device__ __forceinline__ void load_words(const void* src, uint32_t* w) {
    if constexpr (WORDS == 4) {
        const uint4 v = *(const uint4*)src;
        w[0] = v.x; w[1] = v.y; w[2] = v.z; w[3] = v.w;
    } else {
        const uint2 v = *(const uint2*)src;
        w[0] = v.x; w[1] = v.y;
    }
}

}  // namespace ilu
