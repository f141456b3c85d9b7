// Sub-group primitives. Every kernel works in sub-groups of SG = 16 consecutive work-items (Intel
// GPUs run SIMD16 sub-groups; intel_reqd_sub_group_size pins the width so the mapping below holds).
// With cl_intel_subgroups the reductions are the hardware's; without it (PoCL on a CPU, any other
// OpenCL device) they go through local memory with work-group barriers. Either way the kernels are
// written so that every work-item of the work-group reaches every call (the generic version's
// barriers need it): loops that contain a call have work-group-uniform trip counts.

#define SG 16

#if defined(cl_intel_subgroups) && !defined(ATTN4J_GENERIC_SUBGROUPS)
#define ATTN4J_INTEL_SUBGROUPS 1
#define SG_ATTR __attribute__((intel_reqd_sub_group_size(SG)))
#else
#define SG_ATTR
#endif

// Scratch floats per sub-group that the generic reductions need for n values at once.
#define SG_SCRATCH(n) ((n) * SG)

// Sums v[0..n) over the 16 lanes of the caller's sub-group, in place (every lane gets the sums).
// scratch: this sub-group's SG_SCRATCH(n) floats of local memory (unused with Intel sub-groups).
static inline void sg_sum_n(__private float* v, int n, __local float* scratch, int lane) {
#ifdef ATTN4J_INTEL_SUBGROUPS
    for (int i = 0; i < n; i++) {
        v[i] = sub_group_reduce_add(v[i]);
    }
#else
    for (int i = 0; i < n; i++) {
        scratch[i * SG + lane] = v[i];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = 0; i < n; i++) {
        float s = 0.0f;
        for (int k = 0; k < SG; k++) {
            s += scratch[i * SG + k];
        }
        v[i] = s;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
#endif
}

// The largest x over the 16 lanes of the caller's sub-group (scratch: SG_SCRATCH(1) floats).
static inline float sg_max(float x, __local float* scratch, int lane) {
#ifdef ATTN4J_INTEL_SUBGROUPS
    return sub_group_reduce_max(x);
#else
    scratch[lane] = x;
    barrier(CLK_LOCAL_MEM_FENCE);
    float m = scratch[0];
    for (int k = 1; k < SG; k++) {
        m = fmax(m, scratch[k]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    return m;
#endif
}
