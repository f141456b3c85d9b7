// The kernels' parameter structs (kernel_params.cuh in cuda-driver: the contract with the Java
// launchers, shared with the cuda backend), the work item every kernel reads from them
// (work_item.cuh, shared too), and where a finished row goes.
#pragma once
#include "kernel_params.cuh"
#include "portable.cuh"
#include "work_item.cuh"

namespace ilu {

using attn4j_params::AppendParams;
using attn4j_params::AttnParams;
using attn4j_params::MergeParams;
using attn4j_common::WorkItem;

// Where a finished row goes: normalized into the item's partial region (output then LSE, as
// split_merge.cuh reads them), or into the output and LSE. m2 is the row max in log2 units, l its sum.
template <int Q>
__device__ __forceinline__ void write_row_lse(const AttnParams& p, const WorkItem& item, int r, float m2, float l) {
    const float lse = l > 0.f ? (m2 + log2f(l)) * 0.6931471805599453f : -INFINITY;
    if (item.part_out >= 0) {
        p.workspace[(int64_t)item.part_out * p.partial_floats + item.rows * p.head_dim + r] = lse;
    } else if (p.lse != nullptr) {
        p.lse[(int64_t)(item.row0 + r / p.group) * p.num_qo_heads + item.head * p.group + r % p.group] = lse;
    }
}

// Channel c of packed row r's normalized output.
template <int Q>
__device__ __forceinline__ void write_out(const AttnParams& p, const WorkItem& item, int r, int c, float v) {
    if (item.part_out >= 0) {
        p.workspace[(int64_t)item.part_out * p.partial_floats + r * p.head_dim + c] = v;
    } else {
        const int64_t orow = (int64_t)(item.row0 + r / p.group) * p.num_qo_heads + item.head * p.group + r % p.group;
        ((uint16_t*)p.out)[orow * p.head_dim + c] = Half<Q>::from_float(v);
    }
}

}  // namespace ilu
