/** Iluvatar CoreX GPUs: portable CUDA C kernels, run through cuda-driver. */
module dev.attn4j.ilu {
    requires transitive dev.attn4j.api;
    requires transitive dev.attn4j.cudadriver;
    requires org.slf4j;

    exports dev.attn4j.ilu;

    provides dev.attn4j.api.spi.AttentionBackendProvider with dev.attn4j.ilu.IluBackendProvider;
}
