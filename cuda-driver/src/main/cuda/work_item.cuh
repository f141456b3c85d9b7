// One WorkSplit item (dev.attn4j.api.support.WorkSplit) as the block that runs it sees it, read
// from the AttnParams arrays the Java launchers upload: the same for every attention kernel of
// the cuda and ilu backends.
#pragma once
#include "grid_dependency.cuh"
#include "kernel_params.cuh"

namespace attn4j_common {

// The sequence, KV head, first query row and packed rows (query tokens x G), the visible KV range
// [lo, hi), the partial region (-1: write the output), the position of the first query row, the
// sequence's KV length and its block table.
struct WorkItem {
    int seq, head, row0, rows, lo, hi, part_out, pos0, kv_len;
    const int* blocks;
    __device__ __forceinline__ WorkItem(const attn4j_params::AttnParams& p, int it) {
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
    // The visible KV positions [first, last] of packed row r (token r / G of the item): causal
    // and sliding-window masks as attn4j's semantics define them.
    __device__ __forceinline__ void bounds(const attn4j_params::AttnParams& p, int r, int& first, int& last) const {
        const int pos = pos0 + r / p.group;
        first = max(lo, p.window > 0 ? pos - p.window + 1 : 0);
        last = min(hi - 1, p.causal ? pos : kv_len - 1);
    }
};

}  // namespace attn4j_common
