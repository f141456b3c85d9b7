package dev.attn4j.cuda;

import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cuda kernels take the layout, granularity and dtype codes from cuda-driver's kernel_codes.cuh
 * (checked against KernelCodes there), and no source of theirs declares a code that disagrees.
 */
class KernelAbiTest {

    @Test
    void theKernelsUseTheSharedCodes() throws Exception {
        assertEquals(List.of(), KernelAbi.sharedCodeProblems("backend-cuda", "src/main/cuda/formats.cuh", "src/main/cuda"));
    }
}
