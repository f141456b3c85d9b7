// Element formats of the attention kernels: 16-bit query/output types and the KV storage types,
// decoded with the hardware's conversions. (Append quantizes with cuda-driver's portable
// converters, kv_append.cuh: it is far from any throughput limit.)
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>
#include "kernel_codes.cuh"
#include "lanes.cuh"
#include "paged_rows.cuh"

namespace attn4j {

// The ABI codes (KvType, QType, Gran, Layout), the paged-cache row arithmetic (HeadRows,
// paged_index) and the lane-group reductions are cuda-driver's shared headers.
using namespace attn4j_common;

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
    __device__ static float decode(T x) { return (float)x; }
};
// The two fp8 formats differ only in their interpretation.
template <int KV>
struct Fp8Traits {
    static constexpr __nv_fp8_interpretation_t FORMAT = KV == KV_E4M3 ? __NV_E4M3 : __NV_E5M2;
    using T = uint8_t;
    static constexpr bool quantized = true;
    __device__ static float decode(T x) {
        __half_raw h = __nv_cvt_fp8_to_halfraw((__nv_fp8_storage_t)x, FORMAT);
        return __half2float(__half(h));
    }
};
template <> struct KvTraits<KV_E4M3> : Fp8Traits<KV_E4M3> {};
template <> struct KvTraits<KV_E5M2> : Fp8Traits<KV_E5M2> {};

__device__ __forceinline__ float warp_sum(float x) { return group_sum<32>(x); }

}  // namespace attn4j
