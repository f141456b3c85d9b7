// Staging of one KV tile into local memory (SLM), dequantized: the work-group copies tk tokens'
// rows of one KV head from the paged cache, one 16-byte vector load (KV_VEC elements) per
// work-item at a time, multiplies the codes by their scales and stores float rows of dmax
// channels (zeros past headDim and past the tile's last token, so nothing stale or NaN is read).
// Each KV byte a work item needs is read from global memory once, whatever the GQA group size.
// Included once per KV dtype (the function name carries it).
static inline void PASTE3(stage_tile, _, KV_NAME)(__local float* dst, const __global KV_T* cache,
        const __global float* scales, float s0, const __global int* blocks, int t0, int hi, int head,
        int dmax, int tk, int lid, int wg, int layout, int gran, int block_size, int num_kv_heads,
        int head_dim, int group_size) {
    const int chunks = dmax / KV_VEC;
    for (int idx = lid; idx < tk * chunks; idx += wg) {
        const int j = idx / chunks;
        const int c0 = (idx % chunks) * KV_VEC;
        const int t = t0 + j;
        __local float* d = dst + j * dmax + c0;
        if (t < hi && c0 < head_dim) {
            const int block = blocks[t / block_size];
            const int off = t % block_size;
            const __global KV_T* src = cache + paged_index(layout, block, off, head, c0, block_size, num_kv_heads,
                                                           head_dim);
            union {
                KV_VEC_T v;
                KV_T e[KV_VEC];
            } u;
            if (c0 + KV_VEC <= head_dim) {
                u.v = KV_VLOAD(src);
            } else {
                for (int i = 0; i < KV_VEC; i++) {
                    u.e[i] = c0 + i < head_dim ? src[i] : 0;
                }
            }
#if KV_QUANTIZED
            // TOKEN scales are one per row: read once, not per element.
            const float row_scale = gran == G_TOKEN
                    ? scales[paged_index(layout, block, off, head, 0, block_size, num_kv_heads, 1)] : s0;
            const int per_channel = gran == G_CHANNEL || gran == G_TOKEN_GROUP;
#endif
            for (int i = 0; i < KV_VEC; i++) {
                float x = 0.0f;
                if (c0 + i < head_dim) {
                    x = KV_DECODE(u.e[i]);
#if KV_QUANTIZED
                    x *= per_channel ? kv_scale_at(scales, s0, gran, layout, block, off, head, c0 + i, block_size,
                                                   num_kv_heads, head_dim, group_size)
                                     : row_scale;
#endif
                }
                d[i] = x;
            }
        } else {
            for (int i = 0; i < KV_VEC; i++) {
                d[i] = 0.0f;
            }
        }
    }
}
