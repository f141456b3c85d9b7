// Attention over the work items of a host-made WorkSplit (dev.attn4j.api.support.WorkSplit): an
// item is (sequence, tile of query rows, KV head, KV range); one work-group per item. The query
// rows of the item (row x query head of the KV group: GQA packing) are served in passes of
// ATT_NSG x RB rows, RB per sub-group; each pass walks the item's KV range in tiles of TK tokens
// that the whole work-group stages into local memory dequantized (stage_tile.cl), so each KV
// byte is read from global memory once per pass and dequantized once, whatever the group size.
// In a sub-group, lane l holds channels [l*CPL, (l+1)*CPL) of its rows' query and accumulator:
// scores are one sub-group sum per token (sg_sum_n over the tile at once), the softmax is online
// (FlashAttention-2 style: running max and sum per row, the accumulator rescaled per tile).
// Decode (one query row per sequence) and chunked prefill run the same body; results go to the
// output (and LSE) or, for an item of a split unit, to a partial region that merge.cl combines.
//
// Instantiated per KV dtype, query dtype and CPL (channels per lane: head dims up to 16 x CPL).
#undef TK
#undef RB
#undef DMAX
#if CPL == 16
#define TK 16
#define RB 2
#elif CPL == 8
#define TK 32
#define RB 4
#else
#define TK 32
#define RB 8
#endif
#define DMAX (CPL * SG)
#ifndef ATT_NSG
#define ATT_NSG 4
#endif

