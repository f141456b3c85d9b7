package dev.attn4j.cudadriver;

import dev.attn4j.api.support.ParamLayout;
import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel ABI shared by the cuda and ilu kernels: kernel_codes.cuh declares the codes the Java
 * side passes (KernelCodes), and the parameter blocks cuda-driver builds have the fields, in order,
 * of the structs in kernel_params.cuh.
 */
class KernelAbiTest {

    @Test
    void kernelCodesCuhDeclaresTheJavaCodes() throws Exception {
        assertEquals(List.of(), KernelAbi.codeMismatches(KernelAbi.source("cuda-driver", "src/main/cuda/kernel_codes.cuh")));
    }

    @Test
    void noSharedHeaderDeclaresACodeThatDisagrees() throws Exception {
        assertEquals(List.of(), KernelAbi.codeConflicts(KernelAbi.source("cuda-driver", "src/main/cuda")));
    }

    @TestFactory
    Stream<DynamicTest> paramBlocksMatchKernelParamsCuh() throws Exception {
        String source = Files.readString(KernelAbi.source("cuda-driver", "src/main/cuda/kernel_params.cuh"));
        return Stream.of(AttentionParams.ATTN, AttentionParams.MERGE, AttentionParams.APPEND, AttentionParams.READ)
                .map(l -> DynamicTest.dynamicTest(l.struct(), () -> check(source, l)));
    }

    private static void check(String source, ParamLayout layout) {
        assertEquals(KernelAbi.structFields(source, layout.struct()), layout.fields(),
                layout.struct() + ": kernel_params.cuh (expected) vs the Java layout");
    }
}
