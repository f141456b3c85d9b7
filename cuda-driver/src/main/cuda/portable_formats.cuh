// The element formats in plain integer and float arithmetic (no NVIDIA-only intrinsics such as the
// fp8 converters), so the same code compiles for NVIDIA and Iluvatar CoreX: 16-bit values held as
// raw uint16_t bits, and the KV storage codes, decoded to float and (8-bit ones) encoded with
// round-to-nearest-even and saturation at the format's finite max, as attn4j's data model says.
// The ilu kernels use these throughout; the cuda kernels use them in append (kv_append.cuh), and
// their own hardware conversions (formats.cuh) in the attention loops.
#pragma once
#include <cuda_fp16.h>
#include <stdint.h>
#include "kernel_codes.cuh"

namespace attn4j_common {

// ---- 16-bit formats, held as raw uint16_t bits ----
__device__ __forceinline__ float bf16_to_float(uint32_t b) { return __uint_as_float(b << 16); }

// Round to nearest even; NaN stays a (quiet) NaN.
__device__ __forceinline__ uint16_t float_to_bf16(float f) {
    uint32_t b = __float_as_uint(f);
    if ((b & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    b += 0x7fffu + ((b >> 16) & 1u);
    return (uint16_t)(b >> 16);
}

__device__ __forceinline__ float fp16_to_float(uint32_t h) { return __half2float(__ushort_as_half((unsigned short)h)); }
__device__ __forceinline__ uint16_t float_to_fp16(float f) { return __half_as_ushort(__float2half_rn(f)); }

template <int Q> struct Half;
template <> struct Half<Q_BF16> {
    __device__ static float to_float(uint32_t x) { return bf16_to_float(x & 0xffffu); }
    __device__ static uint16_t from_float(float x) { return float_to_bf16(x); }
    // Both halves of a 32-bit word: the low element, then the high one.
    __device__ static float lo(uint32_t w) { return __uint_as_float(w << 16); }
    __device__ static float hi(uint32_t w) { return __uint_as_float(w & 0xffff0000u); }
};
template <> struct Half<Q_FP16> {
    __device__ static float to_float(uint32_t x) { return fp16_to_float(x & 0xffffu); }
    __device__ static uint16_t from_float(float x) { return float_to_fp16(x); }
    __device__ static float lo(uint32_t w) { return fp16_to_float(w & 0xffffu); }
    __device__ static float hi(uint32_t w) { return fp16_to_float(w >> 16); }
};

// ---- KV storage formats: decode one code to float; the 8-bit ones also encode (append), with
// round-to-nearest-even and saturation at the format's finite max (attn4j's data model) ----

// e4m3fn -> fp16 bits: the 7 magnitude bits shifted under fp16's exponent, then x 2^8 (exact,
// subnormals included, since fp16 has 3 more exponent bits of range below).
__device__ __forceinline__ float e4m3_to_float(uint32_t x) {
    const uint32_t h = ((x & 0x80u) << 8) | ((x & 0x7fu) << 7);
    return fp16_to_float(h) * 256.f;
}
// e5m2 is the top byte of an fp16.
__device__ __forceinline__ float e5m2_to_float(uint32_t x) { return fp16_to_float((x & 0xffu) << 8); }

__device__ __forceinline__ uint8_t float_to_e4m3(float r) {
    const uint32_t sign = __float_as_uint(r) >> 31 << 7;
    const float a = fminf(fabsf(r), 448.f);   // saturate (NaN too)
    uint32_t code;
    if (a < 0.015625f) {                      // below 2^-6: subnormal codes m x 2^-9 (8 = 2^-6)
        code = (uint32_t)rintf(a * 512.f);
    } else {                                  // keep 3 mantissa bits, round half to even
        uint32_t b = __float_as_uint(a);
        b += 0x7ffffu + ((b >> 20) & 1u);
        code = (b >> 20) - (120u << 3);       // rebias 127 -> 7
    }
    return (uint8_t)(sign | min(code, 0x7eu));
}

__device__ __forceinline__ uint8_t float_to_e5m2(float r) {
    const uint32_t sign = __float_as_uint(r) >> 31 << 7;
    const float a = fminf(fabsf(r), 57344.f);
    uint32_t code;
    if (a < 6.103515625e-05f) {               // below 2^-14: subnormal codes m x 2^-16
        code = (uint32_t)rintf(a * 65536.f);
    } else {
        uint32_t b = __float_as_uint(a);
        b += 0xfffffu + ((b >> 21) & 1u);
        code = (b >> 21) - (112u << 2);       // rebias 127 -> 15
    }
    return (uint8_t)(sign | min(code, 0x7bu));
}

// KV storage formats: T (the stored type), whether codes carry a scale, their finite max, decode
// (from the low bits of a 32-bit word) and, for 8-bit codes, encode.
template <int KV> struct Kv;
template <> struct Kv<KV_BF16> {
    using T = uint16_t;
    static constexpr bool quantized = false;
    __device__ static float decode(uint32_t x) { return bf16_to_float(x & 0xffffu); }
};
template <> struct Kv<KV_FP16> {
    using T = uint16_t;
    static constexpr bool quantized = false;
    __device__ static float decode(uint32_t x) { return fp16_to_float(x & 0xffffu); }
};
template <> struct Kv<KV_INT8> {
    using T = int8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 127.f;
    __device__ static float decode(uint32_t x) { return (float)(int8_t)(x & 0xffu); }
    __device__ static T encode(float r) { return (T)fmaxf(-127.f, fminf(127.f, rintf(r))); }
};
// The two fp8 formats differ only in their converters and finite max.
template <int KV>
struct Fp8 {
    using T = uint8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = KV == KV_E4M3 ? 448.f : 57344.f;
    __device__ static float decode(uint32_t x) { return KV == KV_E4M3 ? e4m3_to_float(x & 0xffu) : e5m2_to_float(x & 0xffu); }
    __device__ static T encode(float r) { return KV == KV_E4M3 ? float_to_e4m3(r) : float_to_e5m2(r); }
};
template <> struct Kv<KV_E4M3> : Fp8<KV_E4M3> {};
template <> struct Kv<KV_E5M2> : Fp8<KV_E5M2> {};

}  // namespace attn4j_common
