// Append: writes new K and V rows into cache slots, quantizing as the cache says. One work-group
// per appended token; each sub-group takes (head, scale group, side) tasks, so a dynamic scale's
// absmax is one sub-group reduction. Slot -1 is a padding token and is skipped. The input dtype
// is the current query selection (Q_*), the cache dtype the KV selection (KV_*).
#define APPEND_NSG 4

__kernel SG_ATTR __attribute__((reqd_work_group_size(APPEND_NSG * SG, 1, 1)))
void PASTE4(attn4j_append_, Q_NAME, _, KV_NAME)(
        const __global ushort* keys, const __global ushort* values, const __global int* slots,
        __global KV_T* k_cache, __global KV_T* v_cache, __global float* k_scale, __global float* v_scale,
        int num_kv_heads, int head_dim, int block_size, int layout, int gran, int group_size) {
    __local float scratch[APPEND_NSG * SG_SCRATCH(1)];
    const int token = get_group_id(0);
    const int slot = slots[token];
    if (slot < 0) {
        return;  // the whole work-group: no barrier is left waiting
    }
    const int block = slot / block_size;
    const int off = slot % block_size;
    const int lid = get_local_id(0);
    const int sg = lid / SG;
    const int lane = lid % SG;
    const int gsize = gran == G_TOKEN_GROUP ? group_size : head_dim;
    const int groups = head_dim / gsize;
    const int tasks = num_kv_heads * groups * 2;
    for (int t0 = 0; t0 < tasks; t0 += APPEND_NSG) {
        const int t = t0 + sg;
        const int valid = t < tasks;
        const int tt = valid ? t : 0;
        const int is_v = tt & 1;
        const int head = (tt >> 1) / groups;
        const int group = (tt >> 1) % groups;
        const __global ushort* src = (is_v ? values : keys) + ((long)token * num_kv_heads + head) * head_dim;
        __global KV_T* dst = is_v ? v_cache : k_cache;
        const long base = paged_index(layout, block, off, head, 0, block_size, num_kv_heads, head_dim);
        const int c0 = group * gsize;
#if !KV_QUANTIZED
        if (valid) {
            for (int c = c0 + lane; c < c0 + gsize; c += SG) {
                dst[base + c] = src[c];  // 16-bit caches store K and V as given
            }
        }
#else
        __global float* scales = is_v ? v_scale : k_scale;
        float s;
        if (gran == G_TOKEN || gran == G_TOKEN_GROUP) {  // uniform over the work-group
            float amax = 0.0f;
            for (int c = c0 + lane; c < c0 + gsize; c += SG) {
                const float a = fabs(Q_LOAD(src, c));
                if (isfinite(a)) {  // NaN and infinities do not set the scale
                    amax = fmax(amax, a);
                }
            }
            amax = sg_max(amax, scratch + sg * SG_SCRATCH(1), lane);
            s = amax == 0.0f ? 1.0f : fmax(amax / KV_MAX_CODE, FLOAT_MIN_NORMAL);
            if (valid && lane == 0) {
                scales[paged_index(layout, block, off, head, group, block_size, num_kv_heads, groups)] = s;
            }
        } else {
            s = preload_scale(scales, gran, head);
        }
        if (valid) {
            for (int c = c0 + lane; c < c0 + gsize; c += SG) {
                const float sc = gran == G_CHANNEL ? scales[head * head_dim + c] : s;
                const float r = Q_LOAD(src, c) / sc;
                dst[base + c] = KV_ENCODE(isnan(r) ? 0.0f : r);  // NaN stores 0; infinities saturate
            }
        }
#endif
    }
}