__kernel SG_ATTR __attribute__((reqd_work_group_size(ATT_NSG * SG, 1, 1)))
void PASTE5(attn4j_attention_, KV_NAME, _, Q_NAME, PASTE3(_c, CPL, ))(
        const __global ushort* q, __global ushort* out, __global float* lse, int has_lse,
        const __global KV_T* k_cache, const __global KV_T* v_cache,
        const __global float* k_scale, const __global float* v_scale,
        const __global int* meta, int o_qindptr, int o_kvlens, int o_blockindptr, int o_blockids,
        int o_seq, int o_head, int o_row0, int o_rows, int o_lo, int o_hi, int o_partial,
        __global float* workspace, int partial_floats,
        int num_qo_heads, int num_kv_heads, int head_dim, int block_size, int group,
        int layout, int gran, int group_size, float sm_scale, float soft_cap, int causal, int window) {
    __local float k_tile[TK * DMAX];
    __local float v_tile[TK * DMAX];
#ifdef ATTN4J_INTEL_SUBGROUPS
    __local float* scratch = 0;
#else
    __local float scratch[ATT_NSG * SG_SCRATCH(TK)];
#endif
    const int it = get_group_id(0);
    const int lid = get_local_id(0);
    const int sg = lid / SG;
    const int lane = lid % SG;
    const int seq = meta[o_seq + it];
    const int head = meta[o_head + it];
    const int row0 = meta[o_row0 + it];
    const int rows = meta[o_rows + it];
    const int lo = meta[o_lo + it];
    const int hi = meta[o_hi + it];
    const int part = meta[o_partial + it];
    const int seq_q0 = meta[o_qindptr + seq];
    const int q_len = meta[o_qindptr + seq + 1] - seq_q0;
    const int kv_len = meta[o_kvlens + seq];
    const int pos0 = kv_len - q_len + (row0 - seq_q0);
    const __global int* blocks = meta + o_blockids + meta[o_blockindptr + seq];
    const int r_total = rows * group;
    const float ks0 = KV_QUANTIZED ? preload_scale(k_scale, gran, head) : 1.0f;
    const float vs0 = KV_QUANTIZED ? preload_scale(v_scale, gran, head) : 1.0f;
    __local float* my_scratch = scratch + sg * SG_SCRATCH(TK);

    for (int r0 = 0; r0 < r_total; r0 += ATT_NSG * RB) {
        float qv[RB][CPL];
        float acc[RB][CPL];
        float m[RB];
        float l[RB];
        int first[RB];
        int last[RB];
        for (int b = 0; b < RB; b++) {
            const int qr = r0 + sg * RB + b;
            const int live = qr < r_total;
            const int i = qr / group;
            const int pos = pos0 + i;
            // The row's visible tokens within the item: causal and window bounds; none for a dead row.
            first[b] = live ? max(lo, window > 0 ? pos - window + 1 : 0) : 1;
            last[b] = live ? min(hi - 1, causal ? pos : kv_len - 1) : 0;
            const __global ushort* qp = q + ((long)(row0 + i) * num_qo_heads + head * group + qr % group) * head_dim;
            for (int x = 0; x < CPL; x++) {
                const int c = lane * CPL + x;
                qv[b][x] = live && c < head_dim ? Q_LOAD(qp, c) * sm_scale : 0.0f;
                acc[b][x] = 0.0f;
            }
            m[b] = -INFINITY;
            l[b] = 0.0f;
        }
        for (int t0 = lo; t0 < hi; t0 += TK) {
            PASTE3(stage_tile, _, KV_NAME)(k_tile, k_cache, k_scale, ks0, blocks, t0, hi, head, DMAX, TK, lid,
                    ATT_NSG * SG, layout, gran, block_size, num_kv_heads, head_dim, group_size);
            PASTE3(stage_tile, _, KV_NAME)(v_tile, v_cache, v_scale, vs0, blocks, t0, hi, head, DMAX, TK, lid,
                    ATT_NSG * SG, layout, gran, block_size, num_kv_heads, head_dim, group_size);
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int b = 0; b < RB; b++) {
                float s[TK];
                for (int j = 0; j < TK; j++) {
                    const __local float* kr = k_tile + j * DMAX + lane * CPL;
                    float d = 0.0f;
                    for (int x = 0; x < CPL; x++) {
                        d += qv[b][x] * kr[x];
                    }
                    s[j] = d;
                }
                sg_sum_n(s, TK, my_scratch, lane);
                float mt = -INFINITY;
                for (int j = 0; j < TK; j++) {
                    const int t = t0 + j;
                    float x = s[j];
                    if (soft_cap > 0.0f) {
                        x = soft_cap * tanh(x / soft_cap);
                    }
                    s[j] = t >= first[b] && t <= last[b] ? x : -INFINITY;
                    mt = fmax(mt, s[j]);
                }
                const float m_new = fmax(m[b], mt);
                if (m_new != -INFINITY) {
                    const float corr = exp(m[b] - m_new);
                    l[b] *= corr;
                    for (int x = 0; x < CPL; x++) {
                        acc[b][x] *= corr;
                    }
                    for (int j = 0; j < TK; j++) {
                        const float p = exp(s[j] - m_new);
                        const __local float* vr = v_tile + j * DMAX + lane * CPL;
                        l[b] += p;
                        for (int x = 0; x < CPL; x++) {
                            acc[b][x] += p * vr[x];
                        }
                    }
                    m[b] = m_new;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        for (int b = 0; b < RB; b++) {
            const int qr = r0 + sg * RB + b;
            if (qr >= r_total) {
                continue;
            }
            const int i = qr / group;
            const int qh = head * group + qr % group;
            if (part >= 0) {
                __global float* ws = workspace + (long)part * partial_floats;
                const float inv = l[b] > 0.0f ? 1.0f / l[b] : 0.0f;
                for (int x = 0; x < CPL; x++) {
                    const int c = lane * CPL + x;
                    if (c < head_dim) {
                        ws[qr * head_dim + c] = acc[b][x] * inv;
                    }
                }
                if (lane == 0) {
                    ws[r_total * head_dim + qr] = l[b] > 0.0f ? m[b] + log(l[b]) : -INFINITY;
                }
            } else {
                __global ushort* op = out + ((long)(row0 + i) * num_qo_heads + qh) * head_dim;
                const float inv = 1.0f / l[b];
                for (int x = 0; x < CPL; x++) {
                    const int c = lane * CPL + x;
                    if (c < head_dim) {
                        Q_STORE(op, c, acc[b][x] * inv);
                    }
                }
                if (lane == 0 && has_lse) {
                    lse[(long)(row0 + i) * num_qo_heads + qh] = m[b] + log(l[b]);
                }
            }
        }
    }
}
