/**
 * The Iluvatar CoreX backend: portable CUDA C kernels ({@code backend-ilu/src/main/cuda}: no inline
 * PTX, no mma.sync, no cp.async, the warp width a compile-time parameter), built by CoreX's
 * compiler where it is installed and by nvcc for NVIDIA GPUs, where they are tested in compat mode
 * ({@code -Dattn4j.ilu.allowAnyCudaDevice=true}); run through the shared driver layer
 * ({@link dev.attn4j.cudadriver}). Where to look: {@link dev.attn4j.ilu.PathChoice} (which path a
 * plan takes, and why), {@link dev.attn4j.ilu.IluBackend} (plans, the staging pass, launches),
 * {@link dev.attn4j.ilu.StagingLayout} (which blocks a staged plan dequantizes),
 * {@link dev.attn4j.ilu.IluDeviceFilter} (which devices it accepts); kernels: {@code decode.cuh}
 * (split-KV decode), {@code stage.cuh} + {@code flash.cuh} (prefill), {@code generic.cuh} (fallback).
 */
package dev.attn4j.ilu;
