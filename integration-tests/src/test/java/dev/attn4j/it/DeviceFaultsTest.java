package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.Tensor;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import dev.attn4j.selector.SelectionException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A caller's mistake that the driver rejects (an allocation larger than the device allows) fails
 * that call only: the fault is not sticky, so neither the backend nor the selector's latch marks the
 * backend failed, and the next call works. On each device backend present (xpu on PoCL in CI; cuda,
 * and ilu in compat mode, on the GPU host); before, the latch failed every later call.
 */
class DeviceFaultsTest {
    /** 2^38 FP32 elements: 1 TiB, more than any device here has or allows in one buffer. */
    private static final int[] ONE_TIB = {1 << 19, 1 << 19};

    @TestFactory
    Stream<DynamicTest> anOversizedAllocationFailsThatCallOnly() {
        return Stream.of("cuda", "ilu", "xpu").map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    private static void check(String name) {
        String compat = "attn4j.ilu.allowAnyCudaDevice";
        String before = System.getProperty(compat);
        if (name.equals("ilu")) {
            System.setProperty(compat, "true");
        }
        ProbeCache.clear();
        try {
            Selection s;
            try {
                s = BackendSelector.builder().order(name).environment(Map.of()).backendProperty(null).build()
                        .select(SelectionScenariosTest.REQ);
            } catch (SelectionException e) {
                String why = name + " cannot be selected here: " + e.report().reasons();
                if (name.equals("xpu") && Boolean.getBoolean(BackendMatrixTest.XPU_STRICT)) {
                    Assertions.fail(BackendMatrixTest.XPU_STRICT + "=true but " + why);
                }
                Assumptions.abort(why);
                return;
            }
            try (s) {
                AttentionBackend b = s.backend();
                DeviceException e = assertThrows(DeviceException.class, () -> b.allocate(DType.FP32, ONE_TIB));
                assertFalse(e.isSticky(), e.getMessage());
                assertFalse(b.isClosed(), "the backend is not failed");
                float[] data = {1, 2, 3, 4};
                try (Tensor t = b.allocate(DType.FP32, 4)) {
                    t.copyFrom(data);
                    assertArrayEquals(data, t.toFloatArray());
                }
                assertEquals(Outcome.CHOSEN, s.report().candidate(name).orElseThrow().outcome());
            }
        } finally {
            if (before == null) {
                System.clearProperty(compat);
            } else {
                System.setProperty(compat, before);
            }
            ProbeCache.clear();
        }
    }
}
