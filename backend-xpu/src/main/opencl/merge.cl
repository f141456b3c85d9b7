// Merge: combines the partial outputs of one split unit (the items of a WorkSplit merge) per
// work-group, weights exp(lse_k - max) renormalized; writes the output and the LSE. Work-items
// take (row, channel) pairs; nothing is shared, so no sub-group or barrier is needed.
#define MERGE_WG 64

__kernel __attribute__((reqd_work_group_size(MERGE_WG, 1, 1)))
void PASTE3(attn4j_merge_, Q_NAME, )(
        __global ushort* out, __global float* lse, int has_lse, const __global float* workspace,
        const __global int* meta, int o_merge_first, int o_merge_count, int o_head, int o_row0, int o_rows,
        int o_partial, int partial_floats, int num_qo_heads, int head_dim, int group) {
    const int unit = get_group_id(0);
    const int first = meta[o_merge_first + unit];
    const int count = meta[o_merge_count + unit];
    const int head = meta[o_head + first];
    const int row0 = meta[o_row0 + first];
    const int r_total = meta[o_rows + first] * group;
    for (int x = get_local_id(0); x < r_total * head_dim; x += MERGE_WG) {
        const int qr = x / head_dim;
        const int c = x % head_dim;
        float mx = -INFINITY;
        for (int k = 0; k < count; k++) {
            const __global float* ws = workspace + (long)meta[o_partial + first + k] * partial_floats;
            mx = fmax(mx, ws[r_total * head_dim + qr]);
        }
        float sum = 0.0f;
        float o = 0.0f;
        for (int k = 0; k < count; k++) {
            const __global float* ws = workspace + (long)meta[o_partial + first + k] * partial_floats;
            const float lk = ws[r_total * head_dim + qr];
            if (lk != -INFINITY) {
                const float w = exp(lk - mx);
                sum += w;
                o += w * ws[qr * head_dim + c];
            }
        }
        const long orow = (long)(row0 + qr / group) * num_qo_heads + head * group + qr % group;
        Q_STORE(out + orow * head_dim, c, o / sum);
        if (c == 0 && has_lse) {
            lse[orow] = mx + log(sum);
        }
    }
}
