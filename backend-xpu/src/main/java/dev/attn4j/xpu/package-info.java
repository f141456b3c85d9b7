/**
 * The Intel GPU backend: kernels in OpenCL C ({@code backend-xpu/src/main/opencl}), compiled to
 * SPIR-V at build time and run through Level Zero (a JNI shim, {@code src/main/native}), or built
 * from the same source at run time and run through OpenCL (JOCL). Where to look:
 * {@link dev.attn4j.xpu.XpuBackendProvider} (registration, capabilities), {@code XpuProbe} (which
 * path, which devices, or why not), {@code XpuBackend} (operations and launches), {@code XpuKernels}
 * (kernel names), {@code ZeRuntime} / {@code ClRuntime} (the two device APIs), {@code XpuDeviceFilter}
 * (Intel GPUs only, unless any OpenCL device is allowed).
 */
package dev.attn4j.xpu;
