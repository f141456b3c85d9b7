package dev.attn4j.cuda;

import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** formats.cuh declares the layout, granularity and dtype codes the Java side passes (KernelCodes). */
class KernelAbiTest {

    @Test
    void formatsCuhDeclaresTheJavaCodes() throws Exception {
        assertEquals(List.of(), KernelAbi.codeMismatches(KernelAbi.source("backend-cuda", "src/main/cuda/formats.cuh")));
    }
}
