// Programmatic dependent launch (sm_90 and later): the cuda backend launches its kernels so that
// each may start while the kernel before it on the stream is still running (dev.attn4j.cuda.
// DependentLaunch). Every kernel calls await_earlier_kernels() before its first access to memory an
// earlier kernel may have written or may still read: the queries, the cache and its scales, the
// outputs and partials, the tickets. Before it a kernel reads only its parameters and the plan's
// metadata, which only host uploads write (stream-ordered copies, never overlapped). Then it lets
// the next kernel start, whose blocks fill SMs as this one's leave and wait at the same point.
// Compiled to nothing unless the translation unit defines ATTN4J_DEPENDENT_LAUNCH (attn4j.cu does;
// the ilu kernels, launched the plain way, do not).
#pragma once

namespace attn4j_common {

__device__ __forceinline__ void await_earlier_kernels() {
#if defined(ATTN4J_DEPENDENT_LAUNCH) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    // Returns once every kernel this one depends on has finished and its writes are visible; a
    // no-op in a plain launch.
    asm volatile("griddepcontrol.wait;" ::: "memory");
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

}  // namespace attn4j_common
