/** NVIDIA GPUs: CUDA C++ kernels built by nvcc into a fatbin in this jar, run through cuda-driver. */
module dev.attn4j.cuda {
    requires transitive dev.attn4j.api;
    requires transitive dev.attn4j.cudadriver;

    exports dev.attn4j.cuda;

    provides dev.attn4j.api.spi.AttentionBackendProvider with dev.attn4j.cuda.CudaBackendProvider;
}
