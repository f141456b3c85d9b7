package dev.attn4j.cuda;

import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.tck.BackendTck;

import java.util.Set;

/**
 * The TCK on cuda, reaching the tensor-core decode and flash kernels and the generic fp32 fallback
 * (docs/USER-GUIDE.md: which cuda kernel runs), and decode items that claim their unit's last stages
 * (claimed_stages.cuh); skips with the probe's cause without an NVIDIA GPU.
 */
class CudaConformanceTest extends BackendTck {
    CudaConformanceTest() {
        super(new CudaBackendProvider(), BackendOptions.defaults(),
                Set.of("attn4j_decode_", "attn4j_flash_", "attn4j_attention_", "stages claimed"));
    }
}
