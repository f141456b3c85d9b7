package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Tensor;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.MultiDeviceSelection;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.SelectionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BackendSelector#selectAll}: one validated backend per device, each its own, every device reported. */
class MultiDeviceSelectionTest {
    @BeforeEach
    void clean() {
        ProbeCache.clear();
        TestProviders.TwoDevices.OPENED.clear();
    }

    private static BackendSelector selector(dev.attn4j.api.spi.AttentionBackendProvider... extra) {
        return BackendSelector.builder().discover(false).register(new CpuBackendProvider()).register(extra)
                .environment(Map.of()).backendProperty(null).build();
    }

    @Test
    void everyDeviceOfTheChosenProviderIsOpenedValidatedAndReported() {
        try (MultiDeviceSelection all = selector(new TestProviders.TwoDevices()).selectAll(SelectionScenariosTest.REQ)) {
            List<AttentionBackend> b = all.backends();
            assertEquals(2, b.size(), all.report().table());
            assertEquals(List.of(0, 1), TestProviders.TwoDevices.OPENED, "opened once per device, in order");
            assertNotSame(b.get(0), b.get(1));
            assertEquals(Outcome.CHOSEN, all.report().candidate("t-two-devices#0").orElseThrow().outcome());
            assertEquals(Outcome.CHOSEN, all.report().candidate("t-two-devices#1").orElseThrow().outcome());
            assertTrue(all.report().candidate("t-two-devices#1").orElseThrow().reason().startsWith("validated"),
                    all.report().table());
            assertEquals(Outcome.NOT_TRIED, all.report().candidate("cpu").orElseThrow().outcome(), all.report().table());
            // Each device's backend refuses the other's tensors.
            try (Tensor t = b.get(0).allocate(DType.BF16, 4, 8, 128); Tensor u = b.get(1).allocate(DType.BF16, 4, 8, 128)) {
                InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> b.get(1).copy(t, u));
                assertTrue(e.getMessage().contains("another backend"), e.getMessage());
            }
        }
    }

    @Test
    void aDeviceThatFailsIsReportedAndLeftOut() {
        try (MultiDeviceSelection all = selector(new TestProviders.SecondDeviceFails()).selectAll(SelectionScenariosTest.REQ)) {
            assertEquals(1, all.backends().size(), all.report().table());
            assertEquals(Outcome.OPEN_FAILED, all.report().candidate("t-second-device-fails#1").orElseThrow().outcome());
            assertTrue(all.report().candidate("t-second-device-fails#1").orElseThrow().reason().contains("device 1 is gone"),
                    all.report().table());
        }
    }

    @Test
    void aProviderWithOneDeviceGivesOneBackendAndNoneAtAllIsASelectionException() {
        try (MultiDeviceSelection all = selector().selectAll(SelectionScenariosTest.REQ)) {
            assertEquals(1, all.backends().size());
            assertEquals("cpu", all.backends().get(0).name());
            assertEquals(Outcome.CHOSEN, all.report().candidate("cpu#0").orElseThrow().outcome(), all.report().table());
        }
        System.setProperty("attn4j.cpu.disabled", "true");
        try {
            ProbeCache.clear();
            SelectionException e = assertThrows(SelectionException.class, () -> selector().selectAll(SelectionScenariosTest.REQ));
            assertTrue(e.getMessage().contains("on any device"), e.getMessage());
        } finally {
            System.clearProperty("attn4j.cpu.disabled");
            ProbeCache.clear();
        }
    }
}
