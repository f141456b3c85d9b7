// Tensor-core and register primitives of the flash kernel (flash.cuh): the m16n8k16 MMA in the
// type it runs in (bf16 or fp16), packing floats into its operands, vector loads (global, shared,
// cp.async) of raw KV bytes, and the exact decoding of 8-bit codes into fp16 operands.
#pragma once
#include "formats.cuh"

namespace attn4j {

// The m16n8k16 MMA instruction of a 16-bit type ("bf16" or "f16"): d += a (16x16, row-major) *
// b (16x8, column-major), fp32 accumulation.
#define ATTN4J_MMA_16816(TYPE)                                                                         \
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." TYPE "." TYPE ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, " \
                 "{%8,%9}, {%0,%1,%2,%3};\n"                                                           \
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                                    \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1))

// The 16-bit type the tensor cores multiply in is the query's own dtype (bf16 or fp16), so queries
// enter the MMA unchanged; K and V are decoded into it.
template <int Q>
struct Mma {
    __device__ static __forceinline__ uint32_t pack(float lo, float hi) {
        if constexpr (Q == Q_BF16) {
            __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
            return *reinterpret_cast<uint32_t*>(&h);
        } else {
            __half2 h = __floats2half2_rn(lo, hi);
            return *reinterpret_cast<uint32_t*>(&h);
        }
    }
    __device__ static __forceinline__ void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
        if constexpr (Q == Q_BF16) {
            ATTN4J_MMA_16816("bf16");
        } else {
            ATTN4J_MMA_16816("f16");
        }
    }
};

// The type the attention kernels multiply in: fp16 for 8-bit caches (their codes are exact in fp16
// and decode in about one instruction each), the query type for 16-bit caches.
template <int KV, int Q>
using FlashMma = Mma<KvTraits<KV>::quantized ? (int)Q_FP16 : Q>;

// Loads BYTES bytes (a multiple of 4, aligned to min(16, BYTES)) into 32-bit words with the widest
// vector loads the size allows: 16-byte loads for every row segment of 16 bytes or more.
template <int BYTES>
__device__ __forceinline__ void load_words(uint32_t* dst, const void* src) {
    if constexpr (BYTES % 16 == 0) {
#pragma unroll
        for (int i = 0; i < BYTES / 16; i++) {
            const uint4 v = __ldg(reinterpret_cast<const uint4*>(src) + i);
            dst[4 * i] = v.x;
            dst[4 * i + 1] = v.y;
            dst[4 * i + 2] = v.z;
            dst[4 * i + 3] = v.w;
        }
    } else if constexpr (BYTES == 8) {
        const uint2 v = __ldg(reinterpret_cast<const uint2*>(src));
        dst[0] = v.x;
        dst[1] = v.y;
    } else {
        static_assert(BYTES % 4 == 0, "row segments are whole words");
#pragma unroll
        for (int i = 0; i < BYTES / 4; i++) dst[i] = __ldg(reinterpret_cast<const uint32_t*>(src) + i);
    }
}

// Asynchronous 16-byte copy global -> shared (bypassing L1); src_bytes = 0 fills zeros instead.
__device__ __forceinline__ void cp_async16(void* dst, const void* src, int src_bytes) {
    const uint32_t d = (uint32_t)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(src_bytes));
}
// The same for one 4-byte word (scales).
__device__ __forceinline__ void cp_async4(void* dst, const void* src, int src_bytes) {
    const uint32_t d = (uint32_t)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(d), "l"(src), "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

// Loads BYTES bytes of shared memory (16-byte aligned) into 32-bit words.
template <int BYTES>
__device__ __forceinline__ void lds_words(uint32_t* dst, const void* src) {
    if constexpr (BYTES % 16 == 0) {
#pragma unroll
        for (int i = 0; i < BYTES / 16; i++) {
            const uint4 v = reinterpret_cast<const uint4*>(src)[i];
            dst[4 * i] = v.x;
            dst[4 * i + 1] = v.y;
            dst[4 * i + 2] = v.z;
            dst[4 * i + 3] = v.w;
        }
    } else if constexpr (BYTES == 8) {
        const uint2 v = *reinterpret_cast<const uint2*>(src);
        dst[0] = v.x;
        dst[1] = v.y;
    } else {
#pragma unroll
        for (int i = 0; i < BYTES / 4; i++) dst[i] = reinterpret_cast<const uint32_t*>(src)[i];
    }
}

// 4 int8 codes (biased by bias_codes) or 4 fp8 codes in a word -> two fp16 pairs, exactly.
// int8: the byte x + 128 under fp16's exponent of 1024 is 1024 + 128 + x; one packed subtract.
template <int KV>
__device__ __forceinline__ void codes_to_half2(uint32_t w, uint32_t& lo, uint32_t& hi) {
    if constexpr (KV == KV_INT8) {
        const __half2 bias = __halves2half2(__ushort_as_half(0x6480), __ushort_as_half(0x6480));   // 1152
        const uint32_t a = __byte_perm(w, 0x64646464u, 0x4140);   // bytes 0, 1 -> 1024 + u
        const uint32_t b = __byte_perm(w, 0x64646464u, 0x4342);   // bytes 2, 3
        const __half2 ha = __hsub2(*reinterpret_cast<const __half2*>(&a), bias);
        const __half2 hb = __hsub2(*reinterpret_cast<const __half2*>(&b), bias);
        lo = *reinterpret_cast<const uint32_t*>(&ha);
        hi = *reinterpret_cast<const uint32_t*>(&hb);
    } else {
        constexpr __nv_fp8_interpretation_t FMT = KV == KV_E4M3 ? __NV_E4M3 : __NV_E5M2;
        const __half2_raw a = __nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)(w & 0xffffu), FMT);
        const __half2_raw b = __nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)(w >> 16), FMT);
        lo = (uint32_t)a.x | ((uint32_t)a.y << 16);
        hi = (uint32_t)b.x | ((uint32_t)b.y << 16);
    }
}

