// The 16-bit dtype of queries and outputs (and of the K/V rows append reads), selected by Q_SEL:
// its name in kernel names, and loads / stores between its bits and float. Included once per
// query dtype by kv_instances.cl and attn4j.cl, so it first forgets the previous selection.
#undef Q_NAME
#undef Q_LOAD
#undef Q_STORE
#if Q_SEL == Q_BF16
#define Q_NAME bf16
#define Q_LOAD(p, i) bf16_to_float((p)[i])
#define Q_STORE(p, i, v) ((p)[i] = float_to_bf16(v))
#else
#define Q_NAME fp16
#define Q_LOAD(p, i) fp16_to_float((p)[i])
#define Q_STORE(p, i, v) vstore_half_rte((v), (i), (__global half*)(p))
#endif
