// Split-KV's second step (flash decoding), the same for the cuda and ilu backends: the items of a
// split unit each left their packed rows normalized by their own sum, with the row's LSE, in a
// partial region of the workspace (dev.attn4j.api.support.WorkSplit); a row's output is
// sum_k exp(lse_k - M) o_k / sum_k exp(lse_k - M), M the largest lse_k, and its LSE M + log(sum).
// A row nothing was visible to (every lse_k = -inf) gets zeros and -inf, as the attention kernels
// write it.
//
// One block per (unit, packed row, slice of p.slice channels): blockIdx.x is unit x slices + slice,
// blockIdx.y the row (the grid's y is the plan's rows per item; blocks past the unit's rows return).
// The merge runs after the attention's last item, so its time is a chain of loads that nothing
// hides: one block per row walked 8 ... 17 partials per thread at one long sequence (16-byte loads,
// 4 in flight). The launcher narrows the slice (DriverBackend.mergeSlice) until each thread walks
// a few partials at most, so a row split a hundred ways is merged by several blocks, each of whose
// 256 threads takes a few partials of a few channels; every block of a row reads the row's LSEs
// once, in one pass (docs/PERF.md).
#pragma once
#include "grid_dependency.cuh"
#include "kernel_params.cuh"
#include "lanes.cuh"
#include "portable_formats.cuh"

