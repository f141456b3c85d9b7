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

// OCP e4m3fn: bias 7, no infinities, 0x7f / 0xff are NaN, largest finite 448.
static inline float e4m3_to_float(uchar b) {
    uint e = (b >> 3) & 0xfu;
    uint m = b & 7u;
    float v;
    if (e == 0) {
        v = (float)m * 0x1p-9f;
    } else if (e == 15 && m == 7) {
        v = NAN;
    } else {
        v = as_float(((e + 120u) << 23) | (m << 20));
    }
    return (b & 0x80) ? -v : v;
}

// e5m2: bias 15, exponent 31 is inf / NaN, largest finite 57344.
static inline float e5m2_to_float(uchar b) {
    uint e = (b >> 2) & 0x1fu;
    uint m = b & 3u;
    float v;
    if (e == 0) {
        v = (float)m * 0x1p-16f;
    } else if (e == 31) {
        v = m == 0 ? INFINITY : NAN;
    } else {
        v = as_float(((e + 112u) << 23) | (m << 21));
    }
    return (b & 0x80) ? -v : v;
}

// Nearest e4m3 code (ties to even), saturating at 448 (infinities too).
static inline uchar float_to_e4m3(float x) {
    uint sign = (as_uint(x) >> 24) & 0x80u;
    float a = fabs(x);
    if (isnan(x)) {
        return (uchar)(sign | 0x7fu);
    }
    if (a >= 448.0f) {
        return (uchar)(sign | 0x7eu);
    }
    if (a < 0x1p-6f) {
        // Subnormal: a multiple of 2^-9; rint rounds ties to even, 8 lands on the smallest normal.
        return (uchar)(sign | (uint)rint(a * 512.0f));
    }
    uint u = as_uint(a);
    u += 0x7ffffu + ((u >> 20) & 1u);   // round the 23-bit mantissa to 3 bits, ties to even
    uint e = (u >> 23) - 120u;
    uint m = (u >> 20) & 7u;
    if (e > 15 || (e == 15 && m == 7)) {
        return (uchar)(sign | 0x7eu);
    }
    return (uchar)(sign | (e << 3) | m);
}

// Nearest e5m2 code (ties to even), saturating at 57344 (infinities too).
static inline uchar float_to_e5m2(float x) {
    uint sign = (as_uint(x) >> 24) & 0x80u;
    float a = fabs(x);
    if (isnan(x)) {
        return (uchar)(sign | 0x7fu);
    }
    if (a >= 57344.0f) {
        return (uchar)(sign | 0x7bu);
    }
    if (a < 0x1p-14f) {
        return (uchar)(sign | (uint)rint(a * 65536.0f));
    }
    uint u = as_uint(a);
    u += 0xfffffu + ((u >> 21) & 1u);   // 23-bit mantissa to 2 bits, ties to even
    uint e = (u >> 23) - 112u;
    uint m = (u >> 21) & 3u;
    if (e >= 31) {
        return (uchar)(sign | 0x7bu);
    }
    return (uchar)(sign | (e << 2) | m);
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
