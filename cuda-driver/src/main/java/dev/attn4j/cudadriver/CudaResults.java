package dev.attn4j.cudadriver;

import dev.attn4j.api.DeviceException;
import jcuda.driver.CUresult;

import java.util.Set;

/**
 * Checks driver return codes (JCuda's exceptions stay off, so every call's code is checked here):
 * anything but success becomes a {@link DeviceException} naming the backend and the call.
 */
public final class CudaResults {
    /**
     * Errors after which the context is unusable (the CUDA docs call them sticky): the backend is
     * marked failed when one occurs. Others (out of memory, an invalid value) fail one call.
     */
    private static final Set<Integer> STICKY = Set.of(
            CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
            CUresult.CUDA_ERROR_LAUNCH_TIMEOUT, CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR,
            CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION, CUresult.CUDA_ERROR_MISALIGNED_ADDRESS,
            CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE, CUresult.CUDA_ERROR_INVALID_PC,
            CUresult.CUDA_ERROR_ECC_UNCORRECTABLE, CUresult.CUDA_ERROR_UNKNOWN);

    private CudaResults() {
    }

    /** Throws a DeviceException of {@code backend} for a failed call. */
    public static void check(String backend, int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new DeviceException(backend, call, result, CUresult.stringFor(result), STICKY.contains(result), null);
        }
    }
}