namespace attn4j_common {

// Threads of a merge block (the launcher's DriverBackend.MERGE_THREADS) and partial weights held
// in shared memory at a time.
constexpr int MERGE_THREADS = 256;
constexpr int MERGE_CHUNK = 512;

// (m, s) := the pair for the union of (m, s) and (m2, s2), where s sums exp(lse - m) over its
// partials; -inf with 0 is the empty set.
__device__ __forceinline__ void lse_combine(float& m, float& s, float m2, float s2) {
    const float mn = fmaxf(m, m2);
    if (mn == -INFINITY) return;
    s = s * __expf(m - mn) + s2 * __expf(m2 - mn);
    m = mn;
}

// The block-wide (max, sum) of every thread's pair, in every thread; `red` holds two floats per warp.
__device__ __forceinline__ void merge_block_lse(float& m, float& s, float* red) {
#pragma unroll
    for (int off = WARP / 2; off > 0; off >>= 1) {
        const float m2 = shfl_xor<WARP>(m, off), s2 = shfl_xor<WARP>(s, off);
        lse_combine(m, s, m2, s2);
    }
    constexpr int WARPS = MERGE_THREADS / WARP;
    if (threadIdx.x % WARP == 0) {
        red[threadIdx.x / WARP] = m;
        red[WARPS + threadIdx.x / WARP] = s;
    }
    __syncthreads();
    m = red[0];
    s = red[WARPS];
    for (int w = 1; w < WARPS; w++) lse_combine(m, s, red[w], red[WARPS + w]);
}

// The weighted sum of channels c_first ... c_first + W - 1 (W = p.slice, a power of two from 32 to
// 256; those below the head dim) of row r over the unit's `count` partials (regions region0 ...),
// from the row's largest LSE `mx` and 1 / sum of weights `inv`, and its store; `weight` holds the
// first MERGE_CHUNK partials' LSEs. Thread = (group, run): a run is VEC consecutive channels
// (VEC = 4 where the head dim allows: one 16-byte load per partial; partial regions are a multiple
// of 4 floats, WorkSplit), the groups take every groups-th partial. `part`: 4 x MERGE_THREADS floats.
template <int Q, int VEC>
__device__ __forceinline__ void merge_slice(const attn4j_params::MergeParams& p, int region0, int count, int rows, int r,
                                            int64_t orow, int c_first, float mx, float inv, float* weight, float* part) {
    const int W = p.slice;
    const int runs = W / VEC;                  // divides MERGE_THREADS: both powers of two
    const int groups = MERGE_THREADS / runs;
    const int D = p.head_dim;
    const int64_t pf = p.partial_floats;
    const float* ws = p.workspace;
    const int run = threadIdx.x % runs, grp = threadIdx.x / runs;
    const int c = c_first + run * VEC;
    float acc[VEC];
#pragma unroll
    for (int e = 0; e < VEC; e++) acc[e] = 0.f;
    for (int k0 = 0; k0 < count; k0 += MERGE_CHUNK) {
        const int n = min(MERGE_CHUNK, count - k0);
        __syncthreads();   // the previous chunk's weights are read (and merge_block_lse's `red`)
        for (int k = threadIdx.x; k < n; k += MERGE_THREADS) {
            // The first chunk's LSEs are where the LSE pass left them, each in the thread's own entry.
            const float l = k0 == 0 ? weight[k] : ws[(int64_t)(region0 + k0 + k) * pf + rows * D + r];
            weight[k] = l == -INFINITY ? 0.f : __expf(l - mx) * inv;
        }
        __syncthreads();
        if (c < D) {
            const float* o = ws + (int64_t)(region0 + k0) * pf + r * D + c;
#pragma unroll 4
            for (int k = grp; k < n; k += groups) {
                const float w = weight[k];
                if constexpr (VEC == 4) {
                    const float4 v = *reinterpret_cast<const float4*>(o + k * pf);
                    acc[0] += w * v.x, acc[1] += w * v.y, acc[2] += w * v.z, acc[3] += w * v.w;
                } else {
                    acc[0] += w * o[k * pf];
                }
            }
        }
    }
    // The groups' sums per channel: groups within a warp by shuffles (runs narrower than a warp),
    // then the `sums` rows left, one per warp or per group, through shared memory.
    int sums = groups, at = grp;
    if (runs < WARP) {
#pragma unroll
        for (int e = 0; e < VEC; e++)
            for (int off = runs; off < WARP; off <<= 1) acc[e] += shfl_xor<WARP>(acc[e], off);
        sums = MERGE_THREADS / WARP;
        at = threadIdx.x / WARP;
    }
    if (runs >= WARP || threadIdx.x % WARP < runs) {
#pragma unroll
        for (int e = 0; e < VEC; e++) part[at * W + run * VEC + e] = acc[e];
    }
    __syncthreads();
    const int d = c_first + threadIdx.x;   // thread x < W stores channel c_first + x
    if (threadIdx.x < W && d < D) {
        float o = 0.f;
        for (int y = 0; y < sums; y++) o += part[y * W + threadIdx.x];
        ((uint16_t*)p.out)[orow * D + d] = Half<Q>::from_float(o);
    }
}

template <int Q>
__device__ __forceinline__ void split_merge_kernel(const attn4j_params::MergeParams& p) {
    __shared__ float weight[MERGE_CHUNK];
    __shared__ float red[2 * MERGE_THREADS / WARP];
    __shared__ float part[4 * MERGE_THREADS];
    const int D = p.head_dim;
    const int slices = (D + p.slice - 1) / p.slice;
    const int unit = blockIdx.x / slices, slice = blockIdx.x % slices;
    const int first = p.merge_first[unit];
    const int count = p.merge_count[unit];
    const int rows = p.item_rows[first] * p.group;
    const int r = blockIdx.y;
    if (r >= rows) return;   // uniform in the block
    const int region0 = p.item_partial[first];   // a unit's partial regions are consecutive (WorkSplit)
    const int64_t orow = (int64_t)(p.item_row0[first] + r / p.group) * p.num_qo_heads + p.item_head[first] * p.group
            + r % p.group;   // the row's output row (plan metadata, like the above: read before the wait)
    await_earlier_kernels();   // the partials (the attention launch before), the outputs
    if (slice == 0 && r == 0 && threadIdx.x == 0) p.claims[unit] = 0;   // for the plan's next launch (claimed_stages.cuh)
    const int64_t pf = p.partial_floats;
    const float* lse = p.workspace + (int64_t)region0 * pf + rows * D + r;

    float mx = -INFINITY, sum = 0.f;
    for (int k = threadIdx.x; k < count; k += MERGE_THREADS) {
        const float l = lse[k * pf];
        if (k < MERGE_CHUNK) weight[k] = l;   // merge_slice's first chunk takes them from here: no second load
        lse_combine(mx, sum, l, 1.f);
    }
    merge_block_lse(mx, sum, red);
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    if (D % 4 == 0) {   // uniform
        merge_slice<Q, 4>(p, region0, count, rows, r, orow, slice * p.slice, mx, inv, weight, part);
    } else {
        merge_slice<Q, 1>(p, region0, count, rows, r, orow, slice * p.slice, mx, inv, weight, part);
    }
    if (slice == 0 && threadIdx.x == 0 && p.lse != nullptr) {
        p.lse[orow] = sum > 0.f ? mx + logf(sum) : -INFINITY;
    }
}

// ---- The merge in place: split-KV's second step inside the attention kernel ----
//
// A kernel given tickets (AttnParams.tickets, one zero per merge in the plan's metadata) does
// the merge itself: each item of a split unit, once its partial is written, counts itself in on
// its unit's ticket; the item that counts last merges the unit's partials, which are still in L2,
// and puts the ticket back to zero for the plan's next launch. That saves the merge launch and the
// gap before it: qwen2-7b's 64 x 4096 decode (256 units split in two) took 82.5 us instead of 94.5.
// One block walks all of a unit's partials, so units split many ways merge faster in the merge
// kernel: the launcher merges in place up to CudaKernels.IN_PLACE_MAX_SPLITS items per unit only.

// Loads that bypass L1 (not coherent across SMs): other blocks wrote these partials.
__device__ __forceinline__ float load_l2(const float* a) {
#if defined(__ILUVATAR__)
    return *(const volatile float*)a;
#else
    return __ldcg(a);
#endif
}
__device__ __forceinline__ float4 load_l2_4(const float* a) {
#if defined(__ILUVATAR__)
    const volatile float* v = a;
    return make_float4(v[0], v[1], v[2], v[3]);
#else
    return __ldcg(reinterpret_cast<const float4*>(a));
#endif
}

// Whether this block's item is the last of its split unit to finish, called by every thread once
// the item's partial is written (`flag`: one int of shared memory). The fences order each thread's
// partial stores before the ticket, and the last block's loads after it.
__device__ __forceinline__ bool last_of_unit(const attn4j_params::AttnParams& p, int item, int* flag) {
    const int m = p.item_merge[item];
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) {
        const bool last = atomicAdd(p.tickets + m, 1) == p.merge_count[m] - 1;
        if (last) {   // no other item of this launch touches them again
            p.tickets[m] = 0;
            if (p.claims != nullptr) p.claims[m] = 0;   // every item's claims came before its ticket
        }
        *flag = last;
    }
    __syncthreads();
    const bool last = *flag != 0;
    if (last) __threadfence();
    return last;
}