// Byte i of word a and byte i of word b (two tokens, one dim) -> one fp16 pair, exactly.
template <int KV>
__device__ __forceinline__ uint32_t code_pair_to_half2(uint32_t a, uint32_t b, int i) {
    const uint32_t pair = __byte_perm(a, b, ((4 + i) << 4) | i);   // byte 0 = a[i], byte 1 = b[i]
    if constexpr (KV == KV_INT8) {
        const __half2 bias = __halves2half2(__ushort_as_half(0x6480), __ushort_as_half(0x6480));
        const uint32_t x = __byte_perm(pair, 0x64646464u, 0x4140);
        const __half2 h = __hsub2(*reinterpret_cast<const __half2*>(&x), bias);
        return *reinterpret_cast<const uint32_t*>(&h);
    } else {
        constexpr __nv_fp8_interpretation_t FMT = KV == KV_E4M3 ? __NV_E4M3 : __NV_E5M2;
        const __half2_raw h = __nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)(pair & 0xffffu), FMT);
        return (uint32_t)h.x | ((uint32_t)h.y << 16);
    }
}

// Query elements 2i and 2i + 1 (16-bit word w) as floats into f, times their K CHANNEL scales
// where `channel` is given.
template <int Q>
__device__ __forceinline__ void query_pair(uint32_t w, const float* channel, int i, float* f) {
    const typename QTraits<Q>::T* e = reinterpret_cast<const typename QTraits<Q>::T*>(&w);
    f[2 * i] = QTraits<Q>::to_float(e[0]);
    f[2 * i + 1] = QTraits<Q>::to_float(e[1]);
    if (channel != nullptr) {
        f[2 * i] *= __ldg(channel + 2 * i);
        f[2 * i + 1] *= __ldg(channel + 2 * i + 1);
    }
}

// Brings one row's slice of 16-bit queries (this lane's part; the row spans the 4 lanes of a quad)
// into fp16 in place, scaled by a power of two that puts the row's largest magnitude in
// [2^14, 2^15): exact for every element within 2^-28 of it. With `channel` (the K CHANNEL scales of
// the slice's dims) each element is multiplied by its scale first; that product is not exact in
// fp16, so `lo` (then required) receives the rounding remainder as a second fp16 operand: hi + lo
// holds the product to about 2^-22, and K . hi + K . lo is the exact score to float32's precision.
// Returns the inverse scale.
template <int Q, int WORDS>
__device__ __forceinline__ float queries_to_fp16(uint32_t* w, const float* channel = nullptr, uint32_t* lo = nullptr) {
    float f[2 * WORDS];
    float mx = 0.f;
#pragma unroll
    for (int i = 0; i < WORDS; i++) {
        query_pair<Q>(w[i], channel, i, f);
        mx = fmaxf(mx, fmaxf(fabsf(f[2 * i]), fabsf(f[2 * i + 1])));
    }
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
    const int ex = (int)((__float_as_uint(mx) >> 23) & 0xff);     // biased exponent of the max
    const int e = mx > 0.f ? min(253, max(1, 127 + 14 - (ex - 127))) : 127;   // biased exponent of the scale
    const float scale = __uint_as_float((uint32_t)e << 23);
#pragma unroll
    for (int i = 0; i < WORDS; i++) {
        const float a = f[2 * i] * scale, b = f[2 * i + 1] * scale;
        const __half2 h = __floats2half2_rn(a, b);
        w[i] = *reinterpret_cast<const uint32_t*>(&h);
        if (channel != nullptr) {
            const __half2 r = __floats2half2_rn(a - __low2float(h), b - __high2float(h));
            lo[i] = *reinterpret_cast<const uint32_t*>(&r);
        }
    }
    return __uint_as_float((uint32_t)(254 - e) << 23);   // 2^-(e - 127), exact
}

