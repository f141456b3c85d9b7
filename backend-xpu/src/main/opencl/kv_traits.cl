// The KV cache dtype selected by KV_SEL: its storage type, its 16-byte vector (KV_VEC elements,
// loaded with one vloadN), decoding to float, and for the quantized types the encoding and the
// largest code (dynamic scales are absmax / KV_MAX_CODE). Included once per KV dtype by
// kv_instances.cl, so it first forgets the previous selection.
#undef KV_NAME
#undef KV_T
#undef KV_VEC
#undef KV_VEC_T
#undef KV_VLOAD
#undef KV_DECODE
#undef KV_ENCODE
#undef KV_QUANTIZED
#undef KV_MAX_CODE
#if KV_SEL == KV_BF16 || KV_SEL == KV_FP16
#define KV_T ushort
#define KV_VEC 8
#define KV_VEC_T ushort8
#define KV_VLOAD(p) vload8(0, p)
#define KV_QUANTIZED 0
#define KV_MAX_CODE 0.0f
#define KV_ENCODE(x) 0
#if KV_SEL == KV_BF16
#define KV_NAME bf16
#define KV_DECODE(x) bf16_to_float(x)
#else
#define KV_NAME fp16
#define KV_DECODE(x) fp16_to_float(x)
#endif
#elif KV_SEL == KV_INT8
#define KV_NAME int8
#define KV_T char
#define KV_VEC 16
#define KV_VEC_T char16
#define KV_VLOAD(p) vload16(0, p)
#define KV_DECODE(x) ((float)(x))
#define KV_ENCODE(x) float_to_int8(x)
#define KV_QUANTIZED 1
#define KV_MAX_CODE 127.0f
#else
#define KV_T uchar
#define KV_VEC 16
#define KV_VEC_T uchar16
#define KV_VLOAD(p) vload16(0, p)
#define KV_QUANTIZED 1
#if KV_SEL == KV_E4M3
#define KV_NAME e4m3
#define KV_DECODE(x) e4m3_to_float(x)
#define KV_ENCODE(x) float_to_e4m3(x)
#define KV_MAX_CODE 448.0f
#else
#define KV_NAME e5m2
#define KV_DECODE(x) e5m2_to_float(x)
#define KV_ENCODE(x) float_to_e5m2(x)
#define KV_MAX_CODE 57344.0f
#endif
#endif
