// What every ilu kernel builds on, written once so the rest is plain, portable CUDA C: the warp
// width (64 lanes on Iluvatar CoreX, 32 on NVIDIA, where these kernels are tested), lane-group
// shuffles that never assume a width, the element formats with their conversions done in plain
// integer and float arithmetic (no NVIDIA-only intrinsics such as the fp8 converters), and the
// paged-cache row arithmetic. No inline PTX, no mma.sync, no cp.async anywhere in this module.
#pragma once
#include <cuda_fp16.h>
#include <stdint.h>

// The warp width the kernels are compiled for. CoreX's compiler defines __ILUVATAR__.
#ifndef ATTN4J_WARP
#if defined(__ILUVATAR__)
#define ATTN4J_WARP 64
#else
#define ATTN4J_WARP 32
#endif
#endif

namespace ilu {

constexpr int WARP = ATTN4J_WARP;

// The kernel ABI's codes, as dev.attn4j.api.support.KernelCodes defines them (KernelAbiTest checks
// these against it). KV dtype codes:
enum KvType { KV_BF16 = 0, KV_FP16 = 1, KV_INT8 = 2, KV_E4M3 = 3, KV_E5M2 = 4 };
// Query / output dtype codes (and the 16-bit staging type, which is the query type).
enum QType { Q_BF16 = 0, Q_FP16 = 1 };
// Scale granularity codes:
enum Gran { G_NONE = 0, G_TENSOR = 1, G_HEAD = 2, G_CHANNEL = 3, G_TOKEN = 4, G_TOKEN_GROUP = 5 };
// Cache layouts:
enum Layout { L_NHD = 0, L_HND = 1 };

// Xor-shuffle within groups of WIDTH consecutive lanes. WIDTH is a compile-time power of two no
// wider than the warp: kernels size their lane groups from the data (a head's bytes per 16-byte
// load), never from the warp.
template <int WIDTH>
__device__ __forceinline__ float shfl_xor(float x, int offset) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
#if defined(__ILUVATAR__)
    return __shfl_xor(x, offset, WIDTH);
#else
    return __shfl_xor_sync(0xffffffffu, x, offset, WIDTH);
#endif
}

// Lane src's x, within groups of WIDTH consecutive lanes.
template <int WIDTH>
__device__ __forceinline__ float shfl_idx(float x, int src) {
    static_assert(WIDTH <= WARP && (WIDTH & (WIDTH - 1)) == 0, "lane groups are powers of two within a warp");
#if defined(__ILUVATAR__)
    return __shfl(x, src, WIDTH);
#else
    return __shfl_sync(0xffffffffu, x, src, WIDTH);
#endif
}

template <int WIDTH>
__device__ __forceinline__ float group_sum(float x) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) x += shfl_xor<WIDTH>(x, o);
    return x;
}

template <int WIDTH>
__device__ __forceinline__ float group_max(float x) {
#pragma unroll
    for (int o = WIDTH / 2; o > 0; o >>= 1) x = fmaxf(x, shfl_xor<WIDTH>(x, o));
    return x;
}

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
template <> struct Kv<KV_E4M3> {
    using T = uint8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 448.f;
    __device__ static float decode(uint32_t x) { return e4m3_to_float(x & 0xffu); }
    __device__ static T encode(float r) { return float_to_e4m3(r); }
};
template <> struct Kv<KV_E5M2> {
    using T = uint8_t;
    static constexpr bool quantized = true;
    static constexpr float max_code = 57344.f;
    __device__ static float decode(uint32_t x) { return e5m2_to_float(x & 0xffu); }
    __device__ static T encode(float r) { return float_to_e5m2(r); }
};

// Where one KV head's rows sit in a paged tensor, in rows (of D elements, of scale groups, or of
// one scale): row = block * block_rows + offset * off_rows + head_rows, whatever the layout (NHD:
// [block][offset][head], HND: [block][head][offset]).
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

// Eight consecutive codes (two or four 32-bit words) to floats, in channel order.
template <int KV>
__device__ __forceinline__ void decode8(const uint32_t* w, float* f) {
    if constexpr (sizeof(typename Kv<KV>::T) == 1) {
#pragma unroll
        for (int i = 0; i < 8; i++) f[i] = Kv<KV>::decode(w[i / 4] >> (8 * (i % 4)));
    } else {
#pragma unroll
        for (int i = 0; i < 8; i++) f[i] = Kv<KV>::decode(w[i / 2] >> (16 * (i % 2)));
    }
}

// One lane's 8 or 16 bytes (WORDS 32-bit words) in one load; the address is aligned to its size.
template <int WORDS>
__device__ __forceinline__ void load_words(const void* src, uint32_t* w) {
    if constexpr (WORDS == 4) {
        const uint4 v = *(const uint4*)src;
        w[0] = v.x; w[1] = v.y; w[2] = v.z; w[3] = v.w;
    } else {
        const uint2 v = *(const uint2*)src;
        w[0] = v.x; w[1] = v.y;
    }
}

}  // namespace ilu
