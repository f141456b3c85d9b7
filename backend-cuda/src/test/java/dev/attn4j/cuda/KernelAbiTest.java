package dev.attn4j.cuda;

import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuda kernels take the layout, granularity and dtype codes from cuda-driver's kernel_codes.cuh
 * (checked against KernelCodes there), and no source of theirs declares a code of its own that
 * disagrees with the Java side.
 */
class KernelAbiTest {

    @Test
    void formatsCuhUsesTheSharedCodes() throws Exception {
        assertTrue(Files.readString(KernelAbi.source("backend-cuda", "src/main/cuda/formats.cuh"))
                .contains("#include \"kernel_codes.cuh\""));
    }

    @Test
    void noKernelSourceDeclaresACodeThatDisagrees() throws Exception {
        assertEquals(List.of(), KernelAbi.codeConflicts(KernelAbi.source("backend-cuda", "src/main/cuda")));
    }
}