// The merge of the split unit of `item` (whose packed rows, first query row and KV head it shares
// with the unit's other items) by the THREADS threads of one block, as split_merge_kernel computes
// it: per row the largest LSE and the sum of weights (a warp per row, lanes over the partials),
// then threads as (row, 4-channel run) x groups of partials. `smem`: 16 + 4 x THREADS floats.
template <int Q, int D, int THREADS>
__device__ __forceinline__ void merge_in_place(const attn4j_params::AttnParams& p, int item, int rows, int row0, int head,
                                               float* smem) {
    static_assert(D % 4 == 0 && THREADS % WARP == 0, "4-channel runs, whole warps");
    constexpr int RUNS = D / 4;
    const int m = p.item_merge[item];
    const int first = p.item_partial[p.merge_first[m]];   // a unit's partials are consecutive (WorkSplit)
    const int n = p.merge_count[m];
    const float* ws = p.workspace;
    const int64_t pf = p.partial_floats;
    float* row_max = smem;        // [8]
    float* row_inv = smem + 8;    // [8]
    float* part = smem + 16;      // [THREADS][4]
    const int lane = threadIdx.x % WARP;
    for (int r = threadIdx.x / WARP; r < rows; r += THREADS / WARP) {
        const float* lse = ws + (int64_t)first * pf + rows * D + r;
        float mx = -INFINITY;
        for (int k = lane; k < n; k += WARP) mx = fmaxf(mx, load_l2(lse + k * pf));
        mx = group_max<WARP>(mx);
        float sum = 0.f;
        if (mx != -INFINITY) {
            for (int k = lane; k < n; k += WARP) sum += __expf(load_l2(lse + k * pf) - mx);
        }
        sum = group_sum<WARP>(sum);
        if (lane == 0) {
            row_max[r] = mx;
            row_inv[r] = sum > 0.f ? 1.f / sum : 0.f;
            if (p.lse != nullptr) {
                const int64_t orow = (int64_t)(row0 + r / p.group) * p.num_qo_heads + head * p.group + r % p.group;
                p.lse[orow] = sum > 0.f ? mx + logf(sum) : -INFINITY;
            }
        }
    }
    __syncthreads();
    // Groups of partials when the runs do not fill the block (4 rows x 32 runs at d128 do: one group).
    const int runs = rows * RUNS;
    const int groups = runs >= THREADS ? 1 : THREADS / runs;
    const int grp = threadIdx.x / runs;
    for (int x0 = 0; x0 < runs; x0 += THREADS) {
        const int x = groups > 1 ? threadIdx.x % runs : x0 + threadIdx.x;
        const bool in = groups > 1 ? grp < groups : x < runs;
        const int r = in ? x / RUNS : 0;
        const int c = (x % RUNS) * 4;
        float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
        if (in) {
            const float mx = row_max[r], inv = row_inv[r];
            const float* base = ws + (int64_t)first * pf;
#pragma unroll 4
            for (int k = groups > 1 ? grp : 0; k < n; k += groups) {
                const float l = load_l2(base + k * pf + rows * D + r);
                const float w = l == -INFINITY ? 0.f : __expf(l - mx) * inv;
                const float4 o = load_l2_4(base + k * pf + r * D + c);
                acc.x += w * o.x, acc.y += w * o.y, acc.z += w * o.z, acc.w += w * o.w;
            }
        }
        if (groups > 1) {   // the groups' sums added per run
            *reinterpret_cast<float4*>(part + 4 * threadIdx.x) = acc;
            __syncthreads();
            if (threadIdx.x >= runs) break;   // uniform below: every thread left has a run
            for (int y = 1; y < groups; y++) {
                const float4 o = *reinterpret_cast<const float4*>(part + 4 * (y * runs + threadIdx.x));
                acc.x += o.x, acc.y += o.y, acc.z += o.z, acc.w += o.w;
            }
        } else if (!in) {
            break;
        }
        const int64_t orow = (int64_t)(row0 + r / p.group) * p.num_qo_heads + head * p.group + r % p.group;
        const uint2 packed = make_uint2(Half<Q>::from_float(acc.x) | (uint32_t)Half<Q>::from_float(acc.y) << 16,
                                        Half<Q>::from_float(acc.z) | (uint32_t)Half<Q>::from_float(acc.w) << 16);
        *reinterpret_cast<uint2*>((uint16_t*)p.out + orow * D + c) = packed;   // the launcher checks 16-byte alignment
    }
}

}  // namespace attn4j_common

// The merge kernels' extern "C" definitions (attn4j_merge_<q>), instantiated once in each
// backend's translation unit.
#define ATTN4J_MERGE_KERNELS                                                                                 \
    extern "C" __global__ void __launch_bounds__(attn4j_common::MERGE_THREADS)                              \
        attn4j_merge_bf16(attn4j_params::MergeParams p) { attn4j_common::split_merge_kernel<attn4j_common::Q_BF16>(p); }    \
    extern "C" __global__ void __launch_bounds__(attn4j_common::MERGE_THREADS)                              \
        attn4j_merge_fp16(attn4j_params::MergeParams p) { attn4j_common::split_merge_kernel<attn4j_common::Q_FP16>(p); }
