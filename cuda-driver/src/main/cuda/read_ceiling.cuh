// The bench's memory-read ceiling, one kernel both libcuda backends instantiate: it reads a buffer
// once with 16-byte loads, four independent loads in flight per thread, spread over a grid that
// fills every SM, and writes nothing (the folded words reach the sink only if they equal a magic
// value the compiler cannot know). Decode reads its cache and hardly writes, so this, not a copy,
// is the figure decode is held to (docs/PERF.md).
#pragma once
#include "grid_dependency.cuh"
#include "kernel_params.cuh"

namespace attn4j_common {

__device__ __forceinline__ void read_ceiling_kernel(const attn4j_params::ReadParams& p) {
    await_earlier_kernels();
    const uint4* src = static_cast<const uint4*>(p.src);
    const int stride = gridDim.x * blockDim.x;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned acc = 0;
    for (; i + 3 * stride < p.words; i += 4 * stride) {
        const uint4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], d = src[i + 3 * stride];
        acc += (a.x ^ b.y) + (c.z ^ d.w) + (a.w ^ b.x) + (c.y ^ d.z) + (a.y ^ b.z) + (c.x ^ d.y) + (a.z ^ b.w) + (c.w ^ d.x);
    }
    for (; i < p.words; i += stride) {
        const uint4 a = src[i];
        acc += a.x ^ a.y ^ a.z ^ a.w;
    }
    if (acc == p.magic) p.sink[0] = acc;
}

}  // namespace attn4j_common

// The kernel under its stable name, attn4j_read_ceiling, for a backend's translation unit.
#define ATTN4J_READ_CEILING_KERNEL                                                                     \
    extern "C" __global__ void __launch_bounds__(256) attn4j_read_ceiling(attn4j_params::ReadParams p) { \
        attn4j_common::read_ceiling_kernel(p);                                                         \
    }
