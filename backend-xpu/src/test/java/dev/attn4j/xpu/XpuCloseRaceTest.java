package dev.attn4j.xpu;

import dev.attn4j.conformance.CloseRace;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a plan, tensor or cache on one thread while another decodes or appends with it never
 * crashes the JVM: the run validates its arguments and reads their buffers under the backend's lock,
 * where they are freed too. Before that fix this died with SIGSEGV in clEnqueueNDRangeKernel on PoCL.
 */
class XpuCloseRaceTest {

    @Test
    void closingWhileAnotherThreadRunsNeverCrashesTheJvm() throws Exception {
        OpenClDevices.assume(OpenClDevices.probe());
        CloseRace.Forked r = CloseRace.inFreshJvm(XpuBackendProvider.class, 1500, Map.of(
                XpuDeviceFilter.ALLOW_ANY, "true", ZeLoader.LIBRARY_PROPERTY, "libze_loader_left_out_by_the_tests.so.1"));
        assertTrue(r.survived(), "exit " + r.exitCode() + ":\n" + r.output());
    }
}
