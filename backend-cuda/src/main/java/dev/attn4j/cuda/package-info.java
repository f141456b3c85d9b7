/**
 * The NVIDIA backend: kernels nvcc built into one fatbin at build time ({@code backend-cuda/src/main/cuda},
 * loaded with {@code cuModuleLoadData}; no NVRTC at run time), run through the shared driver layer
 * ({@link dev.attn4j.cudadriver}: context, stream, memory, KV caches, append, parameter blocks). Where to
 * look: {@link dev.attn4j.cuda.CudaBackend} (plans, attention launches), {@link dev.attn4j.cuda.CudaKernels}
 * (the fatbin and kernel names), {@link dev.attn4j.cuda.CudaDeviceFilter} (which devices it accepts),
 * {@code src/main/cuda/} (kernels: {@code flash.cuh}, {@code decode.cuh}, {@code ring.cuh}, {@code attention.cuh};
 * append and the ABI come from cuda-driver's {@code src/main/cuda/}).
 */
package dev.attn4j.cuda;
