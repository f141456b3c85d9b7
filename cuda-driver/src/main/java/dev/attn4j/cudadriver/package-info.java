/**
 * The CUDA driver API layer (JCuda) shared by the backends whose devices answer to libcuda (cuda,
 * ilu): a library, not a backend, with no provider of its own. Where to look:
 * {@link dev.attn4j.cudadriver.DriverBackend} (context, stream, memory, append, launches),
 * {@link dev.attn4j.cudadriver.LoadedKernels} (a loaded kernel image), {@link dev.attn4j.cudadriver.DriverPlan}
 * and {@link dev.attn4j.cudadriver.AttentionParams} (the plan's device metadata and the attention kernels'
 * parameter blocks), {@link dev.attn4j.cudadriver.DeviceSource} (what a probe lists).
 */
package dev.attn4j.cudadriver;