// The integer MMA the decode kernel's int8 scores run on: d += a (16x32 s8, row-major) * b (32x8 s8,
// column-major), exact int32 accumulation. Fragments: a[0] (row g, k 4t ... 4t+3), a[1] (row g + 8),
// a[2] and a[3] the same rows at k + 16; b0 (k 4t ... 4t+3, column g), b1 at k + 16; d as the
// m16n8k16 accumulator (row g: columns 2t, 2t + 1; row g + 8: the same).
__device__ __forceinline__ void imma_16832(int (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// The same at k = 16, for TOKEN_GROUP groups of 16 dims: a[0] (row g, k 4t ... 4t+3), a[1] (row
// g + 8), b (k 4t ... 4t+3, column g).
__device__ __forceinline__ void imma_16816(int (&d)[4], uint32_t a0, uint32_t a1, uint32_t b) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5}, {%6}, {%0,%1,%2,%3};\n"
                 : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
                 : "r"(a0), "r"(a1), "r"(b));
}

// Brings one row's slice of 16-bit queries (ELEMS elements of this lane; the row spans LANES
// consecutive lanes, 4 by default: a quad) into two int8 operands, hi and lo (ELEMS / 4 words each, 4 consecutive elements per
// word), so that q = s (hi + lo / 254) with s = max |q| / 127 over the row: hi = rint(q / s), lo the
// remainder (at most half a step) times 254. Every element is then held to max |q| / 64516, finer
// than fp16 rounds all but the row's smallest elements, and K . hi + K . lo / 254 is exact in int32
// before one float multiply. With `channel` (the K CHANNEL scales of the slice's dims) each element
// is multiplied by its scale first, in float32. Returns s: NaN when an element of the row is not
// finite (so its scores are, as the 16-bit path's would be), 0 for a row of zeros.
template <int Q, int ELEMS, int LANES = 4>
__device__ __forceinline__ float queries_to_int8(const uint32_t* w, const float* channel, uint32_t* hi, uint32_t* lo) {
    float f[ELEMS];
    float mx = 0.f;
    bool finite = true;
#pragma unroll
    for (int i = 0; i < ELEMS / 2; i++) {
        query_pair<Q>(w[i], channel, i, f);
        finite = finite && isfinite(f[2 * i]) && isfinite(f[2 * i + 1]);
        mx = fmaxf(mx, fmaxf(fabsf(f[2 * i]), fabsf(f[2 * i + 1])));
    }
#pragma unroll
    for (int x = 1; x < LANES; x <<= 1) {
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, x));
        finite = __shfl_xor_sync(0xffffffffu, (int)finite, x) && finite;
    }
    const float inv = finite && mx > 0.f ? 127.f / mx : 0.f;
#pragma unroll
    for (int i = 0; i < ELEMS / 4; i++) {
        uint32_t h = 0, l = 0;
#pragma unroll
        for (int e = 0; e < 4; e++) {
            const float x = f[4 * i + e] * inv;   // in [-127, 127] (to rounding)
            const float xh = rintf(x);
            const int ih = (int)xh, il = __float2int_rn((x - xh) * 254.f);
            h |= ((uint32_t)ih & 0xffu) << (8 * e);
            l |= ((uint32_t)il & 0xffu) << (8 * e);
        }
        hi[i] = h;
        lo[i] = l;
    }
    return !finite ? __int_as_float(0x7fc00000) : mx / 127.f;
}

// The product of two fp16 pairs held as raw words.
__device__ __forceinline__ uint32_t hmul2_bits(uint32_t a, uint32_t b) {
    const __half2 r = __hmul2(*reinterpret_cast<const __half2*>(&a), *reinterpret_cast<const __half2*>(&b));
    return *reinterpret_cast<const uint32_t*>(&r);
}

// Prepares raw words for codes_to_half2 / code_pair_to_half2: int8 codes x become the unsigned
// bytes x + 128 (one XOR per four codes); other types are left as they are.
template <int KV, int WORDS>
__device__ __forceinline__ void bias_codes(uint32_t* w) {
    if constexpr (KV == KV_INT8) {
#pragma unroll
        for (int i = 0; i < WORDS; i++) w[i] ^= 0x80808080u;
    }
}

}  // namespace attn4j
