// Split-KV's second step (flash decoding), the same for the cuda and ilu backends: the items of a
// split unit each left their packed rows normalized by their own sum, with the row's LSE, in a
// partial region of the workspace (dev.attn4j.api.support.WorkSplit); a row's output is
// sum_k exp(lse_k - M) o_k / sum_k exp(lse_k - M), M the largest lse_k, and its LSE M + log(sum).
// A row nothing was visible to (every lse_k = -inf) gets zeros and -inf, as the attention kernels
// write it.
//
// One block per (unit, packed row): blockIdx.x is the unit, blockIdx.y the row (the grid's y is the
// plan's rows per item; blocks past the unit's rows return). One long sequence split hundreds of
// ways is then merged by as many blocks as the unit has rows, and inside a block the threads split
// the partials as well as the channels, so many loads are in flight at once: a block that walked
// the partials one after another, one warp per row, took longer than the attention it merged.
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

// The block-wide max (MAX) or sum of x, in every thread; `red` holds one float per warp.
template <bool MAX>
__device__ __forceinline__ float merge_block_reduce(float x, float* red) {
    x = MAX ? group_max<WARP>(x) : group_sum<WARP>(x);
    __syncthreads();   // red's previous use is over
    if (threadIdx.x % WARP == 0) red[threadIdx.x / WARP] = x;
    __syncthreads();
    x = red[0];
    for (int w = 1; w < MERGE_THREADS / WARP; w++) x = MAX ? fmaxf(x, red[w]) : x + red[w];
    return x;
}

// The weighted sum of a row's partial outputs and its store, from the row's largest LSE `mx` and
// sum of weights `sum`. Threads as (partial group, channel run): a thread owns VEC consecutive
// channels (VEC = 4 where the head dim allows: one 16-byte load per partial, so four times the
// bytes in flight of one float each; partial regions are a multiple of 4 floats, WorkSplit);
// `groups` groups of D / VEC threads take every groups-th partial when the block holds two or more
// rows' worth of runs, else one group strides the runs (4 / VEC per thread: head dims up to 1024). One long sequence
// split a hundred ways puts a hundred partials behind each row: with one float per thread and two
// groups at head dim 128 that merge took as long as a tenth of the attention before it.
template <int Q, int VEC>
__device__ __forceinline__ void merge_weighted(const attn4j_params::MergeParams& p, int first, int count, int rows, int r,
                                               float mx, float sum, float* weight, int* region, float* part_sum) {
    const int D = p.head_dim;
    const int lse_at = rows * D + r;
    const float* ws = p.workspace;
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    const int runs = (D + VEC - 1) / VEC;
    const int groups = MERGE_THREADS >= 2 * runs ? MERGE_THREADS / runs : 1;
    const int grp = groups > 1 ? threadIdx.x / runs : 0;
    const int c0 = groups > 1 ? threadIdx.x % runs : threadIdx.x;
    const int c_step = groups > 1 ? runs : MERGE_THREADS;
    const bool in_group = grp < groups;
    constexpr int J = 4 / VEC;   // runs per thread
    float acc[J][VEC];
#pragma unroll
    for (int j = 0; j < J; j++)
#pragma unroll
        for (int e = 0; e < VEC; e++) acc[j][e] = 0.f;
    for (int k0 = 0; k0 < count; k0 += MERGE_CHUNK) {
        const int n = min(MERGE_CHUNK, count - k0);
        __syncthreads();   // the previous chunk's weights are read
        for (int k = threadIdx.x; k < n; k += MERGE_THREADS) {
            const int part = p.item_partial[first + k0 + k];
            const float l = ws[(int64_t)part * p.partial_floats + lse_at];
            weight[k] = l == -INFINITY ? 0.f : __expf(l - mx) * inv;
            region[k] = part;
        }
        __syncthreads();
        if (in_group) {
#pragma unroll 4
            for (int k = grp; k < n; k += groups) {
                const float w = weight[k];
                const float* o = ws + (int64_t)region[k] * p.partial_floats + r * D;
#pragma unroll
                for (int j = 0; j < J; j++) {
                    const int c = (c0 + j * c_step) * VEC;
                    if (c < D) {
                        if constexpr (VEC == 4) {
                            const float4 v = *reinterpret_cast<const float4*>(o + c);
                            acc[j][0] += w * v.x, acc[j][1] += w * v.y, acc[j][2] += w * v.z, acc[j][3] += w * v.w;
                        } else {
                            acc[j][0] += w * o[c];
                        }
                    }
                }
            }
        }
    }
    const int64_t orow = (int64_t)(p.item_row0[first] + r / p.group) * p.num_qo_heads
            + p.item_head[first] * p.group + r % p.group;
    uint16_t* out = (uint16_t*)p.out + orow * D;
    if (groups > 1) {   // part_sum: [MERGE_THREADS][VEC], the groups' sums added per run
#pragma unroll
        for (int e = 0; e < VEC; e++) part_sum[threadIdx.x * VEC + e] = acc[0][e];
        __syncthreads();
        if (threadIdx.x < runs) {
#pragma unroll
            for (int e = 0; e < VEC; e++) {
                float o = 0.f;
                for (int x = 0; x < groups; x++) o += part_sum[(x * runs + threadIdx.x) * VEC + e];
                out[threadIdx.x * VEC + e] = Half<Q>::from_float(o);
            }
        }
    } else {
#pragma unroll
        for (int j = 0; j < J; j++)
#pragma unroll
            for (int e = 0; e < VEC; e++) {
                const int c = (c0 + j * c_step) * VEC + e;
                if (c < D) out[c] = Half<Q>::from_float(acc[j][e]);
            }
    }
    if (threadIdx.x == 0 && p.lse != nullptr) p.lse[orow] = sum > 0.f ? mx + logf(sum) : -INFINITY;
}

template <int Q>
__device__ __forceinline__ void split_merge_kernel(const attn4j_params::MergeParams& p) {
    __shared__ float weight[MERGE_CHUNK];
    __shared__ int region[MERGE_CHUNK];
    __shared__ float red[MERGE_THREADS / WARP];
    __shared__ __align__(16) float part_sum[MERGE_THREADS * 4];
    const int first = p.merge_first[blockIdx.x];
    const int count = p.merge_count[blockIdx.x];
    const int rows = p.item_rows[first] * p.group;
    const int r = blockIdx.y;
    if (r >= rows) return;   // uniform in the block
    await_earlier_kernels();   // the partials (the attention launch before), the outputs
    const int lse_at = rows * p.head_dim + r;
    const float* ws = p.workspace;

    float mx = -INFINITY;
    for (int k = threadIdx.x; k < count; k += MERGE_THREADS)
        mx = fmaxf(mx, ws[(int64_t)p.item_partial[first + k] * p.partial_floats + lse_at]);
    mx = merge_block_reduce<true>(mx, red);
    float sum = 0.f;
    if (mx != -INFINITY) {
        for (int k = threadIdx.x; k < count; k += MERGE_THREADS)
            sum += __expf(ws[(int64_t)p.item_partial[first + k] * p.partial_floats + lse_at] - mx);
    }
    sum = merge_block_reduce<false>(sum, red);
    if (p.head_dim % 4 == 0) {   // uniform
        merge_weighted<Q, 4>(p, first, count, rows, r, mx, sum, weight, region, part_sum);
    } else {
        merge_weighted<Q, 1>(p, first, count, rows, r, mx, sum, weight, region, part_sum);
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
        if (last) p.tickets[m] = 0;   // no other item of this launch touches it again
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
