// The one translation unit nvcc builds into attn4j's fatbin. Kernels are templates; this file
// instantiates each specialization under a stable extern "C" name that the Java launchers
// (dev.attn4j.cuda.CudaKernels) look up with cuModuleGetFunction:
//   attn4j_append_<in>_<kv>            in: bf16|fp16, kv: bf16|fp16|int8|e4m3|e5m2 (cuda-driver's kv_append.cuh)
//   attn4j_read_ceiling                the bench's read ceiling (cuda-driver's read_ceiling.cuh)
//   attn4j_attention_<kv>_<q>_c<cpl>   cpl: channels per lane, 2|4|8 (head dim <= 64|128|256)
//   attn4j_flash_<kv>_<q>_d<headDim>   headDim: 64|128|256 (tensor-core prefill and decode, flash.cuh)
//   attn4j_decode_<kv>_<q>_d<headDim>  (tensor-core decode: items of at most 8 rows, decode.cuh)
//   attn4j_decode_tg_<kv>_<q>_d<headDim> (the same with room for TOKEN_GROUP scales, 8-bit caches)
//   attn4j_merge_<q>                   split-KV merge (cuda-driver's split_merge.cuh)
// Every kernel's __launch_bounds__ names exactly the block size it is written for: the launcher
// reads it back as the kernel's block size (LoadedKernels.blockThreads).
// Every kernel waits for the kernels before it where grid_dependency.cuh says, so the backend may
// launch them as programmatic dependent launches (dev.attn4j.cuda.DependentLaunch).
#define ATTN4J_DEPENDENT_LAUNCH 1
#include "attention.cuh"
#include "decode.cuh"
#include "flash.cuh"
#include "kv_append.cuh"
#include "read_ceiling.cuh"
#include "split_merge.cuh"

using namespace attn4j;

ATTN4J_APPEND_KERNELS
ATTN4J_READ_CEILING_KERNEL
ATTN4J_MERGE_KERNELS

#define ATTN(KV, KVNAME, Q, QNAME, CPL) \
    extern "C" __global__ void __launch_bounds__(128) attn4j_attention_##KVNAME##_##QNAME##_c##CPL(AttnParams p) { \
        attention_kernel<KV, Q, CPL>(p);                                                  \
    }

#define ATTN_CPL(KV, KVNAME, Q, QNAME) ATTN(KV, KVNAME, Q, QNAME, 2) ATTN(KV, KVNAME, Q, QNAME, 4) ATTN(KV, KVNAME, Q, QNAME, 8)
#define ATTN_Q(KV, KVNAME) ATTN_CPL(KV, KVNAME, Q_BF16, bf16) ATTN_CPL(KV, KVNAME, Q_FP16, fp16)

ATTN_Q(KV_BF16, bf16)
ATTN_Q(KV_FP16, fp16)
ATTN_Q(KV_INT8, int8)
ATTN_Q(KV_E4M3, e4m3)
ATTN_Q(KV_E5M2, e5m2)

// Each tensor-core kernel comes with the dynamic shared memory it needs, read by the launcher
// (CudaKernels.sharedBytes) so the size is defined once, here: SHAPE is Flash or Decode.
#define TENSOR_CORE(KIND, SHAPE, KV, KVNAME, Q, QNAME, D)                                                      \
    extern "C" __device__ int attn4j_##KIND##_##KVNAME##_##QNAME##_d##D##_smem = SHAPE<KV, Q, D>::SMEM_BYTES;  \
    extern "C" __global__ void __launch_bounds__(SHAPE<KV, Q, D>::THREADS, SHAPE<KV, Q, D>::MIN_BLOCKS)         \
        attn4j_##KIND##_##KVNAME##_##QNAME##_d##D(AttnParams p) {                                              \
        KIND##_kernel<KV, Q, D>(p);                                                                            \
    }
#define DECODE_TG(KV, KVNAME, Q, QNAME, D)                                                                    \
    extern "C" __device__ int attn4j_decode_tg_##KVNAME##_##QNAME##_d##D##_smem = Decode<KV, Q, D, true>::SMEM_BYTES; \
    extern "C" __global__ void __launch_bounds__(Decode<KV, Q, D, true>::THREADS, Decode<KV, Q, D, true>::MIN_BLOCKS) \
        attn4j_decode_tg_##KVNAME##_##QNAME##_d##D(AttnParams p) {                                              \
        decode_kernel<KV, Q, D, true>(p);                                                                        \
    }
#define DECODE_TG_D(KV, KVNAME, Q, QNAME) \
    DECODE_TG(KV, KVNAME, Q, QNAME, 64) DECODE_TG(KV, KVNAME, Q, QNAME, 128) DECODE_TG(KV, KVNAME, Q, QNAME, 256)
#define FLASH(KV, KVNAME, Q, QNAME, D) TENSOR_CORE(flash, Flash, KV, KVNAME, Q, QNAME, D)
#define DECODE(KV, KVNAME, Q, QNAME, D) TENSOR_CORE(decode, Decode, KV, KVNAME, Q, QNAME, D)
#define FLASH_D(KV, KVNAME, Q, QNAME) FLASH(KV, KVNAME, Q, QNAME, 64) FLASH(KV, KVNAME, Q, QNAME, 128) FLASH(KV, KVNAME, Q, QNAME, 256)
#define FLASH_Q(KV, KVNAME) FLASH_D(KV, KVNAME, Q_BF16, bf16) FLASH_D(KV, KVNAME, Q_FP16, fp16)
#define DECODE_D(KV, KVNAME, Q, QNAME) DECODE(KV, KVNAME, Q, QNAME, 64) DECODE(KV, KVNAME, Q, QNAME, 128) DECODE(KV, KVNAME, Q, QNAME, 256)
#define DECODE_Q(KV, KVNAME) DECODE_D(KV, KVNAME, Q_BF16, bf16) DECODE_D(KV, KVNAME, Q_FP16, fp16) \
    DECODE_TG_D(KV, KVNAME, Q_BF16, bf16) DECODE_TG_D(KV, KVNAME, Q_FP16, fp16)

// 16-bit caches go through the tensor-core kernels with queries of their own type only.
FLASH_D(KV_BF16, bf16, Q_BF16, bf16)
FLASH_D(KV_FP16, fp16, Q_FP16, fp16)
FLASH_Q(KV_INT8, int8)
FLASH_Q(KV_E4M3, e4m3)
FLASH_Q(KV_E5M2, e5m2)

DECODE_D(KV_BF16, bf16, Q_BF16, bf16)
DECODE_D(KV_FP16, fp16, Q_FP16, fp16)
DECODE_Q(KV_INT8, int8)
DECODE_Q(KV_E4M3, e4m3)
DECODE_Q(KV_E5M2, e5m2)
