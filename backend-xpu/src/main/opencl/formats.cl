// Element formats: the 16-bit query/output types and the KV storage types, with every conversion
// written out (OpenCL C has no bf16 or fp8 type; fp16 goes through vload_half / vstore_half_rte,
// which need no cl_khr_fp16). Quantization rounds to nearest even and saturates (INT8 at +-127,
// FP8 at the format's finite max), as attn4j's data model says; the codes must equal the float64
// reference's exactly (conformance checks every one).

// The kernel ABI's codes: KV dtypes, query dtypes, scale granularities and layouts, as
// dev.attn4j.api.support.KernelCodes defines them (KernelAbiTest checks these against it).
#define KV_BF16 0
#define KV_FP16 1
#define KV_INT8 2
#define KV_E4M3 3
#define KV_E5M2 4
#define Q_BF16 0
#define Q_FP16 1
#define G_NONE 0
#define G_TENSOR 1
#define G_HEAD 2
#define G_CHANNEL 3
#define G_TOKEN 4
#define G_TOKEN_GROUP 5
#define L_NHD 0
#define L_HND 1

#define FLOAT_MIN_NORMAL 1.17549435e-38f

// Names pasted from the current selections: NAME3(attn4j_append_, bf16, _int8) -> attn4j_append_bf16_int8.
#define PASTE3_(a, b, c) a##b##c
#define PASTE3(a, b, c) PASTE3_(a, b, c)
#define PASTE4_(a, b, c, d) a##b##c##d
#define PASTE4(a, b, c, d) PASTE4_(a, b, c, d)
#define PASTE5_(a, b, c, d, e) a##b##c##d##e
#define PASTE5(a, b, c, d, e) PASTE5_(a, b, c, d, e)

static inline float bf16_to_float(ushort b) {
    return as_float((uint)b << 16);
}

// Round to nearest even; NaN stays a (quiet) NaN.
static inline ushort float_to_bf16(float f) {
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (ushort)((u >> 16) | 0x40u);
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return (ushort)(u >> 16);
}

// IEEE binary16 from its bits, exactly (subnormals included).
static inline float fp16_to_float(ushort h) {
    uint e = (h >> 10) & 0x1fu;
    uint m = h & 0x3ffu;
    float v;
    if (e == 0) {
        v = (float)m * 0x1p-24f;
    } else if (e == 31) {
        v = m == 0 ? INFINITY : NAN;
    } else {
        v = as_float(((e + 112u) << 23) | (m << 13));
    }
    return (h & 0x8000) ? -v : v;
}

// OCP e4m3fn: bias 7, no infinities, 0x7f / 0xff are NaN, largest finite 448. Its 7 magnitude bits
// placed under binary16's exponent give the same value times 2^-8, exactly (subnormals too).
static inline float e4m3_to_float(uchar b) {
    if ((b & 0x7fu) == 0x7fu) {
        return NAN;
    }
    return fp16_to_float((ushort)(((b & 0x80u) << 8) | ((b & 0x7fu) << 7))) * 256.0f;
}

// e5m2: the top byte of an IEEE binary16 (bias 15, exponent 31 is inf / NaN, largest finite 57344).
static inline float e5m2_to_float(uchar b) {
    return fp16_to_float((ushort)((ushort)b << 8));
}

// Nearest code of an 8-bit float with MBITS mantissa bits (ties to even), exponent rebiased from
// float's 127 by REBIAS, saturating at MAX_CODE (MAX_FINITE; infinities too); below MIN_NORMAL a
// subnormal multiple of 1 / SUB_SCALE (rint ties to even; the top one lands on the smallest normal).
// NaN keeps its sign and becomes 0x7f.
static inline uchar float_to_fp8(float x, uint mbits, uint rebias, float max_finite, uint max_code, float min_normal,
                                 float sub_scale) {
    uint sign = (as_uint(x) >> 24) & 0x80u;
    float a = fabs(x);
    if (isnan(x)) {
        return (uchar)(sign | 0x7fu);
    }
    if (a >= max_finite) {
        return (uchar)(sign | max_code);
    }
    if (a < min_normal) {
        return (uchar)(sign | (uint)rint(a * sub_scale));
    }
    uint shift = 23u - mbits;
    uint u = as_uint(a);
    u += ((1u << (shift - 1u)) - 1u) + ((u >> shift) & 1u);   // round the mantissa to MBITS bits, ties to even
    uint code = (u >> shift) - (rebias << mbits);
    return (uchar)(sign | min(code, max_code));
}

// OCP e4m3fn: saturating at 448 (code 0x7e; 0x7f is NaN).
static inline uchar float_to_e4m3(float x) {
    return float_to_fp8(x, 3u, 120u, 448.0f, 0x7eu, 0x1p-6f, 512.0f);
}

// e5m2: saturating at 57344 (code 0x7b; above are infinities and NaN).
static inline uchar float_to_e5m2(float x) {
    return float_to_fp8(x, 2u, 112u, 57344.0f, 0x7bu, 0x1p-14f, 65536.0f);
}

// INT8: nearest, ties to even, clamped to [-127, 127] (-128 is never written).
static inline char float_to_int8(float x) {
    return (char)clamp(rint(x), -127.0f, 127.0f);
}

// Linear index of (block, offset, head, inner) in a paged tensor of either layout.
static inline long paged_index(int layout, int block, int off, int head, int inner, int block_size, int num_kv_heads,
                        int inner_size) {
    long row = layout == L_NHD ? ((long)block * block_size + off) * num_kv_heads + head
                               : ((long)block * num_kv_heads + head) * block_size + off;
    return row * inner_size + inner;
}

// The scale of channel c of (block, off, head) for caches whose scale varies inside a head row
// (CHANNEL, TOKEN, TOKEN_GROUP); s0 is the preloaded TENSOR / HEAD scale.
static inline float kv_scale_at(const __global float* scales, float s0, int gran, int layout, int block, int off, int head,
                         int c, int block_size, int num_kv_heads, int head_dim, int group_size) {
    switch (gran) {
        case G_CHANNEL:
            return scales[head * head_dim + c];
        case G_TOKEN:
            return scales[paged_index(layout, block, off, head, 0, block_size, num_kv_heads, 1)];
        case G_TOKEN_GROUP:
            return scales[paged_index(layout, block, off, head, c / group_size, block_size, num_kv_heads,
                                      head_dim / group_size)];
        default:
            return s0;
    }
}

// The token-independent scale of TENSOR and HEAD caches (1 otherwise).
static inline float preload_scale(const __global float* scales, int gran, int head) {
    return gran == G_TENSOR ? scales[0] : gran == G_HEAD ? scales[head] : 1.0f;
}
