// Combines the partial outputs of one split unit per block (flash decoding's second step):
// weights exp(lse_k - max), renormalized. One warp per packed row.
#pragma once
#include "params.cuh"

namespace ilu {

template <int Q>
__device__ __forceinline__ void merge_kernel(const MergeParams& p) {
    const int first = p.merge_first[blockIdx.x];
    const int count = p.merge_count[blockIdx.x];
    const int head = p.item_head[first];
    const int row0 = p.item_row0[first];
    const int rows = p.item_rows[first] * p.group;
    const int warp = threadIdx.x / WARP;
    const int lane = threadIdx.x % WARP;
    for (int r = warp; r < rows; r += blockDim.x / WARP) {
        float mx = -INFINITY;
        for (int k = 0; k < count; k++) {
            mx = fmaxf(mx, p.workspace[(int64_t)p.item_partial[first + k] * p.partial_floats + rows * p.head_dim + r]);
        }
        float sum = 0.f;
        for (int k = 0; k < count; k++) {
            const float lk = p.workspace[(int64_t)p.item_partial[first + k] * p.partial_floats + rows * p.head_dim + r];
            if (lk != -INFINITY) sum += __expf(lk - mx);
        }
        const int64_t orow = (int64_t)(row0 + r / p.group) * p.num_qo_heads + head * p.group + r % p.group;
        for (int c = lane; c < p.head_dim; c += WARP) {
            float o = 0.f;
            for (int k = 0; k < count; k++) {
                const float* ws = p.workspace + (int64_t)p.item_partial[first + k] * p.partial_floats;
                const float lk = ws[rows * p.head_dim + r];
                if (lk != -INFINITY) o += __expf(lk - mx) * ws[r * p.head_dim + c];
            }
            ((uint16_t*)p.out)[orow * p.head_dim + c] = Half<Q>::from_float(o / sum);
        }
        if (lane == 0 && p.lse != nullptr) p.lse[orow] = mx + logf(sum);
    }
}

}  // namespace ilu
