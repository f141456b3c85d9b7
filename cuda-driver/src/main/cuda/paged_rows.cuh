// Where a KV head's rows sit in a paged cache tensor, for both layouts; the same arithmetic serves
// the K and V codes (rows of headDim elements), TOKEN_GROUP scales (rows of groups) and TOKEN
// scales (rows of one).
#pragma once
#include <stdint.h>
#include "kernel_codes.cuh"

namespace attn4j_common {

// row = block * block_rows + offset * off_rows + head_rows (NHD: [block][offset][head], HND:
// [block][head][offset]). Built once per head, a row costs one wide multiply-add.
struct HeadRows {
    int64_t block_rows;
    int off_rows, head_rows;
    __device__ __forceinline__ HeadRows(int layout, int block_size, int num_kv_heads, int head) {
        const bool nhd = layout == L_NHD;
        block_rows = (int64_t)block_size * num_kv_heads;
        off_rows = nhd ? num_kv_heads : 1;
        head_rows = nhd ? head : head * block_size;
    }
    __device__ __forceinline__ int64_t row(int block, int off) const {
        return (int64_t)block * block_rows + (off * off_rows + head_rows);
    }
};

// Linear index of (block, offset, head, inner) in a paged tensor of either layout.
__device__ __forceinline__ int64_t paged_index(int layout, int block, int off, int head, int inner, int block_size,
                                               int num_kv_heads, int inner_size) {
    return HeadRows(layout, block_size, num_kv_heads, head).row(block, off) * inner_size + inner;
}

}  // namespace attn4j_common
