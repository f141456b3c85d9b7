/**
 * The NVIDIA backend: JCuda's driver API over kernels nvcc built into one fatbin at build time
 * ({@code backend-cuda/src/main/cuda}, loaded with {@code cuModuleLoadData}; no NVRTC at run
 * time). Where to look: {@link dev.attn4j.cuda.CudaBackend} (operations and launches),
 * {@link dev.attn4j.cuda.CudaKernels} (the fatbin and kernel names), {@link dev.attn4j.cuda.DeviceFilter}
 * (which devices it accepts), {@code src/main/cuda/attention.cuh} and {@code append.cuh} (kernels).
 */
package dev.attn4j.cuda;
