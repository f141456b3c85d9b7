package dev.attn4j.xpu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.support.KernelNames;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run-time source the OpenCL path builds, and the kernel names the launchers ask for. */
class XpuProgramSourceTest {

    @Test
    void everyIncludeIsExpandedAndEveryKernelInstantiated() {
        String src = XpuProgramSource.expanded();
        assertFalse(src.contains("#include"), "an include was left unexpanded");
        // Kernel names are pasted by the preprocessor, so count the selections instead: 5 KV dtypes,
        // each with 2 query dtypes, plus the 2 merges'.
        assertEquals(5, count(src, "#define KV_SEL"));
        assertEquals(5 * 2 + 2, count(src, "#define Q_SEL"));
        assertTrue(src.contains("static inline uchar float_to_e4m3"));
    }

    @Test
    void channelsPerLaneCoverTheHeadDim() {
        assertEquals(1, XpuKernels.channelsPerLane(8));
        assertEquals(1, XpuKernels.channelsPerLane(16));
        assertEquals(2, XpuKernels.channelsPerLane(24));
        assertEquals(4, XpuKernels.channelsPerLane(64));
        assertEquals(8, XpuKernels.channelsPerLane(80));
        assertEquals(8, XpuKernels.channelsPerLane(128));
        assertEquals(16, XpuKernels.channelsPerLane(256));
        assertEquals("attn4j_attention_e4m3_fp16_c8", XpuKernels.attention(KvDType.FP8_E4M3, DType.FP16, 96));
        assertEquals("attn4j_append_bf16_int8", KernelNames.append(DType.BF16, KvDType.INT8));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
