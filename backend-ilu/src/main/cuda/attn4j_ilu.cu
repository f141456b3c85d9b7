// The one translation unit of the ilu kernels. Kernels are templates; this file instantiates each
// specialization under a stable extern "C" name that the Java launchers (dev.attn4j.ilu.IluKernels)
// look up with cuModuleGetFunction:
//   attn4j_append_<in>_<kv>              in: bf16|fp16, kv: bf16|fp16|int8|e4m3|e5m2 (cuda-driver's kv_append.cuh)
//   attn4j_read_ceiling                the bench's read ceiling (cuda-driver's read_ceiling.cuh)
//   attn4j_decode_<kv>_<q>_d<D>_r<R>     split-KV decode, D: 64|128|256, R: 4|8 rows (decode.cuh)
//   attn4j_stage_<kv>                    referenced 8-bit blocks to fp16 staging, kv: int8|e4m3|e5m2 (stage.cuh)
//   attn4j_flash_<kv16>_<q>_d<D>         16-bit flash prefill, kv16: bf16|fp16, D: 64|128|256 (flash.cuh)
//   attn4j_attention_<kv>_<q>_h<H>       the scalar fallback, head dims up to H: 64|128|256 (generic.cuh)
//   attn4j_merge_<q>                     split-KV merge (cuda-driver's split_merge.cuh)
// Kernels that need dynamic shared memory come with its size as <name>_smem, read by the launcher.
#include "decode.cuh"
#include "flash.cuh"
#include "generic.cuh"
#include "kv_append.cuh"
#include "read_ceiling.cuh"
#include "split_merge.cuh"
#include "stage.cuh"

using namespace ilu;

ATTN4J_APPEND_KERNELS
ATTN4J_READ_CEILING_KERNEL
ATTN4J_MERGE_KERNELS

// Every KV dtype with every query dtype: the kernels convert 16-bit KV of the other type too.
#define FOR_KV_Q(M)                                                                          \
    M(KV_BF16, bf16, Q_BF16, bf16) M(KV_FP16, fp16, Q_BF16, bf16) M(KV_INT8, int8, Q_BF16, bf16) \
    M(KV_E4M3, e4m3, Q_BF16, bf16) M(KV_E5M2, e5m2, Q_BF16, bf16)                              \
    M(KV_BF16, bf16, Q_FP16, fp16) M(KV_FP16, fp16, Q_FP16, fp16) M(KV_INT8, int8, Q_FP16, fp16) \
    M(KV_E4M3, e4m3, Q_FP16, fp16) M(KV_E5M2, e5m2, Q_FP16, fp16)

#define DECODE(KV, KVNAME, Q, QNAME, D, R)                                                      \
    extern "C" __global__ void __launch_bounds__(128, (DecodeShape<KV, D, R>::MIN_BLOCKS)) attn4j_decode_##KVNAME##_##QNAME##_d##D##_r##R(AttnParams p) { \
        decode_kernel<KV, Q, D, R>(p);                                                          \
    }
#define DECODE_ALL(KV, KVNAME, Q, QNAME)                                                        \
    DECODE(KV, KVNAME, Q, QNAME, 64, 4) DECODE(KV, KVNAME, Q, QNAME, 128, 4) DECODE(KV, KVNAME, Q, QNAME, 256, 4) \
    DECODE(KV, KVNAME, Q, QNAME, 64, 8) DECODE(KV, KVNAME, Q, QNAME, 128, 8) DECODE(KV, KVNAME, Q, QNAME, 256, 8)
FOR_KV_Q(DECODE_ALL)

#define STAGE(KV, KVNAME) \
    extern "C" __global__ void __launch_bounds__(128) attn4j_stage_##KVNAME(StageParams p) { stage_kernel<KV>(p); }
STAGE(KV_INT8, int8) STAGE(KV_E4M3, e4m3) STAGE(KV_E5M2, e5m2)

#define GENERIC(KV, KVNAME, Q, QNAME, H)                                                        \
    extern "C" __global__ void __launch_bounds__(128) attn4j_attention_##KVNAME##_##QNAME##_h##H(AttnParams p) { \
        generic_kernel<KV, Q, (H + WARP - 1) / WARP>(p);                                        \
    }
#define GENERIC_ALL(KV, KVNAME, Q, QNAME) \
    GENERIC(KV, KVNAME, Q, QNAME, 64) GENERIC(KV, KVNAME, Q, QNAME, 128) GENERIC(KV, KVNAME, Q, QNAME, 256)
FOR_KV_Q(GENERIC_ALL)

#define FLASH(KV16, KVNAME, Q, QNAME, D)                                                        \
    extern "C" __device__ int attn4j_flash_##KVNAME##_##QNAME##_d##D##_smem = FlashShape<D>::SMEM_BYTES; \
    extern "C" __global__ void __launch_bounds__(128, FlashShape<D>::MIN_BLOCKS) attn4j_flash_##KVNAME##_##QNAME##_d##D(AttnParams p) { \
        flash_kernel<KV16, Q, D>(p);                                                            \
    }
#define FLASH_D(KV16, KVNAME, Q, QNAME) FLASH(KV16, KVNAME, Q, QNAME, 64) FLASH(KV16, KVNAME, Q, QNAME, 128) FLASH(KV16, KVNAME, Q, QNAME, 256)
FLASH_D(Q_BF16, bf16, Q_BF16, bf16) FLASH_D(Q_FP16, fp16, Q_BF16, bf16)
FLASH_D(Q_BF16, bf16, Q_FP16, fp16) FLASH_D(Q_FP16, fp16, Q_FP16, fp16)

