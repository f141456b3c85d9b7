// The scale of KV element (block, off, head, channel c) for every granularity, as a function the
// generic kernel and the staging pass share (the fast decode kernel folds scales differently).
// P is either's parameter struct: both have gran, head_dim and group_size.
#pragma once
#include "params.cuh"

namespace ilu {

template <class P>
__device__ __forceinline__ float kv_scale(const P& p, const float* scales, const HeadRows& hr, int block,
                                          int off, int head, int c) {
    switch (p.gran) {
        case G_TENSOR: return scales[0];
        case G_HEAD: return scales[head];
        case G_CHANNEL: return scales[head * p.head_dim + c];
        case G_TOKEN: return scales[hr.row(block, off)];
        case G_TOKEN_GROUP: return scales[hr.row(block, off) * (p.head_dim / p.group_size) + c / p.group_size];
        default: return 1.f;
    }
}

}  // namespace ilu
