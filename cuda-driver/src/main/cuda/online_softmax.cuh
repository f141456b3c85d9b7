// One query row's online softmax in natural-log units, for the scalar kernels (cuda's
// attention.cuh, ilu's generic.cuh); the tensor-core kernels keep a lazy log2 variant of their own.
#pragma once

namespace attn4j_common {

// A logit soft-capped as the options say (cap <= 0: unchanged).
__device__ __forceinline__ float soft_capped(float cap, float s) {
    return cap > 0.f ? cap * tanhf(s / cap) : s;
}

// The running max m and sum l of exp(s - m) of a row. push(s) takes the next logit: corr rescales
// what was accumulated so far, e weights the new position's value.
struct OnlineSoftmax {
    float m = -INFINITY, l = 0.f;
    __device__ __forceinline__ void push(float s, float& corr, float& e) {
        const float m_new = fmaxf(m, s);
        corr = __expf(m - m_new);
        e = __expf(s - m_new);
        l = l * corr + e;
        m = m_new;
    }
};

}  // namespace attn4j_common
