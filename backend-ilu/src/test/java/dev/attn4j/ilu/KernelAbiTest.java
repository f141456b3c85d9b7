package dev.attn4j.ilu;

import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ilu kernels take the codes the Java side passes from cuda-driver's kernel_codes.cuh (checked
 * against KernelCodes there) and declare none of their own that disagrees, and the staging pass's
 * parameter block has StageParams' fields in stage.cuh's order (the shared structs are checked in
 * cuda-driver).
 */
class KernelAbiTest {

    @Test
    void theKernelsUseTheSharedCodes() throws Exception {
        assertEquals(List.of(), KernelAbi.sharedCodeProblems("backend-ilu", "src/main/cuda/portable.cuh", "src/main/cuda"));
    }

    @Test
    void stageParamsMatchStageCuh() throws Exception {
        String source = Files.readString(KernelAbi.source("backend-ilu", "src/main/cuda/stage.cuh"));
        assertEquals(KernelAbi.structFields(source, "StageParams"), IluBackend.STAGE.fields());
    }
}
