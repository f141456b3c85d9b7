package dev.attn4j.cuda;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.tck.BackendTck;

import java.util.Set;

/** The TCK on cuda; skips with the probe's cause without an NVIDIA GPU (CI), runs on the GPU host. */
class CudaConformanceTest extends BackendTck {
    @Override
    protected AttentionBackendProvider provider() {
        return new CudaBackendProvider();
    }

    /** The tensor-core decode and flash kernels and the generic fp32 fallback (docs/USER-GUIDE.md: which cuda kernel runs). */
    @Override
    protected Set<String> kernelFamilies() {
        return Set.of("attn4j_decode_", "attn4j_flash_", "attn4j_attention_");
    }
}
