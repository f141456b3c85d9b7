// Element formats: 16-bit query/output types and the KV storage types, with the conversions the
// kernels need. Quantization rounds to nearest even and saturates (INT8 at +-127, FP8 at the
// format's finite max), as attn4j's data model says.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>

namespace attn4j {

// The kernel ABI's codes, as dev.attn4j.api.support.KernelCodes defines them (KernelAbiTest checks
// these against it). KV dtype codes:
enum KvType { KV_BF16 = 0, KV_FP16 = 1, KV_INT8 = 2, KV_E4M3 = 3, KV_E5M2 = 4 };
// Query / output dtype codes.
enum QType { Q_BF16 = 0, Q_FP16 = 1 };
// Scale granularity codes:
enum Gran { G_NONE = 0, G_TENSOR = 1, G_HEAD = 2, G_CHANNEL = 3, G_TOKEN = 4, G_TOKEN_GROUP = 5 };
// Cache layouts:
enum Layout { L_NHD = 0, L_HND = 1 };

template <int Q> struct QTraits;
template <> struct QTraits<Q_BF16> {
    using T = __nv_bfloat16;
    __device__ static float to_float(T x) { return __bfloat162float(x); }
    __device__ static T from_float(float x) { return __float2bfloat16_rn(x); }
};
template <> struct QTraits<Q_FP16> {
    using T = __half;
    __device__ static float to_float(T x) { return __half2float(x); }
    __device__ static T from_float(float x) { return __float2half_rn(x); }
};

template <int KV> struct KvTraits;
template <> struct KvTraits<KV_BF16> {
    using T = __nv_bfloat16;
    static constexpr bool quantized = false;
    __device__ static float decode(T x) { return __bfloat162float(x); }
};
template <> struct KvTraits<KV_FP16> {
    using T = __half;
    static constexpr bool quantized = false;
    __device__ static float decode(T x) { return __half2float(x); }
};
template <> struct KvTraits<KV_INT8> {
    using T = int8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 127.f;
    __device__ static float decode(T x) { return (float)x; }
    __device__ static T encode(float r) { return (T)fmaxf(-127.f, fminf(127.f, rintf(r))); }
};
template <> struct KvTraits<KV_E4M3> {
    using T = uint8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 448.f;
    __device__ static float decode(T x) {
        __half_raw h = __nv_cvt_fp8_to_halfraw((__nv_fp8_storage_t)x, __NV_E4M3);
        return __half2float(__half(h));
    }
    __device__ static T encode(float r) { return (T)__nv_cvt_float_to_fp8(r, __NV_SATFINITE, __NV_E4M3); }
};
template <> struct KvTraits<KV_E5M2> {
    using T = uint8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 57344.f;
    __device__ static float decode(T x) {
        __half_raw h = __nv_cvt_fp8_to_halfraw((__nv_fp8_storage_t)x, __NV_E5M2);
        return __half2float(__half(h));
    }
    __device__ static T encode(float r) { return (T)__nv_cvt_float_to_fp8(r, __NV_SATFINITE, __NV_E5M2); }
};

// Where one KV head's rows sit in a paged tensor, in rows (of D elements, of scale groups, or of
// one scale): row = block * block_rows + offset * off_rows + head_rows, whatever the layout (NHD:
// [block][offset][head], HND: [block][head][offset]). Built once, a row costs one wide multiply-add.
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

__device__ __forceinline__ float warp_sum(float x) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}

__device__ __forceinline__ float warp_max(float x) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}

}  // namespace attn4j
