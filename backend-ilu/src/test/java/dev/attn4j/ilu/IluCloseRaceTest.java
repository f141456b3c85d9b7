package dev.attn4j.ilu;

import dev.attn4j.conformance.CloseRace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The close-while-running race (CloseRace) on ilu, in compat mode on the GPU host; skips without a device. */
class IluCloseRaceTest {

    @Test
    void closingWhileAnotherThreadRunsNeitherCrashesNorFaults() throws Exception {
        var a = new IluBackendProvider().probe(CompatMode.OPTIONS);
        Assumptions.assumeTrue(a.isAvailable(), () -> "ilu unavailable: " + a.unavailabilityCause());
        CloseRace.Forked r = CloseRace.inFreshJvm(IluBackendProvider.class, 1500,
                Map.of(IluDeviceFilter.COMPAT_PROPERTY, "true"));
        assertTrue(r.survived(), "exit " + r.exitCode() + ":\n" + r.output());
    }
}
