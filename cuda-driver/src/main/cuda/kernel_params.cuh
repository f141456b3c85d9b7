// The parameter structs of the kernels the libcuda backends launch (cuda's and ilu's), passed by
// value through cuLaunchKernel. Their field order is the contract with the Java side, which builds
// them in cuda-driver: dev.attn4j.cudadriver.AttentionParams (AttnParams, MergeParams, AppendParams,
// ReadParams). One definition, included by both backends' kernel builds
// (their build-kernels.sh add this folder to the include path).
#pragma once

namespace attn4j_params {

struct AttnParams {
    const void* q;            // [numTokens][numQoHeads][headDim]
    void* out;                // same
    float* lse;               // [numTokens][numQoHeads] or null
    const void* k_cache;      // the KV cache (or a backend's staging of it)
    const void* v_cache;
    const float* k_scale;     // caller scales or dynamic-scale tensor (null for 16-bit data)
    const float* v_scale;
    const int* q_indptr;      // [numSeq + 1]
    const int* kv_lens;       // [numSeq]
    const int* block_indptr;  // [numSeq + 1]
    const int* block_ids;     // referenced blocks
    const int* item_seq;      // work items (dev.attn4j.api.support.WorkSplit)
    const int* item_head;
    const int* item_row0;
    const int* item_rows;
    const int* item_lo;
    const int* item_hi;
    const int* item_partial;
    const int* item_merge;    // the item's merge, or -1 (its unit is not split)
    const int* merge_first;   // first item of each split unit
    const int* merge_count;   // its number of items
    int* tickets;             // one zero per merge when the kernel merges in place (split_merge.cuh), else null
    int* claims;              // one zero per merge when the kernel's items claim stages (claimed_stages.cuh), else null
    float* workspace;
    int partial_floats;
    int num_qo_heads, num_kv_heads, head_dim, block_size, group, layout, gran, group_size;
    float sm_scale, soft_cap;
    int causal, window;
};

struct MergeParams {
    void* out;
    float* lse;
    const float* workspace;
    const int* merge_first;   // first item of each split unit
    const int* merge_count;   // its number of items
    const int* item_head;
    const int* item_row0;
    const int* item_rows;
    const int* item_partial;
    int partial_floats, num_qo_heads, head_dim, group;
    int slice;                // channels of a row per merge block (DriverBackend.mergeSlice)
    int* claims;              // the plan's claim counters, put back to zero by the merge
};

struct AppendParams {
    const void* keys;         // [n][numKvHeads][headDim] of the input dtype
    const void* values;
    const int* slots;         // [n], or null: the slots are inline_slots
    void* k_cache;
    void* v_cache;
    float* k_scale;           // caller scales (TENSOR/HEAD/CHANNEL) or the dynamic-scale tensor
    float* v_scale;
    int num_kv_heads, head_dim, block_size, layout, gran, group_size;
    // A decode step's slots (up to 256 tokens) travel in the launch itself: uploaded to `slots`, they
    // were a host-to-device copy on the stream between the previous layer's attention and this
    // append, in every layer (docs/PERF.md). DriverBackend.INLINE_SLOTS is this length.
    int inline_slots[256];
};

// The read-ceiling kernel's (read_ceiling.cuh): a buffer of `words` 16-byte words, and a sink
// written only when the folded words equal `magic` (never, in practice: the loads stay, the kernel
// writes nothing).
struct ReadParams {
    const void* src;
    unsigned* sink;
    int words;
    unsigned magic;
};

}  // namespace attn4j_params
