// The kernels' parameter structs (kernel_params.cuh in cuda-driver: the contract with the Java
// launchers, shared with the cuda backend) and what every ilu kernel reads from them: a work item,
// and where a finished row goes.
#pragma once
#include "kernel_params.cuh"
#include "portable.cuh"

namespace ilu {

using attn4j_params::AppendParams;
using attn4j_params::AttnParams;
using attn4j_params::MergeParams;

// One WorkSplit item as its block sees it: the sequence, KV head, first query row and packed rows
// (query tokens x G), visible KV range [lo, hi), partial region (-1: write the output), the
// position of the first query row and the sequence's block table.
struct WorkItem {
    int seq, head, row0, rows, lo, hi, part_out, pos0, kv_len;
    const int* blocks;
    __device__ __forceinline__ WorkItem(const AttnParams& p, int it) {
        seq = p.item_seq[it];
        head = p.item_head[it];
        row0 = p.item_row0[it];
        rows = p.item_rows[it] * p.group;
        lo = p.item_lo[it];
        hi = p.item_hi[it];
        part_out = p.item_partial[it];
        const int q_len = p.q_indptr[seq + 1] - p.q_indptr[seq];
        kv_len = p.kv_lens[seq];
        pos0 = kv_len - q_len + (row0 - p.q_indptr[seq]);
        blocks = p.block_ids + p.block_indptr[seq];
    }
    // The visible KV positions [first, last] of packed row r (token r / G of the item).
    __device__ __forceinline__ void bounds(const AttnParams& p, int r, int& first, int& last) const {
        const int pos = pos0 + r / p.group;
        first = max(lo, p.window > 0 ? pos - p.window + 1 : 0);
        last = min(hi - 1, p.causal ? pos : kv_len - 1);
    }
};

// Where a finished row goes: normalized into the item's partial region (output then LSE, as
// merge.cuh reads them), or into the output and LSE. m2 is the row max in log2 units, l its sum.
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
