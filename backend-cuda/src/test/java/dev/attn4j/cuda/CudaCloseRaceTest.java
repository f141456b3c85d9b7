package dev.attn4j.cuda;

import dev.attn4j.conformance.CloseRace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a plan, tensor or cache on one thread while another decodes or appends with it never
 * crashes the JVM or faults the device: validation and the launch share the backend's lock with
 * the free, which waits for the stream. Skips without an NVIDIA GPU; runs on the GPU host.
 */
class CudaCloseRaceTest {

    @Test
    void closingWhileAnotherThreadRunsNeitherCrashesNorFaults() throws Exception {
        var a = new CudaBackendProvider().probe();
        Assumptions.assumeTrue(a.isAvailable(), () -> "cuda unavailable: " + a.unavailabilityCause());
        CloseRace.Forked r = CloseRace.inFreshJvm(CudaBackendProvider.class, 1500, Map.of());
        assertTrue(r.survived(), "exit " + r.exitCode() + ":\n" + r.output());
    }
}
