// The warp width and lane-group shuffles, written so that no kernel assumes a width: 64 lanes on
// Iluvatar CoreX (its compiler defines __ILUVATAR__), 32 on NVIDIA. Kernels size their lane groups
// from the data (e.g. a head's bytes per 16-byte load), never from the warp.
#pragma once

#ifndef ATTN4J_WARP
#if defined(__ILUVATAR__)
#define ATTN4J_WARP 64
#else
#define ATTN4J_WARP 32
#endif
#endif

namespace attn4j_common {

constexpr int WARP = ATTN4J_WARP;

// Xor-shuffle within groups of WIDTH consecutive lanes; WIDTH is a power of two within the warp.
template <int WIDTH>
__device__ __forceinline__ float shfl_xor(float x, int offset) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
#if defined(__ILUVATAR__)
    return __shfl_xor(x, offset, WIDTH);
#else
    return __shfl_xor_sync(0xffffffffu, x, offset, WIDTH);
#endif
}

// Lane src's x, within groups of WIDTH consecutive lanes.
template <int WIDTH>
__device__ __forceinline__ float shfl_idx(float x, int src) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
#if defined(__ILUVATAR__)
    return __shfl(x, src, WIDTH);
#else
    return __shfl_sync(0xffffffffu, x, src, WIDTH);
#endif
}

template <int WIDTH>
__device__ __forceinline__ float group_sum(float x) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) x += shfl_xor<WIDTH>(x, o);
    return x;
}

template <int WIDTH>
__device__ __forceinline__ float group_max(float x) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) x = fmaxf(x, shfl_xor<WIDTH>(x, o));
    return x;
}

}  // namespace attn4j_common
