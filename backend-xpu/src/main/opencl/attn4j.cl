// The one translation unit of attn4j's xpu kernels: built to SPIR-V at build time (clang-14 +
// llvm-spirv-14, for Level Zero) and, by the OpenCL path, from this same source at run time.
// Kernel names, which the Java launchers (dev.attn4j.xpu.XpuKernels) look up:
//   attn4j_append_<in>_<kv>              in: bf16|fp16, kv: bf16|fp16|int8|e4m3|e5m2
//   attn4j_attention_<kv>_<q>_c<cpl>     cpl: channels per lane, 1|2|4|8|16 (head dim <= 16 x cpl)
//   attn4j_merge_<q>
// Every kernel is written in sub-groups of 16 (subgroups.cl): cl_intel_subgroups where the
// compiler has it, local-memory reductions otherwise.
#include "formats.cl"
#include "subgroups.cl"

#define Q_SEL Q_BF16
#include "query_traits.cl"
#include "merge.cl"
#undef Q_SEL
#define Q_SEL Q_FP16
#include "query_traits.cl"
#include "merge.cl"

#undef KV_SEL
#define KV_SEL KV_BF16
#include "kv_instances.cl"
#undef KV_SEL
#define KV_SEL KV_FP16
#include "kv_instances.cl"
#undef KV_SEL
#define KV_SEL KV_INT8
#include "kv_instances.cl"
#undef KV_SEL
#define KV_SEL KV_E4M3
#include "kv_instances.cl"
#undef KV_SEL
#define KV_SEL KV_E5M2
#include "kv_instances.cl"
