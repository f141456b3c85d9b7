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

// The lane shuffles of the compiler at hand: CoreX has HIP-style __shfl* without a mask.
#if defined(__ILUVATAR__)
#define ATTN4J_SHFL(OP, x, arg, width) __shfl##OP(x, arg, width)
#else
#define ATTN4J_SHFL(OP, x, arg, width) __shfl##OP##_sync(0xffffffffu, x, arg, width)
#endif

// Xor-shuffle within groups of WIDTH consecutive lanes; WIDTH is a power of two within the warp.
template <int WIDTH>
__device__ __forceinline__ float shfl_xor(float x, int offset) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
    return ATTN4J_SHFL(_xor, x, offset, WIDTH);
}

// Lane src's x, within groups of WIDTH consecutive lanes.
template <int WIDTH>
__device__ __forceinline__ float shfl_idx(float x, int src) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
    return ATTN4J_SHFL(, x, src, WIDTH);
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
