// The kernel ABI's codes, as dev.attn4j.api.support.KernelCodes defines them: the one CUDA C
// declaration, included by the cuda and ilu kernels (KernelAbiTest checks it, and xpu's
// formats.cl, against the Java side). Codes are explicit numbers, never enum ordinals.
#pragma once

namespace attn4j_common {

// KV storage dtypes.
enum KvType { KV_BF16 = 0, KV_FP16 = 1, KV_INT8 = 2, KV_E4M3 = 3, KV_E5M2 = 4 };
// Query / output dtypes (and ilu's 16-bit staging type, which is the query type).
enum QType { Q_BF16 = 0, Q_FP16 = 1 };
// Scale granularities.
enum Gran { G_NONE = 0, G_TENSOR = 1, G_HEAD = 2, G_CHANNEL = 3, G_TOKEN = 4, G_TOKEN_GROUP = 5 };
// Cache layouts.
enum Layout { L_NHD = 0, L_HND = 1 };

}  // namespace attn4j_common
