package dev.attn4j.xpu;

import dev.attn4j.api.support.ParamLayout;
import dev.attn4j.tck.KernelAbi;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** formats.cl declares the Java side's codes (KernelCodes), and each launch passes its kernel's arguments in order. */
class KernelAbiTest {

    @Test
    void formatsClDeclaresTheJavaCodes() throws Exception {
        assertEquals(List.of(), KernelAbi.codeMismatches(KernelAbi.source("backend-xpu", "src/main/opencl/formats.cl")));
    }

    @TestFactory
    Stream<DynamicTest> launchArgumentsMatchTheKernelSignatures() {
        return Stream.of(
                        new Object[] {"append.cl", XpuLaunchArgs.APPEND},
                        new Object[] {"attention.cl", XpuLaunchArgs.ATTENTION},
                        new Object[] {"merge.cl", XpuLaunchArgs.MERGE})
                .map(c -> DynamicTest.dynamicTest((String) c[0], () -> {
                    ParamLayout l = (ParamLayout) c[1];
                    String source = Files.readString(KernelAbi.source("backend-xpu", "src/main/opencl/" + c[0]));
                    assertEquals(KernelAbi.kernelParams(source, l.struct()), l.fields(), c[0] + " (expected) vs the Java layout");
                }));
    }
}
